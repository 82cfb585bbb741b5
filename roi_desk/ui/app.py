"""Starting the window: unlock or create the database, sign the user in, show the inbox.

Sign-in: the window always asks who is at the desk (the first-run wizard while no account
has a password). When the local database opens without asking, the sign-in dialog is the
first window and the database opens behind it (``roi_desk.ui.signin_first``).
``--user``/``ROI_DESK_USER`` only pre-fills the name. A scripted run of the window
(synthetic data, CI) may give ``ROI_DESK_PASSWORD`` with the user name; it goes through
the same audited ``sign_in``. The start-up benchmark on a database that has no
passwords at all (a demo or benchmark file) works as the named user without one. Tests
inject the signed-in user through ``AppContext``. Signing out returns to the sign-in.

Errors split two ways (STYLE.md): a ``RoiError`` is something the clerk can act on and is
shown as it is; anything else is a bug, logged without PHI (type and traceback only) and
shown as "something went wrong" while the program — and the work on screen — carries on.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from roi_desk.errors import (
    DatabaseLockedError,
    KeyUnavailableError,
    RoiError,
    WrongPassphraseError,
)
from roi_desk.paths import APP_AUTHOR, APP_NAME, app_paths
from roi_desk.services.preload import (
    PASSWORD_ENV,
    load_storage_meanwhile,
    load_storage_now,
    opens_without_asking,
    signs_in_while_opening,
)
from roi_desk.storage import database_exists, keys
from roi_desk.ui.errors import BUG_TEXT, BUG_TITLE, log_bug, show_error
from roi_desk.ui.operations import ThreadRunner
from roi_desk.ui.theme import apply_look

if TYPE_CHECKING:
    from roi_desk.storage import Database
    from roi_desk.ui.context import AppContext
    from roi_desk.ui.signin import SignedIn

log = logging.getLogger(__name__)

__all__ = ["PASSWORD_ENV", "run_gui", "sign_in_user", "unlock_database"]

#: QSettings key of the idle-lock minutes (a site may shorten it; at most 60)
IDLE_LOCK_KEY = "security/idleLockMinutes"
#: how long after the window is shown the start-up heap is set aside (after its first paint)
SETTLE_AFTER_MS = 2000


def settle_heap() -> None:
    """Set aside what start-up built (Qt, SQLAlchemy, the models, the window: ~150,000
    objects) so Python's full garbage collections no longer walk it. Without this a full
    collection, which can fall inside any page load, stops the program for 30-70 ms on the
    2-core machine (issue 13: "a million-row inbox that never waits"). Garbage left by
    start-up is collected first; what is frozen lives as long as the process anyway."""
    if gc.get_freeze_count():
        return  # once per process: a second sign-in has nothing new worth freezing
    gc.collect()
    gc.freeze()


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


def _open(
    db_path: Path,
    *,
    passphrase: str | keys.Unwrapping | None = None,
    create: bool = False,
    new_passphrase: str | None = None,
    recovery: bool = False,
) -> Database:
    # imported here: SQLAlchemy and the engine load while a dialog is up, if one is
    from roi_desk.storage import open_database

    return open_database(
        db_path,
        passphrase=passphrase,
        create=create,
        new_passphrase=new_passphrase,
        backup_dir=_backup_dir(),
        recovery=recovery,
    )


def unlock_database(
    db_path: Path,
    passphrase: str | None,
    parent: QWidget | None = None,
    *,
    unwrapping: keys.Unwrapping | None = None,
) -> Database | None:
    """Open (or on first run, create) the database, asking the user what is needed.

    ``unwrapping``: the key's unwrapping with ``passphrase``, started before Qt (see
    ``roi_desk.cli.main._start_unwrap``). Returns ``None`` when the user cancels. Raises
    ``RoiError`` for what cannot be fixed from here (a locked or damaged database).
    """
    if not database_exists(db_path):
        # the dialogs (and QtPrintSupport, for printing a recovery key) are imported when
        # one is shown: a key given before the start, or kept by the keyring, needs none
        from roi_desk.ui.unlock import NewDatabaseDialog

        load_storage_meanwhile()
        first_run = NewDatabaseDialog(
            db_path,
            lambda new: _open(db_path, create=True, new_passphrase=new, recovery=True),
            parent,
        )
        return first_run.database if first_run.exec() else None
    if passphrase is not None or not keys.needs_passphrase(db_path):
        try:
            return _open(db_path, passphrase=_given_key(passphrase, unwrapping))
        except (WrongPassphraseError, KeyUnavailableError) as exc:
            return unlock_after_failure(db_path, passphrase, exc, parent)
    return _ask_passphrase(db_path, parent, first_error=None)


def _given_key(
    passphrase: str | None, unwrapping: keys.Unwrapping | None
) -> str | keys.Unwrapping | None:
    return unwrapping if unwrapping is not None and passphrase is not None else passphrase


def unlock_after_failure(
    db_path: Path, passphrase: str | None, exc: BaseException, parent: QWidget | None = None
) -> Database | None:
    """What a start does when the given (or kept) key did not open the database: a wrong
    passphrase asks for it; a key the keyring lost goes to the recovery key; anything else
    (locked, damaged) is raised for the caller to show."""
    if isinstance(exc, KeyUnavailableError):
        # the keyring lost the key (new profile, reinstalled PC): the recovery key
        if not keys.read_key_info(db_path).has_recovery:
            raise exc
        reason = (
            "This computer's keyring does not hold the database key (a new Windows "
            "profile, a reinstalled PC?). The recovery key opens the records again."
        )
        log.info("Keyring lost the database key: %s", exc.message)
        return recover_with_key(db_path, parent, reason=reason)
    if not isinstance(exc, WrongPassphraseError):
        raise exc
    first_error = str(exc) if passphrase is not None else None
    return _ask_passphrase(db_path, parent, first_error=first_error)


def _ask_passphrase(
    db_path: Path, parent: QWidget | None, *, first_error: str | None
) -> Database | None:
    from roi_desk.ui.unlock import PassphraseDialog

    load_storage_meanwhile()
    dialog = PassphraseDialog(
        db_path,
        lambda text: _open(db_path, passphrase=text),
        parent,
        first_error=first_error,
        recovery=keys.read_key_info(db_path).has_recovery,
    )
    if dialog.exec():
        return dialog.database
    if dialog.wants_recovery:
        return recover_with_key(db_path, parent, use_keyring=False)
    return None


def recover_with_key(
    db_path: Path, parent: QWidget | None, *, reason: str = "", use_keyring: bool | None = None
) -> Database | None:
    """The recovery dialog: re-key from the recovery key, then open. None: cancelled."""
    from roi_desk.storage import recover_database
    from roi_desk.ui.unlock import RecoveryDialog

    dialog = RecoveryDialog(
        db_path,
        lambda key, new: recover_database(db_path, key, new_passphrase=new),
        lambda new: _open(db_path, passphrase=new),
        parent,
        reason=reason,
        use_keyring=use_keyring,
    )
    return dialog.database if dialog.exec() else None


def unlock_server(
    url: str, passphrase: str | None, parent: QWidget | None = None
) -> Database | None:
    """Connect to the department server and unlock its document key with the department
    passphrase (asked for here unless given). ``None`` when the user cancels."""
    from roi_desk.storage.server import describe, open_server_database, parse_server_url
    from roi_desk.ui.unlock import PassphraseDialog

    first_error: str | None = None
    if passphrase is not None:
        try:
            return open_server_database(url, passphrase=passphrase)
        except WrongPassphraseError as exc:
            first_error = str(exc)
    dialog = PassphraseDialog(
        describe(parse_server_url(url)),
        lambda text: open_server_database(url, passphrase=text),
        parent,
        first_error=first_error,
    )
    return dialog.database if dialog.exec() else None


def idle_lock_minutes() -> int:
    """The idle-lock setting, kept between 1 and 60 minutes (164.312(a)(2)(iii): it can be
    shortened, not switched off, from the settings file)."""
    from roi_desk.ui.context import DEFAULT_IDLE_LOCK_MINUTES

    settings = QSettings(str(app_paths().settings_file), QSettings.Format.IniFormat)
    try:
        minutes = int(str(settings.value(IDLE_LOCK_KEY, DEFAULT_IDLE_LOCK_MINUTES)))
    except ValueError:
        minutes = DEFAULT_IDLE_LOCK_MINUTES
    return min(max(minutes, 1), 60)


def sign_in_user(
    db: Database, username: str | None, parent: QWidget | None = None
) -> SignedIn | None:
    """Who is at the desk: first-run wizard, scripted password, or the sign-in dialog.

    Returns ``None`` when the user chooses Quit.
    """
    from roi_desk.auth import sessions
    from roi_desk.services import users
    from roi_desk.services.users import current_user
    from roi_desk.ui import startup_probe
    from roi_desk.ui.signin import SignedIn, name_to_offer

    with db.transaction() as session:
        first = users.needs_first_admin(session)
    name = name_to_offer(username)
    if first and startup_probe.enabled():
        # benchmark or smoke test on a file with no accounts to protect: no one to ask
        with db.transaction() as session:
            return SignedIn.of(current_user(session, name))
    first_error: str | None = None
    scripted = os.environ.get(PASSWORD_ENV)
    if scripted and username and not first:
        try:
            with db.transaction() as session:
                return SignedIn.of(sessions.sign_in(session, username, scripted))
        except RoiError as exc:
            first_error = str(exc)
    from roi_desk.ui.signin import FirstRunDialog, SignInDialog

    if first:
        wizard = FirstRunDialog(db, name, parent)
        return wizard.signed_in if wizard.exec() else None
    dialog = SignInDialog(db, name, parent)
    if first_error:
        dialog.show_error(first_error)
    return dialog.signed_in if dialog.exec() else None


def _open_for_sign_in(db_path: Path, given: str | keys.Unwrapping | None) -> tuple[Database, bool]:
    """On the worker behind the sign-in dialog: the storage stack, the database, and
    whether it still needs its first administrator."""
    load_storage_now()
    from roi_desk.services import users

    db = _open(db_path, passphrase=given)
    try:
        with db.transaction() as session:
            first = users.needs_first_admin(session)
    except BaseException:
        db.close()
        raise
    # the window's modules too, while the clerk types (an import only: no widget is made
    # here); a failure is met again, and reported, by the import on the GUI thread
    with contextlib.suppress(Exception):
        importlib.import_module("roi_desk.ui.main_window")
    return db, first


def sign_in_while_opening(
    db_path: Path,
    passphrase: str | None,
    username: str | None,
    *,
    unwrapping: keys.Unwrapping | None = None,
) -> tuple[Database | None, SignedIn | None]:
    """The sign-in dialog first, the database opening behind it. ``(db, who)``: both when
    signed in; the database alone when it needs its first administrator (or a failure was
    then mended by a dialog); ``(None, None)`` when the clerk quit. Raises ``RoiError`` as
    :func:`unlock_database` does, after the sign-in dialog has closed."""
    from roi_desk.ui.signin_first import SignInWhileOpening

    given = _given_key(passphrase, unwrapping)
    first = SignInWhileOpening(lambda: _open_for_sign_in(db_path, given), username)
    first.run()
    if first.error is not None:
        # the sign-in dialog is closed: the same message or dialog as any start
        return unlock_after_failure(db_path, passphrase, first.error), None
    return first.db, first.signed_in


def context_for(db: Database, who: SignedIn) -> AppContext:
    from roi_desk.ui.context import AppContext

    return AppContext(
        db=db,
        user_id=who.user_id,
        username=who.username,
        display_name=who.display_name,
        role=who.role,
        runner=ThreadRunner(),
        idle_lock_minutes=idle_lock_minutes(),
        signed_in=True,
    )


def make_context(db: Database, username: str | None) -> AppContext:
    """A context for a named user without a password (scripts and tests)."""
    from roi_desk.services.users import current_user
    from roi_desk.ui.context import AppContext

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


def run_gui(
    db_path: Path,
    *,
    passphrase: str | None,
    username: str | None,
    database_url: str | None = None,
    unwrapping: keys.Unwrapping | None = None,
) -> int:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationDisplayName(APP_NAME)
    apply_look(app)
    install_excepthook()

    who: SignedIn | None = None
    try:
        if database_url:
            db = unlock_server(database_url, passphrase)
        elif opens_without_asking(
            Path(db_path), key_given=passphrase is not None
        ) and signs_in_while_opening(username):
            db, who = sign_in_while_opening(
                Path(db_path), passphrase, username, unwrapping=unwrapping
            )
        else:
            db = unlock_database(Path(db_path), passphrase, unwrapping=unwrapping)
    except DatabaseLockedError as exc:
        QMessageBox.critical(None, exc.title, str(exc))
        return 1
    except RoiError as exc:
        show_error(None, exc)
        return 1
    if db is None:
        return 1  # the user chose Quit
    from roi_desk.ui import startup_probe

    if db.notices and not startup_probe.enabled():
        # repaired permissions, audit-checkpoint findings: said once, in words (no PHI);
        # a benchmark run has no one to read it (the log has it)
        QMessageBox.warning(
            None,
            "ROI Desk checked its files",
            "ROI Desk checked its files while opening:\n\n• " + "\n• ".join(db.notices),
        )

    from roi_desk.ui.main_window import MainWindow

    try:
        while True:
            if who is None:
                who = sign_in_user(db, username)
            if who is None:
                return 1  # the user chose Quit
            ctx = context_for(db, who)
            window = MainWindow(ctx)
            if startup_probe.enabled():
                startup_probe.FirstPaintProbe(window)
            window.show()
            # after the first paint, never before it: the collection costs tens of ms
            QTimer.singleShot(SETTLE_AFTER_MS, settle_heap)
            code = int(app.exec())
            runner = ctx.runner
            if isinstance(runner, ThreadRunner):
                runner.wait(10_000)  # let a count in flight finish before the engine closes
            signed_out = window.signed_out
            window.deleteLater()  # its idle watch must not outlive it
            if not signed_out:
                from roi_desk.auth import sessions

                with ctx.transaction() as (session, user):
                    sessions.sign_out(session, user, reason="quit")
                return code
            username = None  # the next person types their own name
            who = None
    finally:
        db.close()
