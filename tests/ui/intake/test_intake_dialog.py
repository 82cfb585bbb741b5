"""The intake dialog, driven by the keyboard like a clerk logging the morning's faxes."""

from __future__ import annotations

import io
import uuid
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from pytestqt.qtbot import QtBot
from reportlab.pdfgen import canvas
from sqlalchemy import func, select

from roi_desk.dates import US
from roi_desk.errors import DiskFullError, DocumentError
from roi_desk.models import Counter, Document, DocumentKind, Patient, Request, Status
from roi_desk.storage import Database
from roi_desk.ui.intake import IntakeDialog
from roi_desk.ui.intake import dialog as dialog_module
from tests.helpers import SHARED_PDFS
from tests.ui.workers import WAIT_MS, wait_for_workers

from .support import add_patient, fill_typical_request, type_into

MINIMAL_PDF = SHARED_PDFS / "pysf_minimal-document.pdf"
CORRUPT_PDF = SHARED_PDFS / "pdfjs_bug1020226.pdf"
PASSWORD_PDF = SHARED_PDFS / "pysf_libreoffice-writer-password.pdf"


def ctrl(qtbot: QtBot, dialog: IntakeDialog, key: Qt.Key) -> None:
    widget = QApplication.focusWidget() or dialog
    qtbot.keyClick(widget, key, Qt.KeyboardModifier.ControlModifier)


def request_count(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Request)) or 0)


def three_page_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(3):
        c.drawString(72, 720, f"Page {n + 1} of a faxed request (synthetic)")
        c.showPage()
    c.save()
    return buf.getvalue()


# -- keying a request in -------------------------------------------------------------


def test_tab_walks_the_form_in_reading_order(qtbot: QtBot, dialog: IntakeDialog) -> None:
    f = dialog.form
    f.family_name.setFocus()
    expected = [
        f.given_name,
        f.date_of_birth.edit,
        f.phone,
        f.patient_address,  # the accounting of disclosures is mailed there
        f.match.later_radio,
        f.received_at.edit,
    ]
    for widget in expected:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is widget


def test_mnemonic_jumps_to_a_field(qtbot: QtBot, dialog: IntakeDialog) -> None:
    dialog.form.family_name.setFocus()
    qtbot.keyClick(dialog.form.family_name, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialog.form.purpose


def test_keyed_request_is_saved_and_its_number_shown(
    qtbot: QtBot, dialog: IntakeDialog, db: Database
) -> None:
    fill_typical_request(qtbot, dialog)
    assert dialog.form.date_of_birth.date() == date(1971, 8, 14)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        ctrl(qtbot, dialog, Qt.Key.Key_S)
    wait_for_workers(dialog.ctx)

    request_id = saved.args[0]
    assert isinstance(request_id, uuid.UUID)
    with db.transaction() as session:
        request = session.get(Request, request_id)
        assert request is not None
        number, due = request.number, request.due_on
        assert request.status == Status.PENDING  # "match later": the unmatched queue
        assert request.requester is not None
        assert request.requester.state == "MA"
        assert request.info_types == ["lab"]
    headline = dialog.confirmation.headline.text()
    assert f"Request {number} logged" in headline
    assert f"due {due:%m/%d/%Y}" in headline
    assert dialog.confirmation.isVisible()
    assert not dialog.save_button.isVisible()
    assert "unmatched" in dialog.confirmation.details.text()


def test_ctrl_enter_saves_too(qtbot: QtBot, dialog: IntakeDialog) -> None:
    fill_typical_request(qtbot, dialog)
    with qtbot.waitSignal(dialog.saved):
        ctrl(qtbot, dialog, Qt.Key.Key_Return)


def test_enter_in_a_field_does_not_save(qtbot: QtBot, dialog: IntakeDialog) -> None:
    fill_typical_request(qtbot, dialog)
    with qtbot.assertNotEmitted(dialog.saved):
        qtbot.keyClick(dialog.form.purpose, Qt.Key.Key_Return)
    assert dialog.saved_request is None


def test_log_another_gives_an_empty_form(qtbot: QtBot, dialog: IntakeDialog) -> None:
    fill_typical_request(qtbot, dialog)
    dialog.save()
    ctrl(qtbot, dialog, Qt.Key.Key_N)
    assert dialog.saved_request is None
    assert dialog.form.family_name.text() == ""
    assert not dialog.form.family_name.isReadOnly()
    assert dialog.save_button.isVisible()


def test_second_copy_of_a_request_is_flagged_as_duplicate(
    qtbot: QtBot, dialog: IntakeDialog
) -> None:
    fill_typical_request(qtbot, dialog)
    dialog.save()
    first = dialog.saved_request
    assert first is not None
    dialog.log_another()
    fill_typical_request(qtbot, dialog)
    dialog.save()
    assert dialog.confirmation.duplicate.isVisible()
    assert f"Possible duplicate of {first.number}" in dialog.confirmation.duplicate.text()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("03/07/1961", date(1961, 3, 7)),
        ("3/7/1961", date(1961, 3, 7)),
        ("3-7-61", date(1961, 3, 7)),
        ("03071961", date(1961, 3, 7)),
        ("1961-03-07", date(1961, 3, 7)),
        ("02/30/1961", None),
        ("march", None),
    ],
)
def test_dates_are_typed_as_clerks_read_them(typed: str, expected: date | None) -> None:
    assert US.parse(typed, past=True, today=date(2026, 1, 5)) == expected


# -- validation ----------------------------------------------------------------------


def test_validation_marks_fields_and_keeps_what_was_typed(
    qtbot: QtBot, dialog: IntakeDialog, db: Database
) -> None:
    f = dialog.form
    type_into(qtbot, f.given_name, "Ngozi")
    type_into(qtbot, f.date_of_birth, "8/14/1971")
    type_into(qtbot, f.requester.name, "Dana Whitfield")
    f.kind.setCurrentIndex(f.kind.findData("third_party"))
    ctrl(qtbot, dialog, Qt.Key.Key_S)

    assert dialog.saved_request is None
    assert request_count(db) == 0
    fields = f.fields
    for key in ("family_name", "requester.address_line1", "info_types", "purpose"):
        assert fields[key].has_error, key
    assert "last name" in fields["family_name"].error.text()
    assert "mailing address" in fields["requester.address_line1"].error.text()
    assert not fields["given_name"].has_error
    assert f.family_name.property("invalid") is True
    assert dialog.banner.isVisible()
    assert "last name" in dialog.banner.text()
    # the first field to fix has the focus, and nothing typed is lost
    assert QApplication.focusWidget() is f.family_name
    assert f.given_name.text() == "Ngozi"
    assert f.date_of_birth.text() == "08/14/1971"
    assert f.requester.name.text() == "Dana Whitfield"

    # fixing and saving again clears the marks
    type_into(qtbot, f.family_name, "Okafor")
    type_into(qtbot, f.requester.address_line1, "40 Court Street")
    type_into(qtbot, f.requester.city, "Boston")
    type_into(qtbot, f.requester.postal_code, "02108")
    type_into(qtbot, f.purpose, "Insurance claim")
    f.info_checks["full_chart"].setChecked(True)
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert not fields["family_name"].has_error
    assert not dialog.banner.isVisible()


def test_unreadable_date_is_flagged_not_dropped(qtbot: QtBot, dialog: IntakeDialog) -> None:
    fill_typical_request(qtbot, dialog)
    dialog.form.date_of_birth.clear()
    type_into(qtbot, dialog.form.date_of_birth, "14/08/1971")
    dialog.save()
    assert dialog.saved_request is None
    assert "MM/DD/YYYY" in dialog.form.fields["date_of_birth"].error.text()
    assert dialog.form.date_of_birth.text() == "14/08/1971"


def test_recipient_errors_open_the_recipient_block(qtbot: QtBot, dialog: IntakeDialog) -> None:
    fill_typical_request(qtbot, dialog)
    dialog.form.same_recipient.setChecked(False)
    dialog.form.same_recipient.setChecked(True)
    qtbot.keyClick(dialog.form.same_recipient, Qt.Key.Key_Space)  # unticked by keyboard
    assert dialog.form.recipient_box.isVisible()
    dialog.save()
    assert dialog.form.fields["recipient.name"].has_error


# -- the scan ------------------------------------------------------------------------


def test_fax_pdf_is_shown_and_stored_with_the_request(
    qtbot: QtBot, dialog: IntakeDialog, db: Database
) -> None:
    dialog.open_path(MINIMAL_PDF)
    wait_for_workers(dialog.ctx)
    assert dialog.scan is not None
    assert dialog.viewer.page_count() == 1
    assert dialog.viewer.canvas.pixmap() is not None
    assert not dialog.viewer.canvas.pixmap().isNull()
    assert "pysf_minimal-document.pdf" in dialog.scan_label.text()
    fill_typical_request(qtbot, dialog)
    dialog.save()
    saved = dialog.saved_request
    assert saved is not None
    with db.transaction() as session:
        docs = session.scalars(select(Document).where(Document.request_id == saved.id)).all()
        assert [d.kind for d in docs] == [DocumentKind.REQUEST_SCAN]
        assert docs[0].pages == 1


def test_pages_turn_and_zoom_from_the_keyboard(qtbot: QtBot, dialog: IntakeDialog) -> None:
    dialog.attach_scan(three_page_pdf(), "fax.pdf")
    wait_for_workers(dialog.ctx)
    assert dialog.viewer.page_count() == 3
    dialog.form.family_name.setFocus()
    ctrl(qtbot, dialog, Qt.Key.Key_PageDown)
    ctrl(qtbot, dialog, Qt.Key.Key_PageDown)
    assert dialog.viewer.page == 2
    assert dialog.viewer.page_label.text() == "3 / 3"
    ctrl(qtbot, dialog, Qt.Key.Key_PageUp)
    assert dialog.viewer.page == 1
    before = dialog.viewer.zoom()
    ctrl(qtbot, dialog, Qt.Key.Key_Equal)
    assert dialog.viewer.zoom() > before
    width = dialog.viewer.canvas.pixmap().width()
    dialog.viewer.zoom_out()
    dialog.viewer.zoom_out()
    assert dialog.viewer.canvas.pixmap().width() < width
    # typing in a field was not disturbed by the page keys
    assert QApplication.focusWidget() is dialog.form.family_name


def test_multipage_fax_tiff_is_shown(dialog: IntakeDialog) -> None:
    frames = [Image.new("1", (1728, 1100), color=1) for _ in range(2)]
    buf = io.BytesIO()
    frames[0].save(
        buf,
        format="TIFF",
        save_all=True,
        append_images=frames[1:],
        compression="group4",
        dpi=(204, 196),
    )
    dialog.attach_scan(buf.getvalue(), "fax.tif")
    wait_for_workers(dialog.ctx)
    assert dialog.scan is not None
    assert dialog.scan.inspected.media_type == "image/tiff"
    assert dialog.viewer.page_count() == 2
    dialog.viewer.next_page()
    assert dialog.viewer.page == 1
    assert not dialog.viewer.canvas.pixmap().isNull()


@pytest.mark.parametrize(
    ("path", "says"),
    [
        (CORRUPT_PDF, "damaged"),
        (PASSWORD_PDF, "password"),
        (SHARED_PDFS.parent / "SOURCES.md", "not a PDF or TIFF"),
    ],
    ids=["corrupt", "password", "not-a-pdf"],
)
def test_bad_file_is_explained_and_the_form_kept(
    qtbot: QtBot,
    dialog: IntakeDialog,
    shown_errors: list[BaseException],
    path: Path,
    says: str,
) -> None:
    fill_typical_request(qtbot, dialog)
    dialog.open_path(MINIMAL_PDF)
    wait_for_workers(dialog.ctx)
    dialog.open_path(path)
    wait_for_workers(dialog.ctx)
    assert len(shown_errors) == 1
    assert isinstance(shown_errors[0], DocumentError)
    assert says in str(shown_errors[0])
    # the good scan shown before and every typed field are still there
    assert dialog.scan is not None
    assert dialog.scan.filename == MINIMAL_PDF.name
    assert dialog.form.family_name.text() == "Okafor"
    assert dialog.form.requester.name.text() == "Dana Whitfield"
    assert dialog.form.info_checks["lab"].isChecked()
    with qtbot.waitSignal(dialog.saved):
        dialog.save()


def test_missing_file_is_explained(dialog: IntakeDialog, shown_errors: list[BaseException]) -> None:
    dialog.open_path(Path("/nonexistent/request.pdf"))
    wait_for_workers(dialog.ctx)
    assert isinstance(shown_errors[0], DocumentError)
    assert "cannot be read" in str(shown_errors[0])
    assert dialog.scan is None


# -- the patient ---------------------------------------------------------------------


def test_candidates_appear_with_why_and_picking_one_matches(
    qtbot: QtBot, dialog: IntakeDialog, db: Database
) -> None:
    ngozi = add_patient(db, "MRN204811", "Okafor", "Ngozi", date(1971, 8, 14))
    add_patient(db, "MRN377120", "Okafor", "Chidi", date(1971, 8, 14))
    add_patient(db, "MRN118300", "Okafor", "Ngozi", date(1990, 2, 1))
    fill_typical_request(qtbot, dialog)
    match = dialog.form.match
    qtbot.waitUntil(lambda: match.candidates.topLevelItemCount() == 3, timeout=2000)
    rows = [
        [match.candidates.topLevelItem(i).text(c) for c in range(4)]  # type: ignore[union-attr]
        for i in range(3)
    ]
    assert rows[0] == ["MRN204811", "Okafor, Ngozi", "08/14/1971", "name and date of birth"]
    assert rows[1][3] == "last name and date of birth"
    assert rows[2][3] == "name only — date of birth differs"

    # keyboard: into the list, Down selects the first (best) candidate
    match.candidates.setFocus()
    qtbot.keyClick(match.candidates, Qt.Key.Key_Down)
    if match.candidates.currentItem() is not match.candidates.topLevelItem(0):
        qtbot.keyClick(match.candidates, Qt.Key.Key_Home)
    assert match.match_radio.isChecked()
    assert match.chosen_patient_id() == ngozi.id
    assert "MRN204811" in dialog.status.text()

    dialog.save()
    saved = dialog.saved_request
    assert saved is not None and saved.matched
    with db.transaction() as session:
        request = session.get(Request, saved.id)
        assert request is not None
        assert request.patient_id == ngozi.id
        assert request.status == Status.LOGGED
    assert "MRN204811" in dialog.confirmation.details.text()


def test_new_patient_is_created_with_its_mrn(
    qtbot: QtBot, dialog: IntakeDialog, db: Database
) -> None:
    fill_typical_request(qtbot, dialog)
    type_into(qtbot, dialog.form.match.mrn, "mrn-555001")
    assert dialog.form.match.new_radio.isChecked()
    dialog.save()
    saved = dialog.saved_request
    assert saved is not None
    with db.transaction() as session:
        request = session.get(Request, saved.id)
        assert request is not None and request.patient is not None
        assert request.patient.mrn == "MRN-555001"


def test_taken_mrn_is_shown_on_the_mrn_field(
    qtbot: QtBot, dialog: IntakeDialog, db: Database
) -> None:
    add_patient(db, "MRN999", "Someone", "Else", date(1950, 1, 1))
    fill_typical_request(qtbot, dialog)
    type_into(qtbot, dialog.form.match.mrn, "MRN999")
    dialog.save()
    assert dialog.saved_request is None
    assert "taken" in dialog.form.fields["create_patient_mrn"].error.text()
    assert dialog.form.match.mrn.text() == "MRN999"
    assert request_count(db) == 0


def test_chosen_patient_without_a_selection_is_refused(qtbot: QtBot, dialog: IntakeDialog) -> None:
    fill_typical_request(qtbot, dialog)
    dialog.form.match.match_radio.setEnabled(True)
    dialog.form.match.match_radio.setChecked(True)
    dialog.save()
    assert dialog.saved_request is None
    assert "Select the patient" in dialog.form.fields["create_patient_mrn"].error.text()


# -- storage failures ----------------------------------------------------------------


def test_full_disk_on_save_keeps_the_form_and_writes_nothing(
    qtbot: QtBot,
    dialog: IntakeDialog,
    db: Database,
    shown_errors: list[BaseException],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from roi_desk.services import intake

    def full_disk(*_args: object, **_kwargs: object) -> Document:
        # fails late: the request, its parties and its number were already flushed
        raise DiskFullError("The disk is full, so nothing was saved.")

    monkeypatch.setattr(intake, "store_document", full_disk)
    dialog.open_path(MINIMAL_PDF)
    wait_for_workers(dialog.ctx)
    fill_typical_request(qtbot, dialog)
    type_into(qtbot, dialog.form.match.mrn, "MRN777")
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.save()

    assert [type(e) for e in shown_errors] == [DiskFullError]
    assert dialog.saved_request is None
    assert dialog.save_button.isVisible()
    assert dialog.form.family_name.text() == "Okafor"
    assert dialog.scan is not None
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Request)) == 0
        assert session.scalar(select(func.count()).select_from(Patient)) == 0
        assert session.scalar(select(func.count()).select_from(Counter)) == 0

    # space freed: the same form saves, and gets the first number of the year
    monkeypatch.undo()
    dialog.save()
    assert dialog.saved_request is not None
    assert dialog.saved_request.number.endswith("-000001")


def test_unexpected_error_is_reported_and_the_form_kept(
    qtbot: QtBot,
    dialog: IntakeDialog,
    shown_errors: list[BaseException],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> Request:
        raise RuntimeError("bug")

    monkeypatch.setattr(dialog_module, "save_request", broken)
    fill_typical_request(qtbot, dialog)
    dialog.save()
    assert [type(e) for e in shown_errors] == [RuntimeError]
    assert dialog.form.family_name.text() == "Okafor"


# -- closing -------------------------------------------------------------------------


def test_escape_twice_to_discard_typed_work(qtbot: QtBot, dialog: IntakeDialog) -> None:
    type_into(qtbot, dialog.form.family_name, "Okafor")
    qtbot.keyClick(dialog.form.family_name, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert "Esc again" in dialog.banner.text()
    qtbot.keyClick(dialog.form.family_name, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_escape_closes_an_empty_dialog_at_once(qtbot: QtBot, dialog: IntakeDialog) -> None:
    qtbot.keyClick(dialog.form.family_name, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_read_only_after_saving(qtbot: QtBot, dialog: IntakeDialog) -> None:
    fill_typical_request(qtbot, dialog)
    dialog.save()
    assert dialog.form.family_name.isReadOnly()
    assert isinstance(dialog.form.family_name, QLineEdit)
    assert not dialog.form.kind.isEnabled()
