"""The Request tab shows the patient's mailing address and phone and fax numbers as the
letters print them ("(617) 555-0199"), not as typed (issue 17, seen in the real window)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from roi_desk.services import intake
from roi_desk.services.intake import PartyInput
from roi_desk.services.users import current_user
from roi_desk.ui.context import AppContext
from roi_desk.ui.request_view import RequestView
from tests.ui.workers import wait_for_workers
from tests.unit.test_intake import RECEIVED, _form


@pytest.fixture(autouse=True)
def _close_views() -> Iterator[None]:
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, RequestView):
            widget.close()


def _field(view: RequestView, name: str) -> str:
    label = view.findChild(QLabel, f"field_{name}")
    assert isinstance(label, QLabel), name
    return label.text()


def test_mailing_address_and_formatted_numbers(qtbot: QtBot, ctx: AppContext) -> None:
    form = _form(
        phone="6175550101",
        patient_address="12 Elm St, Quincy, MA 02169",
        requester=PartyInput(
            name="Dana Law LLP",
            address_line1="1 Court St",
            city="Boston",
            state="MA",
            postal_code="02108",
            phone="617.555.0199",
            fax="6175550198",
        ),
    )
    with ctx.db.transaction() as s:
        rid = intake.save_request(s, form, user=current_user(s, ctx.username), now=RECEIVED).id
    view = RequestView(ctx, rid)
    view.show()
    qtbot.waitExposed(view)
    wait_for_workers(ctx)
    mailing = _field(view, "mailing_address")
    assert "12 Elm St, Quincy, MA 02169" in mailing  # kept on the unmatched request
    assert "Phone (617) 555-0101" in mailing
    requester = _field(view, "requester")
    assert "Phone (617) 555-0199" in requester and "Fax (617) 555-0198" in requester
    assert "6175550198" not in requester
