"""The "Send by fax" button beside a letter's Print, for a requester who asked for fax."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from roi_desk.delivery import HotFolderGateway
from roi_desk.models import DeliveryMethod
from roi_desk.services.acknowledgement import send_acknowledgement
from roi_desk.services.users import current_user
from roi_desk.storage import Database
from roi_desk.ui.intake.letter_preview import LetterPreviewDialog
from roi_desk.ui.packet.letter_fax import letter_fax_button
from tests.ui.conftest import make_context
from tests.unit.test_acknowledgement import _form, _log


def _letter(db: Database, method: DeliveryMethod) -> tuple[uuid.UUID, bytes]:
    from roi_desk.services.documents import load_bytes

    request_id = _log(db, _form(delivery_method=method))
    with db.transaction() as session:
        doc = send_acknowledgement(session, request_id, user=current_user(session, "clerk1"))
        return doc.id, load_bytes(session, doc.id)


def test_a_letter_for_a_fax_requester_is_offered_by_fax(
    qtbot: Any, db: Database, tmp_path: Path
) -> None:
    doc_id, pdf = _letter(db, DeliveryMethod.FAX)
    outbox = tmp_path / "fax-outbox"
    outbox.mkdir()
    asked: list[str] = []
    ctx = make_context(db, "clerk1")
    button = letter_fax_button(
        ctx,
        doc_id,
        gateway=HotFolderGateway(outbox),
        confirm=lambda shown: asked.append(shown) or True,
    )
    assert button is not None and "(617) 555-0142" in button.text()
    dialog = LetterPreviewDialog(pdf, "Acknowledgement of receipt", extra_buttons=[button])
    qtbot.addWidget(dialog)
    assert button.parent() is not None  # it sits beside Print
    with qtbot.waitSignal(button.faxed) as sent:
        button.click()
    assert asked == ["(617) 555-0142"]  # the number is shown before anything is sent
    assert sent.args[0].number == "6175550142"
    assert len(list(outbox.glob("*.tif"))) == 1 and "Faxed to" in button.text()


def test_a_letter_for_a_mail_requester_has_no_fax_button(qtbot: Any, db: Database) -> None:
    doc_id, _pdf = _letter(db, DeliveryMethod.MAIL)
    assert letter_fax_button(make_context(db, "clerk1"), doc_id) is None
