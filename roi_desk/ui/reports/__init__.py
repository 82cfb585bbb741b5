"""Supervisor reports with QtCharts and CSV export (ReportsView)."""

from roi_desk.ui.reports.view import ReportsView, TableModel, chart_data

__all__ = ["ReportsView", "TableModel", "chart_data"]
