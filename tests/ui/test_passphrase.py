"""Unlocking a passphrase-protected database: a wrong passphrase is said so, then it opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from roi_desk.storage import Database, open_database
from roi_desk.ui.unlock import NewDatabaseDialog, PassphraseDialog
from tests.ui.modal import answer_next

PASSPHRASE = "correct horse battery"


@pytest.fixture
def locked_db(tmp_path: Path) -> Path:
    path = tmp_path / "locked" / "roi-desk.db"
    open_database(path, create=True, new_passphrase=PASSPHRASE).close()
    return path


def test_wrong_passphrase_then_right_one(qtbot: QtBot, locked_db: Path) -> None:
    opened: list[Database] = []

    def opener(text: str) -> Database:
        db = open_database(locked_db, passphrase=text)
        opened.append(db)
        return db

    dialog = PassphraseDialog(locked_db, opener)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.passphrase.echoMode() == dialog.passphrase.EchoMode.Password

    qtbot.keyClicks(dialog.passphrase, "not the passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.error.isVisible()
    assert "not right" in dialog.error.text()
    assert dialog.passphrase.text() == ""  # cleared for the next try

    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.database is opened[0]
    assert dialog.attempts == 2
    opened[0].close()


def test_cancel_quits(qtbot: QtBot, locked_db: Path) -> None:
    dialog = PassphraseDialog(locked_db, lambda text: open_database(locked_db, passphrase=text))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == dialog.DialogCode.Rejected and dialog.database is None


def test_first_run_asks_for_the_passphrase_twice(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "new" / "roi-desk.db"
    dialog = NewDatabaseDialog(
        path,
        lambda new: open_database(path, create=True, new_passphrase=new),
        use_keyring=False,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.passphrase, "short")
    dialog.try_create()
    assert "at least 10" in dialog.error.text()
    dialog.passphrase.setText("long enough passphrase")
    dialog.confirm.setText("long enough passphrasf")
    dialog.try_create()
    assert "not the same" in dialog.error.text() and dialog.database is None
    dialog.confirm.setText("long enough passphrase")
    dialog.try_create()
    assert dialog.database is not None
    dialog.database.close()
    # and it really is protected by that passphrase
    open_database(path, passphrase="long enough passphrase").close()


def test_window_start_opens_with_a_key_unwrapped_early(qtbot: QtBot, locked_db: Path) -> None:
    # the GUI command starts the unwrapping before Qt; no dialog when it is right
    from roi_desk.storage import keys
    from roi_desk.ui.app import unlock_database

    early = keys.start_unwrap(locked_db, PASSPHRASE)
    with answer_next(PassphraseDialog, lambda d: d.reject()) as seen:
        db = unlock_database(locked_db, PASSPHRASE, unwrapping=early)
    assert seen == [] and db is not None
    db.close()


def test_window_start_with_a_wrong_early_passphrase_asks_and_says_why(
    qtbot: QtBot, locked_db: Path
) -> None:
    from roi_desk.storage import keys
    from roi_desk.ui.app import unlock_database

    shown: list[str] = []

    def answer(dialog: PassphraseDialog) -> None:
        shown.append(dialog.error.text())
        qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)

    early = keys.start_unwrap(locked_db, "not the passphrase")
    with answer_next(PassphraseDialog, answer) as seen:
        db = unlock_database(locked_db, "not the passphrase", unwrapping=early)
    assert len(seen) == 1 and "not right" in shown[0]
    assert db is not None  # the storage modules loaded while the dialog waited
    db.close()


def test_window_start_without_a_passphrase_asks_for_it(qtbot: QtBot, locked_db: Path) -> None:
    from roi_desk.ui.app import unlock_database

    def answer(dialog: PassphraseDialog) -> None:
        qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)

    with answer_next(PassphraseDialog, answer) as seen:
        db = unlock_database(locked_db, None)
    assert len(seen) == 1 and db is not None
    db.close()
