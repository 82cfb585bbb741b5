"""The inbox notices another clerk's change within a poll, and ignores mere views."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from roi_desk import audit
from roi_desk.models import Request, User
from roi_desk.services.claims import claim, release_claim
from roi_desk.ui.context import AppContext
from roi_desk.ui.inbox_poll import InboxPoller
from tests.ui.workers import wait_for_workers


def test_poll_signals_only_real_changes(qtbot: Any, ctx: AppContext) -> None:
    poller = InboxPoller(ctx, interval_ms=60_000)
    seen: list[bool] = []
    poller.changed.connect(lambda: seen.append(True))
    poller.poll()  # the first poll only learns where we are
    wait_for_workers(ctx)
    with ctx.db.transaction() as s:
        rid = s.scalars(select(Request.id).where(Request.assignee_id.is_not(None))).first()
        assert rid is not None
        audit.record(s, "request.view", object_type="request", object_id=rid)
    poller.poll()
    wait_for_workers(ctx)
    assert seen == []
    with ctx.db.transaction() as s:
        req = s.get(Request, rid)
        assert req is not None
        holder = s.get(User, req.assignee_id)
        release_claim(s, rid, holder, None)
        claim(s, rid, holder, None)
    poller.poll()
    wait_for_workers(ctx)
    assert seen == [True]
