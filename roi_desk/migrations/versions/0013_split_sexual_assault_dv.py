"""split the sexual-assault / domestic-violence category into its two privileges

Until now one initials box stood for sexual-assault counseling (MA c.233 §20J) and
domestic-violence counseling (§20K). They are two privileges with two boxes now. A stored
review whose patient initialed the combined box keeps that consent for both — the patient
initialed a box that named both — and the request's history says so. Obligations and
released categories are split the same way.

Plain table definitions only: a migration never imports the model classes.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD = "sexual_assault_dv"
NEW = ("sexual_assault", "domestic_violence")
NOTE = (
    "Sensitive categories updated: the combined sexual-assault / domestic-violence initial "
    "now counts for both sexual-assault counseling (MA c.233 §20J) and domestic-violence "
    "counseling (MA c.233 §20K), which have separate boxes from now on."
)

reviews = sa.table(
    "authorization_reviews",
    sa.column("id", sa.Uuid()),
    sa.column("request_id", sa.Uuid()),
    sa.column("facts", sa.JSON()),
    sa.column("initialed", sa.JSON()),
    sa.column("redaction_obligations", sa.JSON()),
    sa.column("released_categories", sa.JSON()),
)
events = sa.table(
    "request_events",
    sa.column("id", sa.Uuid()),
    sa.column("request_id", sa.Uuid()),
    sa.column("at", sa.DateTime()),
    sa.column("user_id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("from_status", sa.String()),
    sa.column("to_status", sa.String()),
    sa.column("summary", sa.Text()),
)


def _split(codes: Any) -> Any:
    if not isinstance(codes, list) or OLD not in codes:
        return codes
    out = [c for c in codes if c != OLD]
    for code in NEW:
        if code not in out:
            out.append(code)
    return out


def _join(codes: Any, *, consent: bool = True) -> Any:
    if not isinstance(codes, list) or not set(NEW) & set(codes):
        return codes
    out = [c for c in codes if c not in NEW]
    # going back, the one box counts as consented only if both privileges were; it must
    # be redacted if either was to be
    if (all if consent else any)(c in codes for c in NEW):
        out.append(OLD)
    return out


def _rewrite(split: bool) -> None:
    bind = op.get_bind()
    fix = _split if split else _join

    def fix_obligations(codes: Any) -> Any:
        return _split(codes) if split else _join(codes, consent=False)

    rows = bind.execute(
        sa.select(
            reviews.c.id,
            reviews.c.request_id,
            reviews.c.facts,
            reviews.c.initialed,
            reviews.c.redaction_obligations,
            reviews.c.released_categories,
        )
    ).all()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for row in rows:
        facts = dict(row.facts or {})
        before = facts.get("initialed")
        facts["initialed"] = fix(before)
        values = {
            "facts": facts,
            "initialed": fix(row.initialed),
            "redaction_obligations": fix_obligations(row.redaction_obligations),
            "released_categories": fix(row.released_categories),
        }
        if values == {
            "facts": dict(row.facts or {}),
            "initialed": row.initialed,
            "redaction_obligations": row.redaction_obligations,
            "released_categories": row.released_categories,
        }:
            continue
        bind.execute(sa.update(reviews).where(reviews.c.id == row.id).values(**values))
        if split and isinstance(before, list) and OLD in before:
            bind.execute(
                sa.insert(events).values(
                    id=uuid.uuid4(),
                    request_id=row.request_id,
                    at=now,
                    user_id=None,
                    kind="checklist",
                    from_status=None,
                    to_status=None,
                    summary=NOTE,
                )
            )


def upgrade() -> None:
    _rewrite(split=True)


def downgrade() -> None:
    _rewrite(split=False)
