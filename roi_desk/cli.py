"""The ``roi-desk`` command: the GUI by default, sub-commands for scripted work.

Qt is imported only when the GUI starts, so ``roi-desk demo`` and the other scripted
commands work on a machine with no display and no Qt.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from roi_desk import __version__
from roi_desk.cli_support import (
    DEMO_PASSPHRASE,
    database_path,
    new_passphrase,
    open_for_script,
    passphrase_source,
)
from roi_desk.errors import RoiError
from roi_desk.paths import app_paths
from roi_desk.storage import database_exists, keys, open_database

__all__ = [
    "DEMO_PASSPHRASE",
    "PLUGIN_MODULES",
    "build_parser",
    "database_path",
    "main",
    "open_for_script",
]

log = logging.getLogger("roi_desk")

#: the former private name, still imported by sub-commands outside PLUGIN_MODULES
_passphrase_source = passphrase_source

# --------------------------------------------------------------------------------- commands


def cmd_demo(args: argparse.Namespace) -> int:
    from roi_desk.demo import seed_demo

    path = Path(args.database).expanduser() if args.database else app_paths().demo_database
    if database_exists(path):
        if args.if_missing:
            print(f"Demo database already exists: {path}")
            return 0
        if not args.reset:
            print(f"A demo database exists at {path}; use --reset to make a new one.")
            return 1
        keys.forget_key(path)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    passphrase = (
        None
        if keys.keyring_usable()
        else (os.environ.get("ROI_DESK_PASSPHRASE") or DEMO_PASSPHRASE)
    )
    db = open_database(path, create=True, new_passphrase=passphrase)
    try:
        with db.transaction() as session:
            seed_demo(session, requests=args.requests)
    finally:
        db.close()
    where = "the system keyring" if passphrase is None else "a passphrase"
    print(f"Demo database with {args.requests} synthetic requests: {path} (key in {where})")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    if args.database_url:
        return _init_server(args)
    path = database_path(args)
    if database_exists(path):
        print(f"A database already exists at {path}.")
        return 1
    passphrase: str | None = None
    if args.use_passphrase or not keys.keyring_usable():
        passphrase = new_passphrase(
            args,
            missing="No keyring is available: give a passphrase with --passphrase-file or "
            "ROI_DESK_PASSPHRASE.",
        )
    db = open_database(path, create=True, new_passphrase=passphrase)
    db.close()
    print(f"Created an encrypted database at {path}.")
    return 0


def _init_server(args: argparse.Namespace) -> int:
    """Prepare a department server: schema, and the document key wrapped by the
    department passphrase (the server never holds it in the clear)."""
    from roi_desk.storage.server import open_server_database

    passphrase = new_passphrase(
        args,
        missing="Give the new department passphrase with --passphrase-file or ROI_DESK_PASSPHRASE.",
    )
    db = open_server_database(args.database_url, new_passphrase=passphrase)
    print(f"The department database at {db.label} is ready.")
    db.close()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from roi_desk import audit
    from roi_desk.services import inbox

    db = open_for_script(args)
    try:
        with db.transaction() as session:
            counts = inbox.status_counts(session, inbox.InboxFilter())
            report = audit.verify_chain(session)
    finally:
        db.close()
    for status, n in counts.items():
        if n:
            print(f"{status.label:<20} {n:>8}")
    print(f"audit trail: {report.rows} events, {'intact' if report.ok else 'BROKEN'}")
    return 0 if report.ok else 3


def cmd_gui(args: argparse.Namespace) -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        print(
            "ROI Desk needs a graphical display, and none was found (DISPLAY is not set). "
            "Start it from a desktop session, or use a sub-command (roi-desk --help).",
            file=sys.stderr,
        )
        return 2
    try:
        # imported here, not at the top: scripted commands must work without Qt
        run_gui = importlib.import_module("roi_desk.ui.app").run_gui
    except ImportError as exc:  # Qt missing or its system libraries absent
        print(
            f"ROI Desk could not start its window: {exc}. Run `make run` (it installs what "
            "Qt needs) or see the README.",
            file=sys.stderr,
        )
        return 2
    if args.demo and not database_exists(database_path(args)):
        cmd_demo(argparse.Namespace(database=None, if_missing=True, reset=False, requests=120))
    source = passphrase_source(args)
    passphrase = source if isinstance(source, str) else None
    if args.demo and passphrase is None:
        passphrase = DEMO_PASSPHRASE
    # the GUI asks for the passphrase itself (a dialog, not the terminal) when it needs one
    return int(
        run_gui(
            database_path(args),
            passphrase=passphrase,
            username=args.user,
            database_url=args.database_url,
        )
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roi-desk",
        description="Release-of-information desk. With no command, the window opens.",
    )
    parser.add_argument("--version", action="version", version=f"ROI Desk {__version__}")
    parser.add_argument("--database", help="database file (default: the user data folder)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("ROI_DESK_DATABASE_URL") or None,
        help="a department PostgreSQL server instead of the local file "
        "(postgresql://user@host/roidesk)",
    )
    parser.add_argument("--demo", action="store_true", help="use the demo database")
    parser.add_argument("--passphrase-file", help="read the database passphrase from a file")
    parser.add_argument("--user", help="work as this user (default: the system login)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (never PHI)")
    parser.set_defaults(func=cmd_gui)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("gui", help="open the window (the default)")
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("demo", help="make a demo database of synthetic requests")
    p.add_argument("--if-missing", action="store_true", help="do nothing if it exists")
    p.add_argument("--reset", action="store_true", help="replace an existing demo database")
    p.add_argument("--requests", type=int, default=120, help="how many requests (default 120)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("init", help="create a new, empty encrypted database")
    p.add_argument(
        "--use-passphrase",
        action="store_true",
        help="protect it with a passphrase even if a keyring exists",
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("status", help="counts per status and an audit-trail check")
    p.set_defaults(func=cmd_status)

    for register in _plugin_registrations():
        register(sub)
    return parser


#: core packages that add sub-commands of their own (each owns its arguments)
PLUGIN_MODULES = (
    "roi_desk.redaction.cli",
    "roi_desk.redaction.propose_cli",
    "roi_desk.records.cli",
    "roi_desk.storage.cli",
    "roi_desk.sync.cli",
)

Registration = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _plugin_registrations() -> list[Registration]:
    """Sub-commands contributed by the core packages (each owns its own arguments)."""
    found: list[Registration] = []
    for name in PLUGIN_MODULES:
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name).register)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except RoiError as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
