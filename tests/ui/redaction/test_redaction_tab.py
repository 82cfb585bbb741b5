"""The clerk at the Redaction tab: proposals shown as proposals, a box drawn and moved with
the mouse, undo and redo, a proposal confirmed from the keyboard, and the result applied."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from roi_desk.models.redaction import BoxStatus, SetStatus
from roi_desk.services import redaction as svc
from roi_desk.services.documents import load_bytes
from roi_desk.services.redaction import sets
from roi_desk.ui.context import AppContext
from roi_desk.ui.redaction import RedactionTab
from roi_desk.ui.redaction.items import BoxItem
from roi_desk.ui.redaction.thumbnails import MarksRole
from tests.ui.workers import wait_for_workers
from tests.unit.redaction.pdfgen import text_pdfium
from tests.unit.redaction_service.chart import (
    attach,
    chart_pdf,
    clerk,
    image_only_pdf,
    make_request,
)


def _request(ctx: AppContext, data: bytes, categories: list[str]) -> uuid.UUID:
    with ctx.db.transaction() as s:
        user = clerk(s, ctx.username)
        req = make_request(s)
        attach(s, req, data)
        svc.open_set(s, req.id, user=user, categories=categories)
        return req.id


def _tab(qtbot: QtBot, ctx: AppContext, request_id: uuid.UUID, **kwargs: Any) -> RedactionTab:
    tab = RedactionTab(ctx, request_id, **kwargs)
    qtbot.addWidget(tab)
    tab.errors = []  # type: ignore[attr-defined]
    tab.error_presenter = lambda _w, exc: tab.errors.append(exc)  # type: ignore[attr-defined]
    tab.asked = []  # type: ignore[attr-defined]

    def reason(_w: QWidget, choices: Any, suggested: Any) -> tuple[str, str]:
        tab.asked.append((list(choices), list(suggested)))  # type: ignore[attr-defined]
        return ("hiv", "")

    tab.box_reason_provider = reason
    tab.resize(1300, 850)
    tab.show()
    qtbot.waitExposed(tab)
    wait_for_workers(ctx)  # the pages are open and the proposals found
    return tab


@pytest.fixture
def tab(qtbot: QtBot, empty_ctx: AppContext) -> Iterator[RedactionTab]:
    tab = _tab(qtbot, empty_ctx, _request(empty_ctx, chart_pdf(), ["hiv"]))
    yield tab
    tab.release()


def _vp(tab: RedactionTab, x: float, y: float) -> QPoint:
    """A point of the page (points, as shown) in viewport pixels."""
    return tab.page_view.mapFromScene(QPointF(x, y))


def _drag(qtbot: QtBot, tab: RedactionTab, a: tuple[float, float], b: tuple[float, float]) -> None:
    vp = tab.page_view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=_vp(tab, *a))
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    qtbot.mouseMove(vp, pos=_vp(tab, *mid))
    qtbot.mouseMove(vp, pos=_vp(tab, *b))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=_vp(tab, *b))


def _clerk_boxes(tab: RedactionTab) -> list[svc.BoxView]:
    assert tab.view is not None
    return [b for b in tab.view.boxes if b.proposed_by.startswith("clerk:")]


def test_proposals_are_drawn_as_proposals_on_open(tab: RedactionTab) -> None:
    assert tab.view is not None
    proposals = tab.view.proposals
    assert len(proposals) >= 2 and all(b.page == 0 for b in proposals)
    items = list(tab.page_view.boxes.values())
    assert items and all(isinstance(i, BoxItem) and i.proposal for i in items)
    assert "proposal(s) wait for a decision" in tab.banner.text()
    marks = tab.thumb_model.index(0, 0).data(MarksRole)
    assert marks == (len(proposals), 0, False)


def test_draw_a_box_move_it_undo_redo(qtbot: QtBot, tab: RedactionTab) -> None:
    _drag(qtbot, tab, (300, 400), (420, 440))
    (drawn,) = _clerk_boxes(tab)
    assert drawn.status == BoxStatus.CONFIRMED and drawn.reason == "hiv"
    # the page is 792 pt high: view y 400..440 is PDF y 352..392
    x0, y0, x1, y1 = drawn.rect
    assert abs(x0 - 300) < 2 and abs(x1 - 420) < 2 and abs(y0 - 352) < 2 and abs(y1 - 392) < 2
    item = tab.page_view.boxes[drawn.id]
    assert not item.proposal

    _drag(qtbot, tab, (360, 420), (400, 380))  # grab the middle, move right 40 and up 40
    (moved,) = _clerk_boxes(tab)
    assert moved.id == drawn.id
    assert abs(moved.rect[0] - (x0 + 40)) < 2 and abs(moved.rect[1] - (y0 + 40)) < 2

    qtbot.keyClick(tab.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _clerk_boxes(tab)[0].rect == drawn.rect  # the move undone
    qtbot.keyClick(
        tab.page_view,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert _clerk_boxes(tab)[0].rect == moved.rect  # and redone
    tab.undo_stack.undo()
    tab.undo_stack.undo()
    assert _clerk_boxes(tab) == []  # the drawing undone too
    tab.undo_stack.redo()
    assert [b.id for b in _clerk_boxes(tab)] == [drawn.id]  # back under its own id


def test_confirm_a_proposal_from_the_keyboard(qtbot: QtBot, tab: RedactionTab) -> None:
    assert tab.view is not None
    before = len(tab.view.proposals)
    qtbot.keyClick(tab.page_view, Qt.Key.Key_N)
    (selected,) = tab.page_view.selected_ids()
    qtbot.keyClick(tab.page_view, Qt.Key.Key_C)
    box = tab.view.box(selected)
    assert box is not None and box.status == BoxStatus.CONFIRMED
    assert box.confirmed_by == tab.ctx.username
    assert not tab.page_view.boxes[selected].proposal  # now drawn as a black box
    assert len(tab.view.proposals) == before - 1
    assert tab.page_view.selected_ids() != [selected]  # the next proposal is up
    qtbot.keyClick(tab.page_view, Qt.Key.Key_R)
    assert len(tab.view.proposals) == before - 2
    tab.undo_stack.undo()  # the rejection undone: a proposal again
    assert len(tab.view.proposals) == before - 1


def test_confirm_all_and_apply_through_the_inline_runner(qtbot: QtBot, tab: RedactionTab) -> None:
    tab.apply()  # refused while proposals wait
    assert "before applying" in tab.status.text()
    qtbot.keyClick(
        tab.page_view,
        Qt.Key.Key_Return,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert tab.view is not None and tab.view.proposals == []
    tab.go_to_page(2)
    tab.toggle_exclude_page("Not part of the request")
    wait_for_workers(tab.ctx)
    assert tab.thumb_model.index(2, 0).data(MarksRole)[2] is True
    changed: list[int] = []
    tab.changed.connect(lambda: changed.append(1))
    tab.apply()
    wait_for_workers(tab.ctx)
    assert tab.errors == []  # type: ignore[attr-defined]
    assert tab.view.status == SetStatus.VERIFIED
    # the clerk now looks at the verified result, in plain words; hashes stay in the log
    assert tab.showing_result and tab.page_view.read_only
    assert "Showing the redacted result — verified" in tab.banner.text()
    assert "SHA" not in tab.banner.text() and "SHA" not in tab.status.text()
    assert tab.result_pages is not None and tab.result_pages.page_count == 2  # page 3 left out
    assert tab.thumb_model.rowCount() == 2
    assert tab.view.output_sha256 and tab.view.output_sha256[:32] in tab.log_panel.summary.text()
    assert tab.log_panel.model.rowCount() == len(tab.view.boxes)
    assert changed
    with tab.ctx.db.transaction() as s:
        assert tab.view.output_document_id is not None
        output = load_bytes(s, tab.view.output_document_id)
    text = "".join(text_pdfium(output).split()).lower()
    assert "viralload" not in text and "bloodpressurenormaltoday" in text
    qtbot.keyClick(tab.page_view, Qt.Key.Key_V)  # back to the draft
    assert not tab.showing_result and tab.thumb_model.rowCount() == 3
    assert "<b>Verified</b>: the redacted copy is stored and checked" in tab.banner.text()
    qtbot.keyClick(tab.page_view, Qt.Key.Key_V)
    assert tab.showing_result
    qtbot.keyClick(tab.page_view, Qt.Key.Key_V)
    _drag(qtbot, tab, (300, 400), (420, 440))  # an edit after verification
    assert tab.view.status == SetStatus.DRAFT
    assert "Changed since it was verified" in tab.banner.text()
    tab.act_result.trigger()
    assert not tab.showing_result and "no verified result yet" in tab.status.text()


def test_whole_page_and_every_occurrence(qtbot: QtBot, tab: RedactionTab) -> None:
    tab.go_to_page(1)
    tab.redact_whole_page()
    wait_for_workers(tab.ctx)
    (whole,) = _clerk_boxes(tab)
    assert whole.page == 1 and whole.rect == (0, 0, 612, 792)
    tab.find_edit.setText("blood pressure")
    tab.redact_every_occurrence()
    wait_for_workers(tab.ctx)
    boxes = _clerk_boxes(tab)
    assert len(boxes) == 2 and {b.page for b in boxes} == {0, 1}
    tab.undo_stack.undo()
    assert len(_clerk_boxes(tab)) == 1


def test_a_drawn_box_asks_for_its_reason(qtbot: QtBot, tab: RedactionTab) -> None:
    answers: list[tuple[str, str] | None] = [None, ("other", ""), ("other", "account number")]
    asked: list[list[str]] = []

    def provider(_w: QWidget, choices: Any, suggested: Any) -> tuple[str, str] | None:
        asked.append(list(suggested))
        return answers.pop(0)

    tab.box_reason_provider = provider
    _drag(qtbot, tab, (300, 400), (420, 440))
    assert _clerk_boxes(tab) == [] and "No reason chosen" in tab.status.text()
    assert asked == [["hiv"]]  # the categories not consented are offered first
    _drag(qtbot, tab, (300, 400), (420, 440))
    assert _clerk_boxes(tab) == []
    assert "needs a note" in str(tab.errors[-1])  # type: ignore[attr-defined]
    assert tab.undo_stack.count() == 0  # a refused step never enters the stack
    _drag(qtbot, tab, (300, 400), (420, 440))
    (box,) = _clerk_boxes(tab)
    assert box.reason == "other" and box.note == "account number"


def test_the_reason_panel_lists_the_two_counselling_categories_apart(tab: RedactionTab) -> None:
    codes = [tab.reason_combo.itemData(i) for i in range(tab.reason_combo.count())]
    assert "sexual_assault" in codes and "domestic_violence" in codes
    assert "sexual_assault_dv" not in codes


def test_the_reason_dialog_has_no_default(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from roi_desk.ui.redaction.reason_dialog import ReasonDialog

    # what is offered, and in which order, is the core's (services.redaction)
    choices = svc.offered_reasons(["substance_use"], suggested_first=True)
    dialog = ReasonDialog(None, choices, ["substance_use"])
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.choice() is None and not ok.isEnabled()  # nothing chosen for the clerk
    assert dialog.combo.itemData(1) == "substance_use"
    codes = [dialog.combo.itemData(i) for i in range(dialog.combo.count())]
    assert "sexual_assault" in codes and "domestic_violence" in codes
    assert "sexual_assault_dv" not in codes  # the former combined code is not offered
    dialog.combo.setCurrentIndex(dialog.combo.findData("other"))
    assert not ok.isEnabled()
    dialog.note.setText("account number")
    assert ok.isEnabled() and dialog.choice() == ("other", "account number")


def test_a_section_over_two_pages_is_confirmed_in_one_key_press(
    qtbot: QtBot, empty_ctx: AppContext
) -> None:
    from tests.data.redaction_set.build import build_all

    doc = next(d for d in build_all() if d.name == "section_across_pages")
    tab = _tab(qtbot, empty_ctx, _request(empty_ctx, doc.pdf, ["hiv"]))
    tab.activateWindow()  # shortcuts go to the active window, as on the clerk's screen
    qtbot.waitUntil(tab.isActiveWindow)
    assert tab.view is not None
    section = tab.view.proposals
    assert {b.page for b in section} == {0, 1}
    assert all(":section:" in b.proposed_by for b in section)
    tab.page_view.select(min(section, key=lambda b: b.page).id)
    tab._on_selection()
    info = tab.box_info.text()
    assert "Section — HIV/AIDS test results: heading “hiv care”" in info
    assert "2 boxes on pages 1, 2; G confirms them all" in info
    qtbot.keyClick(tab.page_view, Qt.Key.Key_G)
    assert tab.view.proposals == []
    assert all(b.status == BoxStatus.CONFIRMED for b in tab.view.boxes)
    tab.release()


def test_a_whole_record_is_confirmed_in_one_key_press(qtbot: QtBot, empty_ctx: AppContext) -> None:
    from tests.data.redaction_set.build import build_all

    doc = next(d for d in build_all() if d.name == "part2_program_note")
    tab = _tab(qtbot, empty_ctx, _request(empty_ctx, doc.pdf, ["substance_use"]))
    tab.activateWindow()  # shortcuts go to the active window, as on the clerk's screen
    qtbot.waitUntil(tab.isActiveWindow)
    assert tab.view is not None
    record = tab.view.proposals
    assert {b.page for b in record} == {0, 1}
    assert all(":document:doc:substance_use|" in b.proposed_by for b in record)
    qtbot.keyClick(tab.page_view, Qt.Key.Key_N)
    assert "Whole record — Substance use disorder" in tab.box_info.text()
    assert "2 boxes on pages 1, 2; G confirms them all" in tab.box_info.text()
    qtbot.keyClick(tab.page_view, Qt.Key.Key_G)
    assert tab.view.proposals == []
    assert "Confirmed 2 box(es) of this whole record" in tab.status.text()
    tab.undo_stack.undo()
    assert len(tab.view.proposals) == 2
    tab.release()


def test_models_pass_the_model_tester(qtmodeltester: Any, tab: RedactionTab) -> None:
    qtmodeltester.check(tab.thumb_model)
    qtmodeltester.check(tab.log_panel.model)


def test_encrypted_pdf_asks_for_the_password(qtbot: QtBot, empty_ctx: AppContext) -> None:
    buf = io.BytesIO()
    with pikepdf.open(io.BytesIO(chart_pdf())) as pdf:
        pdf.save(buf, encryption=pikepdf.Encryption(owner="own", user="s3cret", R=6))
    rid = _request(empty_ctx, buf.getvalue(), ["hiv"])
    asked: list[bool] = []

    def provider(_w: QWidget, wrong: bool) -> str | None:
        asked.append(wrong)
        return "nope" if len(asked) == 1 else "s3cret"

    tab = _tab(qtbot, empty_ctx, rid, password_provider=provider)
    assert asked == [False, True]  # asked, then told it was wrong
    assert tab.pages is not None and tab.pages.page_count == 3
    assert tab.view is not None and len(tab.view.proposals) >= 2
    tab.release()


def test_broken_pdf_is_refused_with_a_clear_message(qtbot: QtBot, empty_ctx: AppContext) -> None:
    from roi_desk.models import DocumentKind
    from roi_desk.services.documents import PDF, InspectedFile, store_document

    junk = b"%PDF-1.7\n" + b"\x00garbage" * 50
    with empty_ctx.db.transaction() as s:
        req = make_request(s)
        # stored through the document store (sealed like any document), never inspected:
        # the broken file must reach the workspace as it would from a chart import
        inspected = InspectedFile(PDF, 1, len(junk), sets.sha256(junk))
        store_document(
            s,
            junk,
            kind=DocumentKind.RECORD,
            title="Broken",
            request_id=req.id,
            inspected=inspected,
        )
        rid = req.id
    tab = _tab(qtbot, empty_ctx, rid)
    assert "damaged" in tab.banner.text()
    assert not tab.page_view.isEnabled() and not tab.act_apply.isEnabled()


def test_the_clerk_is_told_when_ocr_is_absent(
    qtbot: QtBot, empty_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    import roi_desk.redaction.proposals as proposals

    monkeypatch.setattr(proposals.shutil, "which", lambda _name: None)
    rid = _request(empty_ctx, image_only_pdf("Started Suboxone this week"), ["substance_use"])
    tab = _tab(qtbot, empty_ctx, rid)
    assert "OCR (tesseract) is not installed" in tab.banner.text()
    assert "draw the boxes by hand" in tab.banner.text()
    tab.release()


def test_screenshot(qtbot: QtBot, tab: RedactionTab, tmp_path: Path) -> None:
    tab.next_proposal()
    tab.confirm_selected()
    _drag(qtbot, tab, (150, 150), (240, 166))
    tab.next_proposal()
    path = tmp_path / "redaction_tab.png"
    assert tab.grab().save(str(path))
    assert path.stat().st_size > 10_000
