"""Every fact the decision needs, entered from the keyboard, and the verdict following it.

Each test starts from a third party's form with every line passed (valid), types one new
fact the way a clerk would (Tab / Alt+letter / Space / arrow keys / digits), and reads the
verdict and the decision's lines with their rules.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from roi_desk.models import Document, DocumentKind, Patient, Request, Status
from roi_desk.models.checklist import FeeQuoteRecord
from roi_desk.ui.checklist import ChecklistPanel
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import DateField
from tests.ui.workers import wait_for_workers

TODAY = dt.date(2026, 12, 4)


def _request(ctx: AppContext, kind: str, *, birth: dt.date | None = None) -> uuid.UUID:
    with ctx.db.transaction() as s:
        rid = s.scalars(
            select(Request.id)
            .join(Document, Document.request_id == Request.id)
            .where(
                Document.kind == DocumentKind.REQUEST_SCAN,
                Request.status == Status.LOGGED,
                Request.kind == kind,
                Request.patient_id.is_not(None),
            )
            .order_by(Request.number)
        ).first()
        assert rid is not None
        if birth is not None:
            req = s.get(Request, rid)
            assert req is not None
            patient = s.get(Patient, req.patient_id)
            assert patient is not None
            patient.date_of_birth = birth
    return rid


def _open(qtbot: QtBot, ctx: AppContext, rid: uuid.UUID) -> ChecklistPanel:
    panel = ChecklistPanel(ctx, rid, today=TODAY)
    qtbot.addWidget(panel)
    panel.resize(1500, 950)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    wait_for_workers(ctx)  # the checklist, the scan and the fee are loaded off the GUI thread
    assert panel.state is not None
    return panel


def _pass_all(qtbot: QtBot, panel: ChecklistPanel) -> None:
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    for _ in range(panel.model.rowCount()):
        qtbot.keyClick(panel.table, Qt.Key.Key_P)
    # the form was signed before it arrived: type the date
    _type_date(qtbot, panel.form.signed_on, panel.draft.facts.received_on - dt.timedelta(days=2))


def _type_date(qtbot: QtBot, field: DateField, day: dt.date) -> None:
    """Type the date as a clerk does (MM/DD/YYYY), then Tab on."""
    field.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.edit, f"{day:%m/%d/%Y}")
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)


def _alt(qtbot: QtBot, panel: ChecklistPanel, key: Qt.Key) -> None:
    qtbot.keyClick(panel, key, Qt.KeyboardModifier.AltModifier)


def _space(qtbot: QtBot, widget: QWidget) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_Space)


def _choose(qtbot: QtBot, combo: QWidget, data: str | None) -> None:
    """Arrow down the combo box until it shows ``data`` (keyboard only)."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):  # type: ignore[attr-defined]
        if combo.currentData() == data:  # type: ignore[attr-defined]
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{data} is not in the list")


@pytest.fixture
def third(qtbot: QtBot, ctx: AppContext) -> ChecklistPanel:
    panel = _open(qtbot, ctx, _request(ctx, "third_party"))
    _pass_all(qtbot, panel)
    assert panel.verdict.text() == "AUTHORIZATION VALID", panel.read_aloud.toPlainText()
    return panel


def _why(panel: ChecklistPanel) -> str:
    return panel.decision_lines.text()


def test_written_revocation_typed_shows_revoked(qtbot: QtBot, third: ChecklistPanel) -> None:
    assert "[45 CFR 164.508(b)(1), (c)]" in _why(third)  # each line with its rule
    _type_date(qtbot, third.form.revoked_on, third.draft.facts.received_on)
    assert third.verdict.text() == "AUTHORIZATION REVOKED"
    assert "revoked this authorization in writing" in third.read_aloud.toPlainText()
    assert "164.508(b)(5)" in _why(third)


def test_signed_after_receipt_is_defective(qtbot: QtBot, third: ChecklistPanel) -> None:
    _type_date(qtbot, third.form.signed_on, third.draft.facts.received_on + dt.timedelta(days=1))
    assert third.verdict.text().startswith("DEFECTIVE")
    assert "after we received" in third.read_aloud.toPlainText()


def test_expiration_event_happened_by_alt_t(qtbot: QtBot, third: ChecklistPanel) -> None:
    _alt(qtbot, third, Qt.Key.Key_T)  # Expiry even&t has happened
    if not third.form.event_happened.isChecked():  # mnemonic only focuses on some styles
        _space(qtbot, third.form.event_happened)
    assert third.verdict.text().startswith("DEFECTIVE")
    assert "already happened" in third.read_aloud.toPlainText()


def test_compound_psychotherapy_notes(qtbot: QtBot, third: ChecklistPanel) -> None:
    _space(qtbot, third.form.psychotherapy)
    _space(qtbot, third.form.compound)
    assert third.verdict.text().startswith("DEFECTIVE")
    assert "own authorization" in third.read_aloud.toPlainText()
    # the permitted case: the other authorization is for psychotherapy notes too
    _space(qtbot, third.form.compound_pn)
    assert third.verdict.text() == "AUTHORIZATION VALID"


def test_information_known_false(qtbot: QtBot, third: ChecklistPanel) -> None:
    _space(qtbot, third.form.known_false)
    assert third.verdict.text().startswith("DEFECTIVE")
    assert "164.508(b)(2)(v)" in _why(third)


def test_no_legal_authority_rejects_with_who_may_ask(
    qtbot: QtBot, third: ChecklistPanel, ctx: AppContext
) -> None:
    _choose(qtbot, third.form.signer, "no_authority")
    assert third.verdict.text() == "REJECT — NO AUTHORITY"
    assert "can be released to" in third.read_aloud.toPlainText()
    with qtbot.waitSignal(third.changed):
        qtbot.keyClick(third, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for_workers(ctx)  # the saved checklist is read back
    assert third.reject_button.isEnabled()


def test_signer_role_and_proof_received(qtbot: QtBot, third: ChecklistPanel) -> None:
    _choose(qtbot, third.form.signer, "court_guardian")
    # the right person, proof still to come: a hold, said with its rule
    assert third.verdict.text().startswith("DEFECTIVE")
    assert "guardianship decree" in third.read_aloud.toPlainText()
    _choose(qtbot, third.form.proof_received, "guardianship_decree")
    third.form.proof_received_button.setFocus()
    qtbot.keyClick(third.form.proof_received_button, Qt.Key.Key_Space)
    assert third.verdict.text() == "AUTHORIZATION VALID"
    assert "proof on file" in _why(third)


def test_minor_consent_per_category(qtbot: QtBot, ctx: AppContext) -> None:
    panel = _open(qtbot, ctx, _request(ctx, "third_party", birth=dt.date(2010, 1, 5)))
    _pass_all(qtbot, panel)
    _choose(qtbot, panel.form.signer, "parent")
    _space(qtbot, panel.form.category_boxes["std"])  # the parent initialed STD...
    assert "std" not in panel.review.redaction_obligations  # type: ignore[union-attr]
    # ...but the minor consented to that care alone (MA c.112 §12F)
    _choose(qtbot, panel.form.minor_boxes["std"], "std")
    review = panel.review
    assert review is not None and "std" in review.redaction_obligations
    assert panel.verdict.text() == "AUTHORIZATION VALID"  # redacted, never a rejection
    assert "initials do not count" in _why(panel) and "§12F" in _why(panel)


def test_clinician_decision_lifts_the_hold(qtbot: QtBot, ctx: AppContext) -> None:
    panel = _open(qtbot, ctx, _request(ctx, "patient"))
    assert "Clinician approval" in _why(panel) or "clinician" in panel.consequences.text()
    assert any(h.code == "clinician_approval" for h in panel.review.holds)  # type: ignore[union-attr]
    panel.form.clinician_name.setFocus()
    qtbot.keyClicks(panel.form.clinician_name, "Dr. Reyes")
    _choose(qtbot, panel.form.clinician, "approved")
    holds = {h.code for h in panel.review.holds}  # type: ignore[union-attr]
    assert "clinician_approval" not in holds
    assert "Dr. Reyes" in _why(panel)


def test_fee_is_saved_with_the_checklist(
    qtbot: QtBot, third: ChecklistPanel, ctx: AppContext
) -> None:
    # issue 17: the third party's MA c.111 §70 fee was shown but never saved
    assert not third.fee.flat_fee.isChecked() and not third.fee.flat_fee.isEnabled()
    third.fee.pages.setFocus()
    qtbot.keyClick(third.fee.pages, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(third.fee.pages, "10")
    assert "Not saved yet" in third.fee.payment_label.text()
    with qtbot.waitSignal(third.changed):
        qtbot.keyClick(third, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for_workers(ctx)  # the saved checklist is read back
    with ctx.db.transaction() as s:
        total = s.scalar(
            select(FeeQuoteRecord.total_cents).where(FeeQuoteRecord.request_id == third.request_id)
        )
    assert total == 2869 + 10 * 96  # Oct 2024 maximum: $28.69 + 10 × $0.96
    assert "Not saved" not in third.fee.payment_label.text()
    QApplication.processEvents()


def test_access_request_is_not_asked_for_164_508_lines(qtbot: QtBot, ctx: AppContext) -> None:
    # 164.524 / 164.502(g): the patient's (or a representative's) own request is judged on
    # authority, not on the 164.508 elements: nobody has to mark statements "present"
    panel = _open(qtbot, ctx, _request(ctx, "patient"))
    assert panel.basis_note.isVisible() and not panel.table.isEnabled()
    assert "164.524" in panel.basis_note.text()
    assert "TO CHECK" not in panel.verdict.text()
