"""Supervisor reports: a chart and the numbers behind it for each report, and CSV export.

``ReportsView(ctx, parent)`` runs every report of :mod:`roi_desk.services.reports` for the
chosen period (in a worker, through :class:`~roi_desk.ui.job.Job`: they are SQL aggregates,
but a big desk still takes a moment, shown by a busy bar) and shows one tab per report — a
QtCharts bar chart above a table of the same numbers — with **Export CSV…** for a
spreadsheet. Only supervisors and administrators may run reports (``RUN_REPORTS``).

Signals: ``loaded(int)`` with the number of reports shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from roi_desk.auth.permissions import Permission, require
from roi_desk.services import reports
from roi_desk.services.reports import Period, Table
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import show_error
from roi_desk.ui.job import Job, Reload
from roi_desk.ui.widgets import close_on_escape

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

PERIODS = (("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90), ("Last year", 365))


class TableModel(QAbstractTableModel):
    """A report :class:`Table` as a read-only table model."""

    def __init__(self, table: Table, parent: Any = None) -> None:
        super().__init__(parent)
        self.table = table

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.table.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.table.columns)
        ):
            return self.table.columns[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.table.rows):
            return None
        value = self.table.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, float):
                return f"{value:,.2f}"
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


#: report code → (category column, value columns); None: count the rows per category
_CHARTS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "open_by_status_age": ("Status", tuple(b[0] for b in reports.AGE_BUCKETS)),
    "overdue_due_soon": ("Group", None),
    "turnaround": ("Days", ("Requests",)),
    "per_clerk_day": ("User", ("Logged", "Released")),
    "fees": ("Payment", ("Amount ($)",)),
    "redirected_rejected": ("Reason", ("Requests",)),
}


def chart_data(table: Table) -> tuple[list[str], dict[str, list[float]]]:
    """Categories and one list of values per bar set (summed per category)."""
    category_col, value_cols = _CHARTS.get(table.code, (table.columns[0], table.columns[-1:]))
    categories: list[str] = []
    for value in table.column(category_col):
        if str(value) not in categories:
            categories.append(str(value))
    names = value_cols or ("Requests",)
    sets: dict[str, list[float]] = {name: [0.0] * len(categories) for name in names}
    for row in table.rows:
        at = categories.index(str(row[table.columns.index(category_col)]))
        for name in names:
            if value_cols is None:
                sets[name][at] += 1
            else:
                sets[name][at] += float(row[table.columns.index(name)] or 0)
    return categories, sets


def make_chart(table: Table) -> QChart:
    categories, sets = chart_data(table)
    series = QStackedBarSeries()
    for name, values in sets.items():
        bar = QBarSet(name)
        bar.append(values)
        series.append(bar)
    chart = QChart()
    chart.addSeries(series)
    chart.setTitle(table.title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    axis_x = QBarCategoryAxis()
    axis_x.append([c if len(c) <= 24 else c[:23] + "…" for c in categories])
    axis_y = QValueAxis()
    top = max((sum(v) for v in zip(*sets.values(), strict=True)), default=0.0)
    # whole-number ticks: counts of requests (money axes round to whole dollars)
    high = max(1, math.ceil(top * 1.1))
    axis_y.setRange(0, high)
    axis_y.setTickType(QValueAxis.TickType.TicksDynamic)
    axis_y.setTickAnchor(0)
    axis_y.setTickInterval(max(1, math.ceil(high / 5)))
    axis_y.setLabelFormat("%.0f")
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_x)
    series.attachAxis(axis_y)
    chart.legend().setVisible(len(sets) > 1)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


class ReportPage(QWidget):
    def __init__(self, table: Table, export: Callable[[Table], None], parent: Any = None) -> None:
        super().__init__(parent)
        self.table = table
        self.chart_view = QChartView(make_chart(table), self)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.model = TableModel(table, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.export_button = QPushButton("&Export CSV…", self)
        self.export_button.clicked.connect(lambda: export(table))
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.chart_view)
        splitter.addWidget(self.view)
        splitter.setSizes([320, 200])
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel(table.note))
        bottom.addStretch(1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)


class ReportsView(QWidget):
    loaded = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        ctx.call(lambda _session, user: require(user, Permission.RUN_REPORTS))
        self.setWindowTitle("Reports")
        close_on_escape(self)
        self.period = QComboBox(self)
        for label, days in PERIODS:
            self.period.addItem(label, days)
        self.period.setCurrentIndex(1)
        self.refresh_button = QPushButton("&Refresh", self)
        self.tabs = QTabWidget(self)
        self.status = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(160)
        self.job = Job(self, ctx.runner, progress=self.progress, status=self.status)
        #: the period changed while the reports ran: run them again once they end
        self.reload = Reload(self.job, self._load)
        top = QHBoxLayout()
        period_label = QLabel("&Period:", self)
        period_label.setBuddy(self.period)
        top.addWidget(period_label)
        top.addWidget(self.period)
        top.addWidget(self.status)
        top.addStretch(1)
        top.addWidget(self.progress)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.period.currentIndexChanged.connect(self.reload)
        self.refresh_button.clicked.connect(self.reload)
        #: replaced in tests: where to save a CSV (None: cancelled)
        self.ask_path: Callable[[Table], Path | None] = self._ask_path
        self.tables: list[Table] = []
        self.reload()

    def _load(self) -> None:
        """Run the reports for the chosen period. Asked again while they run (the clerk
        picked another period), they run once more afterwards with the period chosen by
        then, and the answer for the old one is not shown."""
        days = int(self.period.currentData())

        def op(_token: object) -> list[Table]:
            with self.ctx.transaction() as (session, user):
                return reports.all_reports(session, Period.last_days(days), user=user)

        self.job.start(op, success=self._show, failure=self._failed, label="Running the reports…")

    def _failed(self, exc: BaseException) -> None:
        self.ctx.runner.presenter(self, exc)
        self.reload.superseded()

    def _show(self, tables: object) -> None:
        assert isinstance(tables, list)
        if self.reload.superseded():
            return  # the answer for a period the clerk no longer looks at
        current = self.tabs.currentIndex()
        self.tabs.clear()
        self.tables = tables
        for table in tables:
            self.tabs.addTab(ReportPage(table, self.export, self.tabs), table.title)
        self.tabs.setCurrentIndex(max(0, current))
        self.loaded.emit(len(tables))

    def _ask_path(self, table: Table) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export CSV", f"{table.code}.csv", "CSV files (*.csv)"
        )
        return Path(name) if name else None

    def export(self, table: Table) -> None:
        path = self.ask_path(table)
        if path is None:
            return
        try:
            reports.to_csv(table, path)
        except OSError as exc:
            show_error(self, exc)
