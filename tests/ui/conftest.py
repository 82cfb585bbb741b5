"""UI fixtures: a demo-filled database built once per session and copied for each test,
and an ``AppContext`` whose operations run on the real worker threads (see workers.py):
a test waits for them with ``wait_for_workers(ctx)`` or ``qtbot.waitUntil``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from roi_desk.demo import seed_demo
from roi_desk.services.users import current_user
from roi_desk.storage import Database, open_database
from roi_desk.ui.context import AppContext
from tests.conftest import copy_database

from .workers import finish, real_runner

DEMO_REQUESTS = 120
#: the demo clerk the UI tests work as
CLERK = "mrivera"


@pytest.fixture(autouse=True)
def _no_window_left_open(qapp: QApplication) -> Iterator[None]:
    """Each test ends with no window of its own still on screen: a letter preview or a
    dialog left open stays the active window and takes the next test's keys (its Alt+P
    is "Print…", not the intake form's "Purpose")."""
    before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    yield
    for widget in qapp.topLevelWidgets():
        if widget.isVisible() and id(widget) not in before:
            widget.close()


@pytest.fixture(scope="session")
def demo_template(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-template") / "roi-desk.db"
    copy_database(template_db, path)
    db = open_database(path)
    try:
        with db.transaction() as session:
            seed_demo(session, requests=DEMO_REQUESTS, today=date.today())
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """An open database with the demo desk in it (users, patients, 120 requests)."""
    target = tmp_path / "demo" / "roi-desk.db"
    copy_database(demo_template, target)
    database = open_database(target)
    yield database
    database.close()


def make_context(db: Database, username: str = CLERK) -> AppContext:
    with db.transaction() as session:
        user = current_user(session, username)
        fields = (user.id, user.username, user.display_name, str(user.role))
    return AppContext(
        db=db,
        user_id=fields[0],
        username=fields[1],
        display_name=fields[2],
        role=fields[3],
        runner=real_runner(),
    )


@pytest.fixture
def ctx(demo_db: Database) -> Iterator[AppContext]:
    context = make_context(demo_db)
    yield context
    finish(context)


@pytest.fixture
def empty_ctx(db: Database) -> Iterator[AppContext]:
    context = make_context(db)
    yield context
    finish(context)
