"""The department server: its document key is held only wrapped by the department
passphrase, and the wrong passphrase is told plainly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from roi_desk.errors import KeyUnavailableError, WrongPassphraseError
from roi_desk.storage.server import open_server_database
from tests.conftest import PG_URL, _pg_url

pytestmark = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server configured")


@pytest.fixture
def empty_server_db() -> Iterator[str]:
    name = f"roi_keys_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_department_key_round_trip(empty_server_db: str) -> None:
    with pytest.raises(KeyUnavailableError, match="department passphrase first"):
        open_server_database(empty_server_db)
    first = open_server_database(empty_server_db, new_passphrase="our department phrase")
    key = first.document_key
    with first.engine.connect() as conn:
        wrapped = conn.execute(text("SELECT wrapped FROM key_wraps")).scalar_one()
    first.close()
    assert key not in bytes(wrapped)  # the server never holds it in the clear
    with pytest.raises(WrongPassphraseError, match="not right"):
        open_server_database(empty_server_db, passphrase="a wrong department phrase")
    second = open_server_database(empty_server_db, passphrase=lambda: "our department phrase")
    assert second.document_key == key
    second.close()


def test_cli_prepares_and_reads_a_department_server(
    empty_server_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from roi_desk.cli import main

    monkeypatch.setenv("ROI_DESK_PASSPHRASE", "our department phrase")
    assert main(["--database-url", empty_server_db, "init"]) == 0
    assert "is ready" in capsys.readouterr().out
    assert main(["--database-url", empty_server_db, "status"]) == 0
    assert "intact" in capsys.readouterr().out
    monkeypatch.setenv("ROI_DESK_PASSPHRASE", "not the department phrase")
    assert main(["--database-url", empty_server_db, "status"]) == 1
    assert "not right" in capsys.readouterr().err


def test_server_gone_mid_save_says_so_and_saves_nothing(empty_server_db: str) -> None:
    from datetime import UTC, date, datetime

    from sqlalchemy import func, select

    from roi_desk.models import Request
    from roi_desk.services.intake import IntakeForm, PartyInput, save_request
    from roi_desk.services.users import current_user
    from roi_desk.storage.engine import ServerUnavailableError

    db = open_server_database(empty_server_db, new_passphrase="our department phrase")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    form = IntakeForm(
        family_name="Gone",
        given_name="Server",
        date_of_birth=date(1970, 1, 2),
        requester=PartyInput(
            name="Server Gone", address_line1="1 Main St", city="Salem", postal_code="01970"
        ),
        info_types=["abstract"],
    )
    try:
        with (
            pytest.raises(ServerUnavailableError, match="nothing was saved"),
            db.transaction() as s,
        ):
            user = current_user(s, "clerk")
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
            save_request(s, form, user=user, now=datetime(2026, 11, 2, tzinfo=UTC))
            with admin.connect() as conn:  # the server drops this clerk's connection
                conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        with db.transaction() as s:  # the pool reconnects; nothing half-written
            assert s.scalar(select(func.count()).select_from(Request)) == 0
    finally:
        db.close()
        admin.dispose()


def test_an_old_cheaper_wrap_is_rewrapped_at_the_next_unlock(
    empty_server_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from roi_desk.storage import keys

    monkeypatch.setattr(keys, "SCRYPT_N", 2**14)  # as an older version wrapped it
    first = open_server_database(empty_server_db, new_passphrase="our department phrase")
    key = first.document_key
    first.close()
    monkeypatch.undo()
    second = open_server_database(empty_server_db, passphrase="our department phrase")
    with second.engine.connect() as conn:
        n = conn.execute(text("SELECT n FROM key_wraps")).scalar_one()
    second.close()
    assert n == 2**17 and second.document_key == key
    third = open_server_database(empty_server_db, passphrase="our department phrase")
    assert third.document_key == key
    third.close()
