"""The ``roi-desk`` command: the GUI by default, sub-commands for scripted work.

Qt is imported only when the GUI starts, so ``roi-desk demo`` and the other scripted
commands work on a machine with no display and no Qt. Nothing heavy is imported to parse
the command line: the storage stack (SQLAlchemy, Alembic, the models) is imported by the
command that opens a database, and a sub-command contributed by a core package is listed in
``SUBCOMMANDS`` by name, module and help line, so ``--help``, ``--version`` and every
other command never import that package's engine (PDF, fonts, sync) — only the command
that runs does.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from roi_desk import __version__
from roi_desk.cli.support import (
    DEMO_PASSPHRASE,
    _app_paths,
    database_path,
    new_passphrase,
    open_for_script,
    passphrase_source,
)
from roi_desk.errors import KeyUnavailableError, RoiError

if TYPE_CHECKING:
    from roi_desk.storage.keys import Unwrapping

__all__ = [
    "DEMO_PASSPHRASE",
    "PLUGIN_MODULES",
    "SUBCOMMANDS",
    "build_parser",
    "database_path",
    "main",
    "open_for_script",
]

# --------------------------------------------------------------------------------- commands


def cmd_demo(args: argparse.Namespace) -> int:
    from roi_desk.demo import seed_demo
    from roi_desk.storage import database_exists, keys, open_database

    path = Path(args.database).expanduser() if args.database else _app_paths().demo_database
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
    fallback = os.environ.get("ROI_DESK_PASSPHRASE") or DEMO_PASSPHRASE
    passphrase = None if keys.keyring_usable() else fallback
    try:
        db = open_database(path, create=True, new_passphrase=passphrase)
    except KeyUnavailableError:
        if passphrase is not None:
            raise
        # the keyring did not keep the key (read back): never report success on it
        keys.forget_key(path)
        passphrase = fallback
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
    from roi_desk.storage import database_exists, keys, open_database

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
    db = open_database(path, create=True, new_passphrase=passphrase, recovery=True)
    db.close()
    where = "this computer's keyring" if passphrase is None else "your passphrase"
    print(f"Created an encrypted database at {path} (key kept by {where}).")
    from roi_desk.cli.recover import print_recovery_key

    print_recovery_key(db.recovery_key, args.recovery_key_file)
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
    from roi_desk.storage import database_exists

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
    source = passphrase_source(args)
    unwrapping = _start_unwrap(args, source)
    if _opens_without_asking(args, source):
        from roi_desk.services.preload import load_storage_now, signs_in_while_opening

        # a desk start paints the sign-in dialog first and opens the database behind it,
        # where the stack is loaded (roi_desk/ui/signin_first.py); a scripted or inbox
        # benchmark start opens it before any window: the stack is imported first, while
        # scrypt runs on the other core (roi_desk/services/preload.py, issue 13)
        if not signs_in_while_opening(args.user):
            load_storage_now()
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
            unwrapping=unwrapping,
        )
    )


def _opens_without_asking(args: argparse.Namespace, source: object) -> bool:
    """True when the local database will open before the window asks anything (its key
    given as a passphrase from a file or the environment, the demo's own, or kept by the
    keyring). A dialog that waits for the clerk loads the stack on a thread instead."""
    if args.database_url:
        return False  # the department server: connecting comes first, the plain path
    from roi_desk.services.preload import opens_without_asking

    key_given = isinstance(source, str) or bool(args.demo)
    return opens_without_asking(database_path(args), key_given=key_given)


def _start_unwrap(args: argparse.Namespace, source: object) -> Unwrapping | None:
    """With the passphrase already given (file, environment), start unwrapping the key of
    an existing local database now: scrypt runs on the other core while Qt and the window
    import (issue 13). None otherwise (a dialog asks, the keyring has it, a server)."""
    if args.demo or args.database_url or not isinstance(source, str):
        return None
    from roi_desk.storage import keys

    return keys.start_unwrap(database_path(args), source)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``roi-desk`` parser. With no ``command``, every sub-command is fully registered
    (its module imported); with one, only the module that provides ``command`` is imported
    and the others appear by name and help line (enough for ``--help`` and dispatch)."""
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
    p.add_argument(
        "--recovery-key-file", help="save the new recovery key to this file (not the screen)"
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("status", help="counts per status and an audit-trail check")
    p.set_defaults(func=cmd_status)

    if command is None:
        modules = list(PLUGIN_MODULES)
    else:
        modules = [c.module for c in SUBCOMMANDS if c.name == command][:1]
    registered: set[str] = set()
    for module in modules:
        register = _registration(module)
        if register is not None:
            register(sub)
            registered.add(module)
    for c in SUBCOMMANDS:
        if c.module not in registered and c.name not in sub.choices:
            _name_only_parser(sub, c)
    return parser


class Subcommand(NamedTuple):
    """A sub-command in a module of its own under roi_desk.cli: its name, the module whose
    ``register(subparsers)`` adds it (imported only when that command runs), and the help
    line shown by ``roi-desk --help`` (a unit test keeps it equal to the module's own)."""

    name: str
    module: str
    help: str


#: one line per sub-command; a new command is a module in roi_desk/cli/ and one more line here
SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "checklist",
        "roi_desk.cli.checklist",
        "print the authorization decision on a request (read-only)",
    ),
    Subcommand(
        "redact",
        "roi_desk.cli.redact",
        "remove boxed regions from a PDF for real, sanitize it and verify the result",
    ),
    Subcommand(
        "propose",
        "roi_desk.cli.propose",
        "propose redaction boxes for the sensitive categories the patient did not initial",
    ),
    Subcommand(
        "import",
        "roi_desk.cli.chart_import",
        "import FHIR R4 bundles and PDFs into a patient's chart",
    ),
    Subcommand(
        "backup",
        "roi_desk.cli.backup",
        "write an encrypted backup of the database (works while it is open)",
    ),
    Subcommand("verify-backup", "roi_desk.cli.backup", "check a backup without restoring it"),
    Subcommand(
        "restore", "roi_desk.cli.backup", "check a backup, then put it in place of the database"
    ),
    Subcommand("audit", "roi_desk.cli.backup", "audit-trail tools"),
    Subcommand(
        "recover",
        "roi_desk.cli.recover",
        "open a database again with its recovery key (keyring or passphrase lost)",
    ),
    Subcommand(
        "recovery-key",
        "roi_desk.cli.recover",
        "make a new recovery key for the database (the old one stops)",
    ),
    Subcommand(
        "sync", "roi_desk.cli.sync", "exchange work with the department server or a satellite"
    ),
)

#: the modules of roi_desk.cli that add sub-commands of their own (each owns its arguments)
PLUGIN_MODULES: tuple[str, ...] = tuple(dict.fromkeys(c.module for c in SUBCOMMANDS))

Registration = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _registration(module: str) -> Registration | None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        return None
    register: Registration = importlib.import_module(module).register
    return register


def _name_only_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], c: Subcommand
) -> None:
    """The lazy stand-in of a sub-command whose module is not imported: its name and help
    line only, with the rest of the command line kept unparsed until :func:`_parse` imports
    that one module and parses again (so ``--help`` imports no command's engine)."""
    p = sub.add_parser(c.name, help=c.help, add_help=False)
    p.add_argument("_rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(_lazy_command=c.name)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse with name-only stand-ins first; when a contributed sub-command was chosen, parse
    again with that one module registered (argparse itself finds the command word, so the
    global options before it keep their meaning)."""
    args = list(sys.argv[1:] if argv is None else argv)
    names_only = build_parser(command="")
    first, _unknown = names_only.parse_known_args(args)
    command = getattr(first, "_lazy_command", None)
    if command is None:
        return names_only.parse_args(args)
    return build_parser(command=command).parse_args(args)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)  # `--version` and `--help` exit here, before logging is imported
    import logging

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
