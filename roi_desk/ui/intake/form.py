"""The request form a clerk keys in from a fax or letter, and its errors.

The widget only collects what is typed into an ``IntakeForm`` and shows the messages the
core returns (``ValidationError.fields``, keyed like ``"requester.address_line1"``); the
rules themselves live in ``roi_desk.services.intake.validate``. Order and labels follow
the way hospital request forms are laid out (patient, requester, recipient, information
requested, purpose, delivery), so the clerk's eye moves down the paper and the form
together.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from roi_desk.models.enums import INFO_TYPES, Channel, DeliveryMethod, PartyRole, RequestKind
from roi_desk.services.intake import IntakeForm, PartyInput
from roi_desk.ui.date_field import DateField, DateTimeField
from roi_desk.ui.intake.check_keys import CheckGroupKeys
from roi_desk.ui.intake.fields import Field
from roi_desk.ui.intake.patient_match import Lookup, PatientMatchPanel

#: the role a requester most likely has for each kind of request (the clerk may change it)
DEFAULT_ROLE: dict[RequestKind, PartyRole] = {
    RequestKind.PATIENT: PartyRole.PATIENT,
    RequestKind.PERSONAL_REPRESENTATIVE: PartyRole.PARENT,
    RequestKind.THIRD_PARTY: PartyRole.ATTORNEY,
    RequestKind.PROVIDER: PartyRole.PROVIDER,
    RequestKind.LEGAL: PartyRole.ATTORNEY,
    RequestKind.AUTOPSY: PartyRole.EXECUTOR,
    RequestKind.TRANSFER: PartyRole.PROVIDER,
}


LabelMaker = Callable[[str, QWidget], QLabel]
_LABEL_ALIGN = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop


FIELD_NAMES: dict[str, str] = {
    "family_name": "last name",
    "given_name": "first name",
    "date_of_birth": "date of birth",
    "phone": "phone",
    "patient_address": "patient's address",
    "received_at": "date received",
    "create_patient_mrn": "patient",
    "info_types": "information requested",
    "info_description": "description",
    "date_from": "dates from",
    "date_to": "dates to",
    "purpose": "purpose",
    "delivery_method": "delivery",
    "notes": "notes",
}
PARTY_FIELD_NAMES: dict[str, str] = {
    "address_line1": "address",
    "address_line2": "address",
    "postal_code": "ZIP",
}


def _combo(parent: QWidget, items: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox(parent)
    for value, label in items:
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


class SectionTitle(QLabel):
    """A quiet heading with a rule under it (lighter than a group box's frame)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("sectionTitle")


class PartyFields:
    """Name, organization, role, address and contact lines of a requester or recipient."""

    def __init__(self, parent: QWidget, prefix: str, *, mnemonics: bool) -> None:
        self.prefix = prefix

        def m(text: str, plain: str) -> str:
            return text if mnemonics else plain

        self.name = QLineEdit(parent)
        self.organization = QLineEdit(parent)
        self.role = _combo(parent, [(r.value, r.label) for r in PartyRole])
        self.address_line1 = QLineEdit(parent)
        self.address_line2 = QLineEdit(parent)
        self.city = QLineEdit(parent)
        self.state = QLineEdit(parent)
        self.state.setMaxLength(2)
        self.state.setFixedWidth(44)
        self.postal_code = QLineEdit(parent)
        self.postal_code.setMaxLength(10)
        self.postal_code.setFixedWidth(92)
        self.phone = QLineEdit(parent)
        self.fax = QLineEdit(parent)
        self.email = QLineEdit(parent)
        self.address_line1.setPlaceholderText("Street and number, PO box")
        self.address_line2.setPlaceholderText("Suite, floor, attention (optional)")
        self.state.setPlaceholderText("MA")
        self.state.textEdited.connect(
            lambda t: self.state.setText(t.upper()) if t != t.upper() else None
        )
        for key in self.keys():
            getattr(self, key).setAccessibleName(f"{prefix.capitalize()} {key.replace('_', ' ')}")
        self.fields: dict[str, Field] = {
            key: Field(getattr(self, key), parent) for key in self.keys()
        }
        self.labels = {
            "name": m("Na&me", "Name"),
            "organization": m("&Organization", "Organization"),
            "role": m("Rol&e", "Role"),
            "address_line1": m("&Address", "Address"),
            "address_line2": "",
            "city": m("Cit&y", "City"),
            "state": "State",
            "postal_code": m("&ZIP", "ZIP"),
            "phone": "Phone",
            "fax": "Fax",
            "email": "Email",
        }

    @staticmethod
    def keys() -> tuple[str, ...]:
        return (
            "name",
            "organization",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "phone",
            "fax",
            "email",
            "role",
        )

    def editors(self) -> list[QWidget]:
        """In tab order."""
        return [getattr(self, key) for key in self.keys()]

    def place(self, grid: QGridLayout, row: int, label: LabelMaker) -> int:
        """Lay the fields out in ``grid`` from ``row``; returns the next free row."""

        def add(key: str, r: int, col: int, span: int = 1) -> None:
            text = self.labels[key]
            if text:
                lab = label(text, self.fields[key].editor)
                grid.addWidget(lab, r, col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(self.fields[key], r, col + 1, 1, span)

        # the order of an address on paper: who, where, how to reach them; the role
        # (suggested from the request kind) last, so a jump to the next section skips it
        add("name", row, 0)
        add("organization", row, 2)
        add("address_line1", row + 1, 0, 3)
        add("address_line2", row + 2, 0, 3)
        add("city", row + 3, 0)
        city_tail = QWidget(grid.parentWidget())
        tail = QHBoxLayout(city_tail)
        tail.setContentsMargins(0, 0, 0, 0)
        tail.setSpacing(6)
        state_label = label(self.labels["state"], self.state)
        zip_label = label(self.labels["postal_code"], self.postal_code)
        tail.addWidget(state_label)
        tail.addWidget(self.fields["state"])
        tail.addSpacing(6)
        tail.addWidget(zip_label)
        tail.addWidget(self.fields["postal_code"], 1)
        grid.addWidget(city_tail, row + 3, 2, 1, 2)
        add("phone", row + 4, 0)
        add("fax", row + 4, 2)
        add("email", row + 5, 0)
        add("role", row + 5, 2)
        return row + 6

    def value(self) -> PartyInput:
        return PartyInput(
            name=self.name.text(),
            organization=self.organization.text(),
            role=PartyRole(self.role.currentData()),
            address_line1=self.address_line1.text(),
            address_line2=self.address_line2.text(),
            city=self.city.text(),
            state=self.state.text(),
            postal_code=self.postal_code.text(),
            phone=self.phone.text(),
            fax=self.fax.text(),
            email=self.email.text(),
        )

    def clear(self) -> None:
        for key in self.keys():
            editor = getattr(self, key)
            if isinstance(editor, QLineEdit):
                editor.clear()
        _select(self.role, PartyRole.OTHER.value)

    def load(self, data: PartyInput) -> None:
        """Show what was keyed before (to correct it)."""
        for key in self.keys():
            editor = getattr(self, key)
            if isinstance(editor, QLineEdit):
                editor.setText(str(getattr(data, key)))
        _select(self.role, PartyRole(data.role).value)

    def set_visible(self, visible: bool) -> None:
        for f in self.fields.values():
            f.setVisible(visible)


class IntakeFormWidget(QWidget):
    """Every field of a new request, in the order of a paper request form.

    Signals: ``patientQueryChanged()`` — the name or date of birth changed (candidates are
    looked up again after a pause).
    """

    patientQueryChanged = Signal()

    def __init__(self, lookup: Lookup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakeForm")
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 6, 14, 10)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(5)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(0, 92)
        grid.setColumnMinimumWidth(2, 92)
        self.fields: dict[str, Field] = {}
        row = 0

        def label(text: str, buddy: QWidget) -> QLabel:
            lab = QLabel(text, self)
            lab.setBuddy(buddy)
            lab.setObjectName("fieldLabel")
            return lab

        def add(key: str, editor: QWidget, text: str, r: int, col: int, span: int = 1) -> None:
            field = Field(editor, self)
            self.fields[key] = field
            if text:
                grid.addWidget(label(text, editor), r, col, _LABEL_ALIGN)
            grid.addWidget(field, r, col + 1, 1, span)

        def section(text: str) -> None:
            nonlocal row
            grid.addWidget(SectionTitle(text, self), row, 0, 1, 4)
            row += 1

        # -- patient -------------------------------------------------------------------
        section("Patient")
        self.family_name = QLineEdit(self)
        self.given_name = QLineEdit(self)
        self.date_of_birth = DateField(self, past=True)
        self.phone = QLineEdit(self)
        self.phone.setPlaceholderText("(617) 555-0100")
        add("family_name", self.family_name, "&Last name", row, 0)
        add("given_name", self.given_name, "&First name", row, 2)
        row += 1
        add("date_of_birth", self.date_of_birth, "Date of &birth", row, 0)
        add("phone", self.phone, "P&hone", row, 2)
        row += 1
        # the patient's own address: the accounting of disclosures is mailed to her
        self.patient_address = QLineEdit(self)
        self.patient_address.setPlaceholderText(
            "Street, city, state ZIP (for letters to the patient)"
        )
        self.patient_address.setMaxLength(400)
        self.patient_address.setAccessibleName("Patient address")
        add("patient_address", self.patient_address, "Mailing address", row, 0, 3)
        row += 1
        self.match = PatientMatchPanel(lookup, self)
        grid.addWidget(self.match, row, 1, 1, 3)
        self.fields["create_patient_mrn"] = self.match.mrn_field
        row += 1
        for editor in (self.family_name, self.given_name):
            editor.textChanged.connect(self._query_changed)
        self.date_of_birth.edit.textChanged.connect(self._query_changed)

        # -- request -------------------------------------------------------------------
        section("Request")
        # one text field, one Tab stop (a QDateTimeEdit took a Tab per part)
        self.received_at = DateTimeField(datetime.now(), self)
        self.channel = _combo(self, [(c.value, c.label) for c in Channel])
        self.kind = _combo(self, [(k.value, k.label) for k in RequestKind])
        add("received_at", self.received_at, "&Received", row, 0)
        add("channel", self.channel, "&Channel", row, 2)
        row += 1
        add("kind", self.kind, "Request &kind", row, 0, 3)
        row += 1
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._role_chosen = False  # set once the clerk picks a requester role by hand

        # -- requester -----------------------------------------------------------------
        section("Requester")
        self.requester = PartyFields(self, "requester", mnemonics=True)
        self.requester.role.activated.connect(self._role_picked)
        row = self.requester.place(grid, row, label)
        for key, f in self.requester.fields.items():
            self.fields[f"requester.{key}"] = f

        # -- recipient -----------------------------------------------------------------
        section("Recipient")
        self.same_recipient = QCheckBox("Send the records to the re&quester", self)
        self.same_recipient.setChecked(True)
        grid.addWidget(self.same_recipient, row, 1, 1, 3)
        row += 1
        self.recipient_box = QFrame(self)
        self.recipient = PartyFields(self.recipient_box, "recipient", mnemonics=False)
        box_grid = QGridLayout(self.recipient_box)
        box_grid.setContentsMargins(0, 0, 0, 0)
        box_grid.setHorizontalSpacing(8)
        box_grid.setVerticalSpacing(5)
        box_grid.setColumnStretch(1, 1)
        box_grid.setColumnStretch(3, 1)
        box_grid.setColumnMinimumWidth(0, 92)
        box_grid.setColumnMinimumWidth(2, 92)

        def box_label(text: str, buddy: QWidget) -> QLabel:
            lab = QLabel(text, self.recipient_box)
            lab.setBuddy(buddy)
            lab.setObjectName("fieldLabel")
            return lab

        self.recipient.place(box_grid, 0, box_label)
        grid.addWidget(self.recipient_box, row, 0, 1, 4)
        row += 1
        for key, f in self.recipient.fields.items():
            self.fields[f"recipient.{key}"] = f
        self.recipient_box.setVisible(False)
        self.same_recipient.toggled.connect(lambda same: self.recipient_box.setVisible(not same))

        # -- information requested -----------------------------------------------------
        section("Information requested")
        info = QWidget(self)
        info_grid = QGridLayout(info)
        info_grid.setContentsMargins(0, 0, 0, 0)
        info_grid.setHorizontalSpacing(12)
        info_grid.setVerticalSpacing(2)
        self.info_checks: dict[str, QCheckBox] = {}
        for i, (code, text) in enumerate(INFO_TYPES.items()):
            check = QCheckBox(text, info)
            check.setObjectName(f"info_{code}")
            self.info_checks[code] = check
            info_grid.addWidget(check, i // 2, i % 2)
        self.info_keys = CheckGroupKeys(list(self.info_checks.values()), columns=2, parent=self)
        # the label's buddy is the group, not a box: a QLabel whose buddy is a button
        # CLICKS it on Alt+key, which ticked "Abstract" whenever the clerk pressed Alt+I.
        # The group passes the focus on to the box last used.
        info.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        info.setFocusProxy(self.info_keys.current)
        self.info_keys.group = info
        add("info_types", info, "", row, 0, 3)
        grid.addWidget(
            label("&Information", info),
            row,
            0,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
        )
        row += 1
        self.info_description = QLineEdit(self)
        self.info_description.setPlaceholderText(
            "As written on the request, e.g. “all records 2019–2024”"
        )
        add("info_description", self.info_description, "&Description", row, 0, 3)
        row += 1
        self.date_from = DateField(self, past=True)
        self.date_to = DateField(self, past=True)
        add("date_from", self.date_from, "Dates from", row, 0)
        add("date_to", self.date_to, "to", row, 2)
        row += 1
        self.purpose = QLineEdit(self)
        self.purpose.setPlaceholderText("e.g. continuing care, legal, insurance, personal use")
        add("purpose", self.purpose, "&Purpose", row, 0, 3)
        row += 1

        # -- delivery and notes --------------------------------------------------------
        section("Delivery")
        self.delivery_method = _combo(self, [(d.value, d.label) for d in DeliveryMethod])
        add("delivery_method", self.delivery_method, "Deli&very", row, 0)
        row += 1
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)  # Tab moves on; notes rarely need a tab character
        self.notes.setFixedHeight(54)
        add("notes", self.notes, "No&tes", row, 0, 3)
        row += 1
        grid.setRowStretch(row, 1)

        self._set_tab_order()
        self._kind_changed()

    # -- behaviour ---------------------------------------------------------------------

    def _query_changed(self) -> None:
        self.match.set_query(
            self.family_name.text(), self.given_name.text(), self.date_of_birth.date()
        )
        self.patientQueryChanged.emit()

    def _kind_changed(self) -> None:
        kind = RequestKind(self.kind.currentData())
        # suggest the usual role, but never overwrite one the clerk chose for this request
        if not self._role_chosen:
            _select(self.requester.role, DEFAULT_ROLE[kind].value)
        self.purpose.setPlaceholderText(
            "At the request of the individual"
            if kind == RequestKind.PATIENT
            else "Required: e.g. continuing care, legal, insurance"
        )

    def _role_picked(self, _index: int) -> None:
        self._role_chosen = True

    def label_of(self, key: str) -> str:
        """The name a clerk sees for a field key (for the "please fix" summary)."""
        if key in FIELD_NAMES:
            return FIELD_NAMES[key]
        party, _, part = key.partition(".")
        return f"{party} {PARTY_FIELD_NAMES.get(part, part.replace('_', ' '))}".strip()

    def editors_in_order(self) -> list[QWidget]:
        """Every widget that can take the focus, in the order of the paper form."""
        order: list[QWidget] = [
            self.family_name,
            self.given_name,
            self.date_of_birth.edit,
            self.phone,
            self.patient_address,
            self.match.candidates,
            self.match.match_radio,
            self.match.new_radio,
            self.match.later_radio,
            self.match.mrn,
            self.received_at.edit,
            self.channel,
            self.kind,
        ]
        for party in (self.requester, self.recipient):
            order += party.editors()
            if party is self.requester:
                order.append(self.same_recipient)
        order += list(self.info_checks.values())
        order += [
            self.info_description,
            self.date_from.edit,
            self.date_to.edit,
            self.purpose,
            self.delivery_method,
            self.notes,
        ]
        return order

    def _set_tab_order(self) -> None:
        order = self.editors_in_order()
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _tab_stops(self) -> list[QWidget]:
        """Where Tab stops now: visible, enabled fields, in the order of the paper form.

        Every Tab a clerk presses a hundred times a day should land on something to type:
        an empty candidate list, the radio buttons once a candidate is picked (picking one
        is the choice), the MRN unless a new patient is chosen, and all but one of the
        "information requested" boxes (arrows and type-ahead move among them) are skipped.
        """
        match = self.match
        radios = (match.match_radio, match.new_radio, match.later_radio)
        picked = match.chosen_patient_id() is not None
        stops: list[QWidget] = []
        for w in self.editors_in_order():
            if w is match.candidates and match.candidates.topLevelItemCount() == 0:
                continue
            if w in radios and (picked or not w.isChecked()):
                continue
            if w is match.mrn and not match.new_radio.isChecked():
                continue
            if w in self.info_keys.checks and w is not self.info_keys.current:
                continue
            if w.isVisibleTo(self) and w.isEnabled():
                stops.append(w)
        return stops

    def focusNextPrevChild(self, next: bool) -> bool:
        # Qt's own focus chain is built from widget creation and nesting (the fields sit
        # in wrappers and a sub-panel), so the form walks its explicit order instead.
        # Falling back to Qt's chain once sent Tab to a hidden recipient field and the
        # clerk's typing with it: from any widget of the form, the next stop is the next
        # VISIBLE one in the explicit order.
        current = QApplication.focusWidget()
        order = self.editors_in_order()
        if current not in order:
            return super().focusNextPrevChild(next)
        stops = self._tab_stops()
        position = order.index(current)
        ranked = [(order.index(w), w) for w in stops]
        if next:
            after = [w for i, w in ranked if i > position]
            target = after[0] if after else None
        else:
            before = [w for i, w in ranked if i < position]
            target = before[-1] if before else None
        if target is None:
            return super().focusNextPrevChild(next)
        target.setFocus(
            Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason
        )
        return True

    # -- reading and showing -----------------------------------------------------------

    def local_errors(self) -> dict[str, str]:
        """What the widgets know is wrong before the core is asked (unreadable dates)."""
        problems: dict[str, str] = {}
        for key, editor in (
            ("date_of_birth", self.date_of_birth),
            ("date_from", self.date_from),
            ("date_to", self.date_to),
        ):
            problem = editor.problem()
            if problem:
                problems[key] = problem
        received = self.received_at.problem()
        if received:
            problems["received_at"] = received
        if self.match.match_radio.isChecked() and self.match.chosen_patient_id() is None:
            problems["create_patient_mrn"] = "Select the patient in the list above."
        if self.match.new_radio.isChecked() and not self.match.mrn.text().strip():
            problems["create_patient_mrn"] = "Enter the new patient's MRN."
        return problems

    def value(self) -> IntakeForm:
        # an unreadable time is reported by local_errors; the form is never saved with it
        received = self.received_at.value() or datetime.now()
        return IntakeForm(
            family_name=self.family_name.text(),
            given_name=self.given_name.text(),
            date_of_birth=self.date_of_birth.date(),
            phone=self.phone.text(),
            patient_address=self.patient_address.text(),
            channel=Channel(self.channel.currentData()),
            kind=RequestKind(self.kind.currentData()),
            # the clock starts at the local time of receipt; stored in UTC by the model
            received_at=received.astimezone(),
            requester=self.requester.value(),
            recipient_same_as_requester=self.same_recipient.isChecked(),
            recipient=self.recipient.value(),
            purpose=self.purpose.text(),
            info_types=[code for code, check in self.info_checks.items() if check.isChecked()],
            info_description=self.info_description.text(),
            date_from=self.date_from.date(),
            date_to=self.date_to.date(),
            delivery_method=DeliveryMethod(self.delivery_method.currentData()),
            notes=self.notes.toPlainText(),
            patient_id=self.match.chosen_patient_id(),
            create_patient_mrn=self.match.new_mrn(),
        )

    def show_errors(self, problems: dict[str, str]) -> QWidget | None:
        """Mark each named field (and clear the others); returns the first one to fix."""
        first: QWidget | None = None
        if any(k.startswith("recipient.") for k in problems):
            self.same_recipient.setChecked(False)
        for key, field in self.fields.items():
            message = problems.get(key)
            field.set_error(message)
        for key in self.fields:
            # the first in tab order, so Enter-fix-Tab walks the errors top to bottom
            if key in problems:
                editor = self.fields[key].editor
                if first is None or self._tab_index(editor) < self._tab_index(first):
                    first = editor
        return first

    def _tab_index(self, editor: QWidget) -> int:
        order = self.editors_in_order()
        # a date field takes the focus through its text part
        editor = editor.focusProxy() or editor
        if editor in order:
            return order.index(editor)
        if editor is self.fields["info_types"].editor:
            return order.index(next(iter(self.info_checks.values())))
        return len(order)

    def clear_errors(self) -> None:
        for field in self.fields.values():
            field.set_error(None)

    def set_read_only(self, read_only: bool) -> None:
        """After saving the form is a record of what was logged, not an editor."""
        for editor in self.editors_in_order():
            if isinstance(editor, QLineEdit | QPlainTextEdit):
                editor.setReadOnly(read_only)
            else:
                editor.setEnabled(not read_only)
        for field in (self.date_of_birth, self.date_from, self.date_to):
            field.button.setEnabled(not read_only)

    def load(self, form: IntakeForm) -> None:
        """Fill the fields with a logged request's keyed data (to correct it)."""
        self.family_name.setText(form.family_name)
        self.given_name.setText(form.given_name)
        self.date_of_birth.set_date(form.date_of_birth)
        self.phone.setText(form.phone)
        self.patient_address.setText(form.patient_address)
        if form.received_at is not None:
            self.received_at.set_value(form.received_at.astimezone().replace(tzinfo=None))
        _select(self.channel, Channel(form.channel).value)
        self._role_chosen = True  # the stored role is the clerk's, not a suggestion
        _select(self.kind, RequestKind(form.kind).value)
        self.requester.load(form.requester)
        self.same_recipient.setChecked(form.recipient_same_as_requester)
        self.recipient.load(form.recipient)
        for code, check in self.info_checks.items():
            check.setChecked(code in form.info_types)
        self.info_description.setText(form.info_description)
        self.date_from.set_date(form.date_from)
        self.date_to.set_date(form.date_to)
        self.purpose.setText(form.purpose)
        _select(self.delivery_method, DeliveryMethod(form.delivery_method).value)
        self.notes.setPlainText(form.notes)

    def reset(self) -> None:
        """Empty, for the next request (received time back to now)."""
        for editor in (
            self.family_name,
            self.given_name,
            self.phone,
            self.patient_address,
            self.info_description,
            self.purpose,
        ):
            editor.clear()
        for day in (self.date_of_birth, self.date_from, self.date_to):
            day.clear()
        self.notes.clear()
        self.requester.clear()
        self.recipient.clear()
        self.same_recipient.setChecked(True)
        for check in self.info_checks.values():
            check.setChecked(False)
        self.received_at.set_value(datetime.now())
        self.channel.setCurrentIndex(0)
        self.kind.setCurrentIndex(0)
        self.delivery_method.setCurrentIndex(0)
        self.match.reset()
        self._role_chosen = False
        self.clear_errors()
        self._kind_changed()
