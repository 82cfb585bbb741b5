"""Accounts with passwords on the demo desk, and where screenshots go when asked for.

``ROI_DESK_SCREENS`` (a folder) keeps the PNGs of the sign-in, first-run and lock screens
for a person to look at; without it they go to the test's temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from roi_desk.auth.passwords import hash_password
from roi_desk.models import User
from roi_desk.storage import Database

#: every demo account's password in these tests (synthetic)
PASSWORD = "quiet harbor lantern 42"


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


def give_passwords(db: Database, password_hash: str) -> None:
    with db.transaction() as s:
        for user in s.scalars(select(User)):
            user.password_hash = password_hash


@pytest.fixture
def screens(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ROI_DESK_SCREENS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(widget: QWidget, path: Path) -> None:
    for _ in range(3):
        QApplication.processEvents()
    assert widget.grab().save(str(path))
