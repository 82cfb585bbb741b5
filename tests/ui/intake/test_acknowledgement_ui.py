"""After logging a request the clerk sends the acknowledgement, sees it, and prints it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from roi_desk.errors import ValidationError
from roi_desk.models import Document, DocumentKind, Request
from roi_desk.storage import Database
from roi_desk.ui.intake import IntakeDialog
from roi_desk.ui.intake.letter_preview import LetterPreviewDialog

from .support import fill_typical_request, type_into


class AcceptingPrintDialog:
    """Stands in for QPrintDialog: the clerk picked a printer (here: a PDF file)."""

    def __init__(self, printer: QPrinter, target: Path) -> None:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))

    def exec(self) -> int:
        return int(QDialog.DialogCode.Accepted.value)


def test_acknowledgement_is_created_previewed_and_printed(
    qtbot: QtBot,
    dialog: IntakeDialog,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill_typical_request(qtbot, dialog)
    dialog.save()
    saved = dialog.saved_request
    assert saved is not None

    qtbot.keyClick(dialog.confirmation.ack_button, " ")  # Space presses the focused button
    preview = dialog.letter_preview
    assert isinstance(preview, LetterPreviewDialog)
    assert preview.isVisible()
    assert preview.view.page_count() == 1
    assert "Acknowledgement created" in dialog.confirmation.ack_status.text()
    with db.transaction() as session:
        letters = session.scalars(
            select(Document).where(
                Document.request_id == saved.id, Document.kind == DocumentKind.LETTER
            )
        ).all()
        request = session.get(Request, saved.id)
        assert request is not None and request.acknowledged_at is not None
    assert [d.title for d in letters] == ["Acknowledgement of receipt"]

    target = tmp_path / "printed.pdf"
    monkeypatch.setattr(
        preview, "make_print_dialog", lambda printer: AcceptingPrintDialog(printer, target)
    )
    with qtbot.waitSignal(preview.printed) as printed:
        preview.print_letter()
    assert printed.args == [1]
    assert len(PdfReader(str(target)).pages) == 1

    # showing it again does not create a second letter
    dialog.confirmation.ack_button.click()
    with db.transaction() as session:
        count = len(
            session.scalars(
                select(Document).where(
                    Document.request_id == saved.id, Document.kind == DocumentKind.LETTER
                )
            ).all()
        )
    assert count == 1


def test_requester_without_address_or_fax_is_told_why(
    qtbot: QtBot, dialog: IntakeDialog, shown_errors: list[BaseException]
) -> None:
    f = dialog.form
    type_into(qtbot, f.family_name, "Okafor")
    type_into(qtbot, f.given_name, "Ngozi")
    type_into(qtbot, f.date_of_birth, "08/14/1971")
    type_into(qtbot, f.requester.name, "Ngozi Okafor")
    f.delivery_method.setCurrentIndex(f.delivery_method.findData("pickup"))
    f.info_checks["full_chart"].setChecked(True)
    dialog.save()
    assert dialog.saved_request is not None
    dialog.send_acknowledgement()
    assert [type(e) for e in shown_errors] == [ValidationError]
    assert "mailing address" in str(shown_errors[0])
    assert dialog.letter_preview is None
