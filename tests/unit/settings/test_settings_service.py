"""Site settings in the database: shipped JSON as defaults, admin-only saves that are
validated as a whole, audited, and used by the fee, letter and intake services."""

from __future__ import annotations

import copy
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from roi_desk import fees
from roi_desk.errors import PermissionDeniedError, ValidationError
from roi_desk.letters import load_site_info, load_templates
from roi_desk.models import AuditEvent, Document, Request
from roi_desk.models.settings import SiteSetting
from roi_desk.services import deadlines, fee_quotes
from roi_desk.services import settings as site_settings
from roi_desk.services.documents import load_bytes
from roi_desk.services.fee_quotes import FeeInput
from tests.unit.checklist.conftest import TODAY, Desk
from tests.unit.letters.pdfinspect import needs_poppler, plain_text
from tests.unit.settings.conftest import get_user

#: the first day of the month after TODAY
NEXT_MONTH = date(TODAY.year + TODAY.month // 12, TODAY.month % 12 + 1, 1)


def _counts(desk: Desk) -> tuple[int, int]:
    return desk.count(SiteSetting), desk.count(AuditEvent)


def _new_version(data: dict[str, Any], effective_from: date, base_fee: str) -> dict[str, Any]:
    """``data`` plus a new version of the Massachusetts third-party schedule."""
    out = copy.deepcopy(data)
    latest = max(
        (s for s in out["schedules"] if s["code"] == "ma_c111_s70"),
        key=lambda s: s["effective_from"],
    )
    new = dict(latest, effective_from=effective_from.isoformat(), base_fee=base_fee)
    new["citation"] = "MGL c.111 §70 (test year)"
    out["schedules"].append(new)
    return out


def test_defaults_come_from_the_shipped_json(desk: Desk) -> None:
    with desk.db.transaction() as s:
        assert site_settings.fee_schedules(s) == fees.load_fee_schedules()
        assert site_settings.site_info(s) == load_site_info()
        assert site_settings.letter_templates(s).sections == load_templates().sections
        assert site_settings.fee_settings(s) == fees.FeeSettings()
        assert site_settings.site_target_business_days(s) == 7
        assert s.scalar(select(func.count()).select_from(SiteSetting)) == 0


def test_a_new_version_next_month_prices_requests_received_after_it(
    desk: Desk, admin_id: uuid.UUID
) -> None:
    before_rid = desk.attorney(days_ago=3)
    with desk.db.transaction() as s:
        data = _new_version(site_settings.fee_schedules_data(s), NEXT_MONTH, "31.00")
        site_settings.save_fee_schedules(s, data, user=get_user(s, admin_id))
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event is not None and event.action == "settings.change"
        assert event.object_id == "fee_schedules" and set(event.detail) == {"key", "sha256"}
    after = NEXT_MONTH + timedelta(days=3)
    after_rid = desk.attorney(days_ago=(TODAY - after).days)
    with desk.db.transaction() as s:
        new = fee_quotes.save_quote(s, after_rid, FeeInput(pages=10), user=desk.user(s))
        old = fee_quotes.save_quote(s, before_rid, FeeInput(pages=10), user=desk.user(s))
    assert new.quote.lines[0].amount == Decimal("31.00")
    assert new.schedule_effective_from == NEXT_MONTH
    assert old.quote.lines[0].amount == Decimal("28.69")  # the shipped October 2024 version


def test_overlapping_versions_are_refused_and_nothing_is_saved(
    desk: Desk, admin_id: uuid.UUID
) -> None:
    before = _counts(desk)
    with pytest.raises(ValidationError, match="start on the same day"), desk.db.transaction() as s:
        data = _new_version(site_settings.fee_schedules_data(s), date(2024, 10, 1), "31.00")
        site_settings.save_fee_schedules(s, data, user=get_user(s, admin_id))
    with pytest.raises(ValidationError, match="overlap"), desk.db.transaction() as s:
        data = site_settings.fee_schedules_data(s)
        # an end date after the next version starts: two schedules on the same day
        data["schedules"][0]["effective_to"] = "2024-12-31"
        site_settings.save_fee_schedules(s, data, user=get_user(s, admin_id))
    with pytest.raises(ValidationError, match="negative"), desk.db.transaction() as s:
        data = _new_version(site_settings.fee_schedules_data(s), NEXT_MONTH, "-1.00")
        site_settings.save_fee_schedules(s, data, user=get_user(s, admin_id))
    assert _counts(desk) == before


@pytest.mark.parametrize("supervisor", [False, True], ids=["clerk", "supervisor"])
def test_clerks_and_supervisors_are_refused(desk: Desk, supervisor: bool) -> None:
    before = _counts(desk)
    with desk.db.transaction() as s:
        user = desk.user(s, supervisor=supervisor)
        saves = [
            lambda: site_settings.save_fee_schedules(
                s, site_settings.fee_schedules_data(s), user=user
            ),
            lambda: site_settings.save_fee_settings(s, fees.FeeSettings(False), user=user),
            lambda: site_settings.save_site_target_business_days(s, 5, user=user),
            lambda: site_settings.save_site_info(s, site_settings.site_info_data(s), user=user),
            lambda: site_settings.save_letter_templates(
                s, site_settings.letter_templates_data(s), user=user
            ),
        ]
        for save in saves:
            with pytest.raises(PermissionDeniedError):
                save()
    assert _counts(desk) == before


def test_a_template_with_an_unknown_placeholder_is_refused(desk: Desk, admin_id: uuid.UUID) -> None:
    before = _counts(desk)
    with pytest.raises(ValidationError) as caught, desk.db.transaction() as s:
        data = site_settings.letter_templates_data(s)
        data["extension"]["paragraphs"].append("Your diagnosis: {diagnosis}.")
        data["invoice"]["title"] = "Invoice {oops"
        site_settings.save_letter_templates(s, data, user=get_user(s, admin_id))
    message = str(caught.value)
    assert "{diagnosis}" in message and "extension.paragraphs" in message
    assert "invoice.title" in message and "brace" in message
    assert _counts(desk) == before
    assert "request_number" in site_settings.allowed_placeholders("extension")
    assert "diagnosis" not in site_settings.allowed_placeholders("extension")


def test_fee_settings_and_target_days_are_stored(desk: Desk, admin_id: uuid.UUID) -> None:
    with desk.db.transaction() as s:
        admin = get_user(s, admin_id)
        site_settings.save_fee_settings(s, {"release_only_after_payment": False}, user=admin)
        site_settings.save_site_target_business_days(s, 3, user=admin)
        with pytest.raises(ValidationError):
            site_settings.save_site_target_business_days(s, 0, user=admin)
    with desk.db.transaction() as s:
        assert not site_settings.fee_settings(s).release_only_after_payment
        assert site_settings.site_target_business_days(s) == 3
    rid = desk.log(days_ago=0)
    with desk.db.transaction() as s:
        req = s.get(Request, rid)
        assert req is not None and req.target_on is not None
        assert req.target_on < req.due_on
        received = req.received_at.astimezone().date()
        assert (req.target_on - received).days <= 5  # 3 business days (a weekend at most)


@needs_poppler
def test_site_info_and_wording_show_up_in_a_generated_letter(
    desk: Desk, admin_id: uuid.UUID
) -> None:
    with desk.db.transaction() as s:
        admin = get_user(s, admin_id)
        site = site_settings.site_info_data(s)
        site["facility_name"] = "Harborview Community Hospital"
        site["phone"] = "(413) 555-0177"
        site_settings.save_site_info(s, site, user=admin)
        wording = site_settings.letter_templates_data(s)
        wording["extension"]["paragraphs"].append("Call {unit} at {site_phone} any time.")
        site_settings.save_letter_templates(s, wording, user=admin)
    rid = desk.log(days_ago=10)
    with desk.db.transaction() as s:
        doc = deadlines.extend_deadline(
            s, rid, reason="The records are stored off site", user=desk.user(s), today=TODAY
        )
        stored = s.get(Document, doc.id)
        assert stored is not None
        text = plain_text(load_bytes(s, stored.id))
    assert "Harborview Community Hospital" in text
    assert "Riverside General" not in text
    assert "any time" in text and "(413) 555-0177" in text
