"""Choosing the patient a request is about: a candidate, a new chart, or "later".

Wrong-patient releases are the desk's worst mistake, so nothing is picked for the clerk:
candidates are shown with the reason they matched ("name and date of birth"), and the
clerk chooses one, creates a new patient with an MRN, or leaves the request unmatched (it
then waits in the unmatched-patient queue until someone matches it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFocusEvent, QHideEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from roi_desk.services.intake import PatientCandidate
from roi_desk.ui.date_field import show_date
from roi_desk.ui.intake.fields import Field

#: how long typing must pause before candidates are looked up again
LOOKUP_DELAY_MS = 250

Lookup = Callable[[str, str, date | None], list[PatientCandidate]]


class CandidateList(QTreeWidget):
    """The candidates; entering the list picks nothing.

    Qt makes the first row current when a list without a current row gets the focus, which
    here would choose a patient for the clerk (a name-only match, even) just because she
    moved into the list. The clerk picks with the arrows or Enter.
    """

    def focusInEvent(self, event: QFocusEvent) -> None:
        had_current = self.currentItem() is not None
        self.blockSignals(True)
        try:
            super().focusInEvent(event)
            if not had_current:
                self.setCurrentIndex(QModelIndex())
                self.clearSelection()
        finally:
            self.blockSignals(False)


class PatientMatchPanel(QWidget):
    """Candidates for the typed name and DOB, and the clerk's choice among them.

    Signals: ``choiceChanged()`` — the chosen patient, new MRN or "later" changed.
    """

    choiceChanged = Signal()

    MATCH, NEW, LATER = 0, 1, 2

    def __init__(self, lookup: Lookup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lookup = lookup
        self._query: tuple[str, str, date | None] = ("", "", None)
        self._candidates: list[PatientCandidate] = []

        self.list_label = QLabel("Matchin&g patients", self)
        self.candidates = CandidateList(self)
        self.candidates.setObjectName("candidates")
        self.candidates.setColumnCount(4)
        self.candidates.setHeaderLabels(["MRN", "Name", "Date of birth", "Why"])
        self.candidates.setRootIsDecorated(False)
        self.candidates.setUniformRowHeights(True)
        self.candidates.setAlternatingRowColors(True)
        self.candidates.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.candidates.setAccessibleName("Matching patients")
        header = self.candidates.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.candidates.setFixedHeight(96)
        self.list_label.setBuddy(self.candidates)
        self.hint = QLabel("Type the last name and date of birth to find the patient.", self)
        self.hint.setObjectName("hint")

        self.match_radio = QRadioButton("Selected patient", self)
        self.new_radio = QRadioButton("&New patient, MRN", self)
        self.later_radio = QRadioButton("&Unmatched — match later", self)
        self.mrn = QLineEdit(self)
        self.mrn.setPlaceholderText("MRN from the hospital's patient index")
        self.mrn.setMaxLength(32)
        self.mrn.setAccessibleName("New patient MRN")
        self.mrn_field = Field(self.mrn, self)
        self.group = QButtonGroup(self)
        for index, radio in enumerate((self.match_radio, self.new_radio, self.later_radio)):
            self.group.addButton(radio, index)
        self.later_radio.setChecked(True)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        grid.addWidget(self.list_label, 0, 0, 1, 3)
        grid.addWidget(self.candidates, 1, 0, 1, 3)
        grid.addWidget(self.hint, 2, 0, 1, 3)
        grid.addWidget(self.match_radio, 3, 0)
        grid.addWidget(self.new_radio, 3, 1)
        grid.addWidget(self.mrn_field, 3, 2)
        grid.addWidget(self.later_radio, 4, 0, 1, 3)
        grid.setColumnStretch(2, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOOKUP_DELAY_MS)
        self._timer.timeout.connect(self.refresh)

        # moving into the list (Tab, Alt+G) looks up at once: the clerk is not kept
        # waiting for the typing pause to end before she can pick
        self.candidates.installEventFilter(self)
        self.candidates.currentItemChanged.connect(self._on_current)
        self.candidates.itemActivated.connect(lambda *_: self.match_radio.setChecked(True))
        self.group.idToggled.connect(self._on_toggled)
        self.mrn.textEdited.connect(self._on_mrn_typed)
        self._sync()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.candidates
            and event.type() == QEvent.Type.FocusIn
            and self._timer.isActive()
        ):
            self.refresh()
        return False

    def hideEvent(self, event: QHideEvent) -> None:
        # a closed intake must not reach the database when a pending lookup fires later
        self._timer.stop()
        super().hideEvent(event)

    # -- looking up --------------------------------------------------------------------

    def set_query(self, family: str, given: str, dob: date | None) -> None:
        """Typing changed the name or DOB: look again once the clerk pauses."""
        query = (family.strip(), given.strip(), dob)
        if query != self._query:
            self._query = query
            self._timer.start()

    def refresh(self) -> None:
        """Look up now (also what the timer calls)."""
        self._timer.stop()
        family, given, dob = self._query
        chosen = self.chosen_patient_id()
        found = self._lookup(family, given, dob) if family else []
        self._candidates = found
        self.candidates.blockSignals(True)
        self.candidates.clear()
        for c in found:
            item = QTreeWidgetItem(
                [
                    c.mrn,
                    c.name + (" (deceased)" if c.deceased else ""),
                    show_date(c.date_of_birth),
                    c.why,
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, str(c.patient_id))
            if c.score < 2:
                # DOB differs: shown for a changed name or a typo, but greyed so the eye
                # goes to real matches first
                for col in range(4):
                    item.setForeground(col, QColor("#8a8f98"))
            self.candidates.addTopLevelItem(item)
            if chosen is not None and c.patient_id == chosen:
                self.candidates.setCurrentItem(item)
        self.candidates.blockSignals(False)
        if chosen is not None and self.chosen_patient_id() is None:
            # the patient picked before no longer fits what is typed
            self.later_radio.setChecked(True)
        self._sync()

    @property
    def candidate_list(self) -> list[PatientCandidate]:
        return list(self._candidates)

    # -- the choice --------------------------------------------------------------------

    def choose(self, patient_id: uuid.UUID) -> None:
        for i in range(self.candidates.topLevelItemCount()):
            item = self.candidates.topLevelItem(i)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == str(patient_id):
                self.candidates.setCurrentItem(item)
                self.match_radio.setChecked(True)
                return
        raise KeyError(patient_id)

    def chosen_patient_id(self) -> uuid.UUID | None:
        if not self.match_radio.isChecked():
            return None
        item = self.candidates.currentItem()
        if item is None:
            return None
        return uuid.UUID(str(item.data(0, Qt.ItemDataRole.UserRole)))

    def new_mrn(self) -> str:
        return self.mrn.text().strip() if self.new_radio.isChecked() else ""

    def summary(self) -> str:
        """One line saying what will happen to the patient on save."""
        pid = self.chosen_patient_id()
        if pid is not None:
            c = next((c for c in self._candidates if c.patient_id == pid), None)
            if c is None:
                return "Patient chosen"
            mrn = c.mrn if c.mrn.upper().startswith("MRN") else f"MRN {c.mrn}"
            return f"Patient: {c.name}, {mrn}"
        if self.new_radio.isChecked():
            return f"New patient, MRN {self.mrn.text().strip() or '(enter MRN)'}"
        return "Patient not matched — the request waits in the unmatched queue"

    def reset(self) -> None:
        self._query = ("", "", None)
        self._candidates = []
        self.candidates.clear()
        self.mrn.clear()
        self.mrn_field.set_error(None)
        self.later_radio.setChecked(True)
        self._sync()

    def _on_current(self, current: QTreeWidgetItem | None, _prev: object) -> None:
        if current is not None:
            self.match_radio.setChecked(True)
        self._sync()
        self.choiceChanged.emit()

    def _on_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self._sync()
            self.choiceChanged.emit()

    def _on_mrn_typed(self, text: str) -> None:
        if text.strip():
            self.new_radio.setChecked(True)
        self.choiceChanged.emit()

    def _sync(self) -> None:
        count = len(self._candidates)
        strong = sum(1 for c in self._candidates if c.score >= 2)
        if not self._query[0]:
            self.hint.setText("Type the last name and date of birth to find the patient.")
        elif count == 0:
            self.hint.setText("No patient on file matches. Create a new patient or match later.")
        elif self.chosen_patient_id() is None:
            noun = "match" if strong == 1 else "matches"
            self.hint.setText(
                f"{strong} likely {noun} on name and date of birth"
                + (f", {count - strong} on name only" if count > strong else "")
                + ". Select the patient, or choose below."
            )
        else:
            self.hint.setText(self.summary())
        self.match_radio.setEnabled(count > 0)
        self.mrn.setEnabled(True)
