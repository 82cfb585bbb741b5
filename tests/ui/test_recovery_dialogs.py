"""The first-run dialog shows the recovery key once; the recovery dialog re-keys from it
(issue 12, item 1): keyring lost, recovery key used — in the window."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from roi_desk.storage import Database, keys, open_database, recover_database
from roi_desk.ui.unlock import NewDatabaseDialog, RecoveryDialog
from tests.conftest import MEMORY_KEYRING


def _create(path: Path, qtbot: QtBot) -> tuple[NewDatabaseDialog, str]:
    dialog = NewDatabaseDialog(
        path,
        lambda new: open_database(path, create=True, new_passphrase=new, recovery=True),
        use_keyring=True,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert dialog.database is not None
    page = dialog.recovery_page
    assert page.isVisible() and dialog.isVisible()  # shown before anything else
    return dialog, page.key_label.text()


def test_first_run_shows_the_recovery_key_and_waits_until_it_is_kept(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "roi-desk.db"
    dialog, shown = _create(path, qtbot)
    page = dialog.recovery_page
    assert len(shown.split("-")) == 8
    assert not page.continue_button.isEnabled()
    dialog.reject()  # Escape / Quit: the database exists, the key must not be lost
    assert dialog.isVisible() and "Print or save" in page.status.text()
    saved = tmp_path / "kept" / "recovery.txt"
    saved.parent.mkdir()
    page.save_to(saved)
    assert shown in saved.read_text()
    if sys.platform != "win32":
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    page.confirm.setChecked(True)
    qtbot.mouseClick(page.continue_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.database is not None
    dialog.database.close()


def test_keyring_lost_then_the_recovery_dialog_opens_the_records(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "roi-desk.db"
    dialog, shown = _create(path, qtbot)
    assert dialog.database is not None
    dialog.database.close()
    MEMORY_KEYRING.store.clear()  # a new Windows profile: the key is gone from the keyring
    opened: list[Database] = []

    def opener(new: str | None) -> Database:
        db = open_database(path, passphrase=new)
        opened.append(db)
        return db

    recovery = RecoveryDialog(
        path,
        lambda key, new: recover_database(path, key, new_passphrase=new),
        opener,
        use_keyring=True,
        reason="The database key is not in this computer's keyring.",
    )
    qtbot.addWidget(recovery)
    recovery.show()
    qtbot.keyClicks(recovery.recovery, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    qtbot.keyClick(recovery.recovery, Qt.Key.Key_Return)
    assert recovery.isVisible() and "not the one for this database" in recovery.error.text()
    recovery.recovery.clear()
    qtbot.keyClicks(recovery.recovery, shown)
    qtbot.keyClick(recovery.recovery, Qt.Key.Key_Return)
    assert recovery.result() == recovery.DialogCode.Accepted
    assert recovery.database is opened[0]
    opened[0].close()
    assert keys.read_key_info(path).method == "keyring"


def test_forgotten_passphrase_recovered_under_a_new_one(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "roi-desk.db"
    db = open_database(path, create=True, new_passphrase="the old passphrase", recovery=True)
    shown = db.recovery_key
    db.close()
    recovery = RecoveryDialog(
        path,
        lambda key, new: recover_database(path, key, new_passphrase=new),
        lambda new: open_database(path, passphrase=new),
        use_keyring=False,
    )
    qtbot.addWidget(recovery)
    recovery.show()
    qtbot.keyClicks(recovery.recovery, shown)
    qtbot.keyClicks(recovery.passphrase, "a new passphrase!")
    qtbot.keyClicks(recovery.confirm, "a new passphrase?")
    qtbot.keyClick(recovery.confirm, Qt.Key.Key_Return)
    assert "not the same" in recovery.error.text()
    qtbot.keyClicks(recovery.confirm, "a new passphrase!")
    qtbot.keyClick(recovery.confirm, Qt.Key.Key_Return)
    assert recovery.result() == recovery.DialogCode.Accepted
    assert recovery.database is not None
    recovery.database.close()
    assert keys.load_key(path, "a new passphrase!")
