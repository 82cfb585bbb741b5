"""Building an intake dialog over a real encrypted database, and typing into it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from roi_desk.models import Patient
from roi_desk.services.users import current_user
from roi_desk.storage import Database
from roi_desk.ui.context import AppContext
from roi_desk.ui.intake import IntakeDialog

from ..workers import real_runner, wait_for_workers


def make_context(db: Database, username: str = "clerk1") -> AppContext:
    with db.transaction() as session:
        user = current_user(session, username)
        user_id, display, role = user.id, user.display_name, str(user.role)
    return AppContext(
        db=db,
        user_id=user_id,
        username=username,
        display_name=display,
        role=role,
        runner=real_runner(),
    )


def add_patient(db: Database, mrn: str, family: str, given: str, dob: date) -> Patient:
    with db.transaction() as session:
        patient = Patient(mrn=mrn, date_of_birth=dob)
        patient.set_names(family, given)
        session.add(patient)
    return patient


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Focus a field the way Tab would and type, as a clerk does (into a date field's
    text part: the widget that takes its focus)."""
    target = widget.focusProxy() or widget
    target.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(target, text)


def fill_typical_request(qtbot: QtBot, dialog: IntakeDialog) -> None:
    """An attorney's faxed request for a patient, keyed in field by field."""
    f = dialog.form
    type_into(qtbot, f.family_name, "Okafor")
    type_into(qtbot, f.given_name, "Ngozi")
    type_into(qtbot, f.date_of_birth, "8/14/1971")
    type_into(qtbot, f.phone, "617-555-0187")
    type_into(qtbot, f.requester.name, "Dana Whitfield")
    type_into(qtbot, f.requester.organization, "Whitfield & Crane LLP")
    type_into(qtbot, f.requester.address_line1, "40 Court Street")
    type_into(qtbot, f.requester.city, "Boston")
    type_into(qtbot, f.requester.state, "ma")
    type_into(qtbot, f.requester.postal_code, "02108")
    type_into(qtbot, f.requester.fax, "617-555-0142")
    type_into(qtbot, f.purpose, "Personal injury claim")
    f.info_checks["lab"].setFocus()
    qtbot.keyClick(f.info_checks["lab"], Qt.Key.Key_Space)
    type_into(qtbot, f.info_description, "Labs 2023 to present")
    wait_for_workers(dialog.ctx)  # the patient look-up answers as the clerk types
