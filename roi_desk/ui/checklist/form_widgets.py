"""Small builders the checklist tab's forms share: a date field, a narrow combo box, a
label with an Alt+letter buddy, a heading."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QWidget,
)

from roi_desk.ui.date_field import DateField


def date_edit(empty_text: str) -> DateField:
    """A typed date (the shared field: the text is the value, empty means no date)."""
    return DateField(empty_text=empty_text)


def compact(combo: QComboBox, chars: int = 16) -> QComboBox:
    """A combo box as wide as ``chars`` characters, not as its longest entry: long proof
    names must not push the verdict column off a 1366-pixel screen."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    return combo


def buddy(text: str, widget: QWidget) -> QLabel:
    """A form label whose Alt+letter moves the focus to ``widget`` (keyboard-first)."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600; color: #3c4043;")
    return label
