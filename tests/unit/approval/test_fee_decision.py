"""Issue 17: a third party's release cannot be approved without a fee decision (a quote,
a waiver, or $0 by rule); it was allowed with only a warning."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from roi_desk.errors import ValidationError
from roi_desk.models.checklist import FeeQuoteRecord
from roi_desk.services import approval
from roi_desk.storage import Database
from tests.unit.approval.factory import SUPERVISOR_PASSWORD, submit


def test_no_fee_decision_blocks_a_third_party_release(db: Database) -> None:
    sub = submit(db)
    with db.transaction() as s:
        s.execute(delete(FeeQuoteRecord).where(FeeQuoteRecord.request_id == sub.request_id))
    with db.transaction() as s:
        report = approval.qa_report(s, sub.request_id)
    fee = report.check("fee")
    assert fee.status is approval.CheckStatus.FAIL
    assert "fee decision" in fee.detail
    with pytest.raises(ValidationError, match="fee"):
        approval.sign_and_approve(
            db, sub.request_id, user_id=sub.supervisor_id, password=SUPERVISOR_PASSWORD
        )


def test_paid_fee_passes(db: Database) -> None:
    sub = submit(db, payment="paid")
    with db.transaction() as s:
        report = approval.qa_report(s, sub.request_id)
    assert report.check("fee").status is approval.CheckStatus.OK
