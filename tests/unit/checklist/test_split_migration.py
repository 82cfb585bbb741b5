"""0013: the combined sexual-assault / domestic-violence initial becomes two categories.

A review stored with the one combined box initialed keeps that consent for both MA c.233
§20J and §20K, its obligations split the same way, and the request's history says so.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from roi_desk.storage.migrate import alembic_config


def _run(engine: sa.Engine, step: str, target: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, step)(cfg, target)


REVIEWS = sa.table(
    "authorization_reviews",
    *(
        sa.column(name, sa.JSON())
        for name in (
            "facts",
            "lines",
            "deficiencies",
            "unconfirmed",
            "initialed",
            "redaction_obligations",
            "released_categories",
            "notices",
            "pending",
            "minor_consent_bases",
            "proof_on_file",
            "proof_documents",
        )
    ),
    sa.column("id", sa.Uuid()),
    sa.column("request_id", sa.Uuid()),
    sa.column("verdict", sa.String()),
    sa.column("guardian_appointed", sa.Boolean()),
    sa.column("reviewed_at", sa.DateTime()),
    sa.column("revision", sa.Integer()),
)


def _review(request_id: uuid.UUID, initialed: list[str], redact: list[str]) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "request_id": request_id,
        "facts": {"received_on": "2025-03-03", "initialed": initialed},
        "lines": [],
        "deficiencies": [],
        "unconfirmed": [],
        "initialed": initialed,
        "redaction_obligations": redact,
        "released_categories": initialed,
        "notices": [],
        "pending": [],
        "minor_consent_bases": [],
        "proof_on_file": [],
        "proof_documents": [],
        "verdict": "valid",
        "guardian_appointed": False,
        "reviewed_at": datetime(2025, 3, 4, 9, 0),
        "revision": 1,
    }


def test_combined_initial_counts_for_both_and_history_says_so(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'older.db'}")
    _run(engine, "upgrade", "0012")
    initialed_req, redacted_req, other_req = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with engine.begin() as conn:  # reviews saved by the older version (FKs not enforced)
        conn.execute(
            REVIEWS.insert(),
            [
                _review(initialed_req, ["hiv", "sexual_assault_dv"], []),
                _review(redacted_req, ["hiv"], ["sexual_assault_dv"]),
                _review(other_req, ["std"], ["hiv"]),
            ],
        )
    _run(engine, "upgrade", "0013")
    with engine.connect() as conn:
        rows = {
            r.request_id: r
            for r in conn.execute(
                sa.select(
                    REVIEWS.c.request_id,
                    REVIEWS.c.facts,
                    REVIEWS.c.initialed,
                    REVIEWS.c.redaction_obligations,
                )
            )
        }
        history = conn.execute(
            sa.text("SELECT request_id, kind, summary FROM request_events")
        ).all()
    both = ["sexual_assault", "domestic_violence"]
    assert rows[initialed_req].initialed == ["hiv", *both]
    assert rows[initialed_req].facts["initialed"] == ["hiv", *both]
    assert rows[redacted_req].redaction_obligations == both
    assert rows[other_req].initialed == ["std"]  # untouched
    # only the review whose patient initialed the combined box gets a history line
    assert len(history) == 1
    assert uuid.UUID(str(history[0][0])) == initialed_req
    assert "counts for both" in history[0][2] and "§20J" in history[0][2]
    _run(engine, "downgrade", "0012")
    with engine.connect() as conn:
        back = {
            r.request_id: r
            for r in conn.execute(
                sa.select(
                    REVIEWS.c.request_id, REVIEWS.c.initialed, REVIEWS.c.redaction_obligations
                )
            )
        }
    assert back[initialed_req].initialed == ["hiv", "sexual_assault_dv"]
    assert back[redacted_req].redaction_obligations == ["sexual_assault_dv"]
    engine.dispose()
