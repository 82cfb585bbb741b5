"""Starting the window: unlock or create the database, sign the user in, show the inbox.

Errors split two ways (STYLE.md): a ``RoiError`` is something the clerk can act on and is
shown as it is; anything else is a bug, logged without PHI (type and traceback only) and
shown as "something went wrong" while the program — and the work on screen — carries on.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from roi_desk.errors import DatabaseLockedError, RoiError, WrongPassphraseError
from roi_desk.paths import APP_AUTHOR, APP_NAME, app_paths
from roi_desk.services.users import current_user
from roi_desk.storage import Database, database_exists, keys, open_database
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import BUG_TEXT, BUG_TITLE, log_bug, show_error
from roi_desk.ui.operations import ThreadRunner
from roi_desk.ui.theme import apply_look
from roi_desk.ui.unlock import NewDatabaseDialog, PassphraseDialog

log = logging.getLogger(__name__)


def install_excepthook() -> None:
    """Route uncaught exceptions (slots included) to the two error paths."""
    showing = False

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        parent = QApplication.activeWindow()
        if isinstance(exc, RoiError):
            log.info("shown to the user: %s", exc_type.__qualname__)
            if not showing:
                showing = True
                try:
                    show_error(parent, exc)
                finally:
                    showing = False
            return
        log_bug(exc_type, exc, tb)
        if not showing:  # one box at a time, even if the box itself triggers more errors
            showing = True
            try:
                QMessageBox.critical(parent, BUG_TITLE, BUG_TEXT)
            finally:
                showing = False

    sys.excepthook = hook


def _backup_dir() -> Path:
    return app_paths().backups


def unlock_database(
    db_path: Path, passphrase: str | None, parent: QWidget | None = None
) -> Database | None:
    """Open (or on first run, create) the database, asking the user what is needed.

    Returns ``None`` when the user cancels. Raises ``RoiError`` for what cannot be fixed
    from here (a locked or damaged database).
    """
    if not database_exists(db_path):
        first_run = NewDatabaseDialog(
            db_path,
            lambda new: open_database(
                db_path, create=True, new_passphrase=new, backup_dir=_backup_dir()
            ),
            parent,
        )
        return first_run.database if first_run.exec() else None
    first_error: str | None = None
    if passphrase is not None or not keys.needs_passphrase(db_path):
        try:
            return open_database(db_path, passphrase=passphrase, backup_dir=_backup_dir())
        except WrongPassphraseError as exc:
            first_error = str(exc)
    dialog = PassphraseDialog(
        db_path,
        lambda text: open_database(db_path, passphrase=text, backup_dir=_backup_dir()),
        parent,
        first_error=first_error if passphrase is not None else None,
    )
    return dialog.database if dialog.exec() else None


def make_context(db: Database, username: str | None) -> AppContext:
    with db.transaction() as session:
        user = current_user(session, username)
        ident = (user.id, user.username, user.display_name, str(user.role))
    return AppContext(
        db=db,
        user_id=ident[0],
        username=ident[1],
        display_name=ident[2],
        role=ident[3],
        runner=ThreadRunner(),
    )


def run_gui(db_path: Path, *, passphrase: str | None, username: str | None) -> int:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationDisplayName(APP_NAME)
    apply_look(app)
    install_excepthook()

    try:
        db = unlock_database(Path(db_path), passphrase)
    except DatabaseLockedError as exc:
        QMessageBox.critical(None, exc.title, str(exc))
        return 1
    except RoiError as exc:
        show_error(None, exc)
        return 1
    if db is None:
        return 1  # the user chose Quit

    from roi_desk.ui import startup_probe
    from roi_desk.ui.main_window import MainWindow

    try:
        ctx = make_context(db, username)
        window = MainWindow(ctx)
        if startup_probe.enabled():
            startup_probe.FirstPaintProbe(window)
        window.show()
        code = int(app.exec())
        runner = ctx.runner
        if isinstance(runner, ThreadRunner):
            runner.wait(10_000)  # let a count in flight finish before the engine closes
        return code
    finally:
        db.close()
