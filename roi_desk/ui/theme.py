"""The look: Fusion with a light, calm palette and a little spacing (used all day long)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = "#2f5d8a"
#: what cannot be used now must look it: a greyed menu item or button (WCAG 1.4.3 exempts
#: inactive controls from contrast, but they must still read as inactive)
DISABLED_TEXT = "#9aa3ad"

STYLE_SHEET = f"""
QTableView, QTreeView {{
    border: 1px solid #d5d9df;
    selection-background-color: {ACCENT};
    selection-color: white;
}}
QTableView::item, QTreeView::item {{ padding: 0 6px; }}
QHeaderView::section {{
    background: #eef1f4;
    border: none;
    border-bottom: 1px solid #d5d9df;
    border-right: 1px solid #e2e5e9;
    padding: 5px 6px;
    font-weight: 600;
    color: #39424e;
}}
QTreeWidget#inboxPanel {{ background: #f6f7f9; }}
QTreeWidget#inboxPanel::item {{ padding: 4px 2px; }}
QLineEdit#search {{ padding: 6px 8px; border: 1px solid #c3c9d1; border-radius: 4px; }}
QLineEdit#search:focus {{ border: 1px solid {ACCENT}; }}
QLabel#resultCount {{ color: #5b6573; }}
QLabel#requestTitle {{ font-size: 18pt; font-weight: 600; }}
QLabel#requestStatus {{
    background: #e6eef6; color: {ACCENT}; border-radius: 10px;
    padding: 3px 10px; font-weight: 600;
}}
QLabel#requestDue {{ color: #39424e; font-weight: 600; }}
QLabel#requestDue[overdue="true"] {{ color: #b3261e; }}
QLabel#duplicateWarning {{
    background: #fff4d6; border: 1px solid #e8c76a; border-radius: 4px;
    padding: 6px 10px; color: #6b4e00;
}}
QLabel[role="caption"] {{ color: #5b6573; }}
QFrame#requestFields {{ background: white; border: 1px solid #d5d9df; border-radius: 4px; }}
QStatusBar QLabel {{ color: #5b6573; padding: 0 8px; }}
QMenu::item:disabled {{ color: {DISABLED_TEXT}; }}
QPushButton:disabled {{ color: {DISABLED_TEXT}; }}
"""


def apply_look(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f3f4f6"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f7f9fb"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#1f2933"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#1f2933"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#7b8794"))
    # setColor(role, ...) above sets every colour group, the disabled one too: without
    # this, disabled menu items and buttons looked exactly like enabled ones
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.HighlightedText,
    ):
        palette.setColor(disabled, role, QColor(DISABLED_TEXT))
    palette.setColor(disabled, QPalette.ColorRole.Highlight, QColor("#c9d1da"))
    app.setPalette(palette)
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)
