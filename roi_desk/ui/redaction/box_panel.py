"""The Redaction tab's side panel: reasons, "redact a text everywhere", page, apply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from roi_desk.services import redaction as svc

if TYPE_CHECKING:
    from roi_desk.ui.redaction.tab import RedactionTab

__all__ = ["build_box_panel"]


def build_box_panel(tab: RedactionTab) -> QWidget:
    """The side panel: reason for new (or the selected) boxes, redact a text everywhere,
    the page's own actions, and Apply & verify."""
    panel = QWidget(tab)
    layout = QVBoxLayout(panel)

    tab.reason_group = QGroupBox("Reason for new boxes", panel)
    form = QFormLayout(tab.reason_group)
    tab.reason_combo = QComboBox(tab.reason_group)
    # long category labels must not push the panel wider than the window
    tab.reason_combo.setSizeAdjustPolicy(
        QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
    )
    tab.reason_combo.setMinimumContentsLength(18)
    for code, label in svc.offered_reasons():
        tab.reason_combo.addItem(label, code)
    tab.reason_combo.activated.connect(lambda _i: tab._reason_edited(from_note=False))
    tab.note_edit = QLineEdit(tab.reason_group)
    tab.note_edit.setPlaceholderText("Note (required for 'other')")
    tab.note_edit.editingFinished.connect(lambda: tab._reason_edited(from_note=True))
    form.addRow("Reason", tab.reason_combo)
    form.addRow("Note", tab.note_edit)
    tab.box_info = QLabel(tab.reason_group)
    tab.box_info.setWordWrap(True)
    form.addRow(tab.box_info)
    layout.addWidget(tab.reason_group)

    find = QGroupBox("Redact a text everywhere", panel)
    fl = QVBoxLayout(find)
    tab.find_edit = QLineEdit(find)
    tab.find_edit.setPlaceholderText("Text to redact on every page")
    tab.find_edit.returnPressed.connect(tab.redact_every_occurrence)
    use = QPushButton("Use the text under the box", find)
    use.clicked.connect(tab.use_text_under_box)
    every = QPushButton("Redact every occurrence", find)
    every.clicked.connect(tab.redact_every_occurrence)
    fl.addWidget(tab.find_edit)
    fl.addWidget(use)
    fl.addWidget(every)
    layout.addWidget(find)

    page = QGroupBox("Page", panel)
    pl = QVBoxLayout(page)
    tab.page_label = QLabel(page)
    whole = QPushButton("Redact whole page", page)
    whole.clicked.connect(tab.redact_whole_page)
    tab.exclude_button = QPushButton("Exclude page from release", page)
    tab.exclude_button.clicked.connect(tab.toggle_exclude_page)
    pl.addWidget(tab.page_label)
    pl.addWidget(whole)
    pl.addWidget(tab.exclude_button)
    layout.addWidget(page)

    layout.addStretch(1)
    tab.apply_button = QPushButton("Apply && verify", panel)
    tab.apply_button.setObjectName("primary")
    tab.apply_button.setMinimumHeight(32)
    tab.apply_button.clicked.connect(tab.apply)
    layout.addWidget(tab.apply_button)
    return panel
