"""Administrator sub-commands: ``backup``, ``verify-backup``, ``restore``, ``audit verify``.

Added to ``roi-desk`` through ``SUBCOMMANDS`` in roi_desk/cli/main.py. ``backup`` and
``audit verify`` work while ROI Desk is open on the same file: they take no file lock and
only read (a backup adds one audit event). ``restore`` refuses while the database is open.

Exit codes: 0 done / intact; 1 a problem a user can fix (printed); 3 the audit trail or
the backup is broken (the first bad event's number is printed).

Each command imports the storage stack when it runs, not when this module is imported:
``roi-desk backup --help`` and a mistyped argument cost the parser only. ``backup``,
``verify-backup`` and ``restore`` of the current schema import no SQLAlchemy even then
(roi_desk/storage/backup.py); ``audit verify`` reads the trail through the ORM (issue 13;
tests/unit/backup/test_backup_cli_start.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from roi_desk.cli.support import database_path, read_passphrase_file, script_passphrase

__all__ = ["register"]

BROKEN = 3


def _escrow(args: argparse.Namespace) -> str | None:
    if not args.escrow_passphrase_file:
        return None
    return read_passphrase_file(args.escrow_passphrase_file, what="escrow passphrase file")


def cmd_backup(args: argparse.Namespace) -> int:
    from roi_desk.storage.backup import backup_file

    report = backup_file(
        database_path(args),
        Path(args.target),
        passphrase=script_passphrase(args),
        escrow_passphrase=_escrow(args),
    )
    print(
        f"Backup written to {report.path} (schema {report.revision}, "
        f"{report.audit_events} audit events)."
    )
    return 0


def cmd_verify_backup(args: argparse.Namespace) -> int:
    from roi_desk.storage.backup import verify_backup

    report = verify_backup(Path(args.backup), passphrase=script_passphrase(args))
    if report.ok:
        print(
            f"Backup {report.path} is good: made {report.created_at}, schema "
            f"{report.revision}, {report.audit_events} audit events."
        )
        return 0
    for problem in report.problems:
        print(problem, file=sys.stderr)
    return BROKEN


def cmd_restore(args: argparse.Namespace) -> int:
    target = database_path(args)
    if target.exists() and not args.yes:
        print(
            f"{target} exists. Add --yes to replace it (the current file is kept beside it "
            "as a .before-restore copy).",
            file=sys.stderr,
        )
        return 1
    from roi_desk.storage.backup import restore

    report = restore(Path(args.backup), target, passphrase=script_passphrase(args))
    print(f"Restored {target} from the backup made {report.created_at}.")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from roi_desk import audit
    from roi_desk.storage import checkpoint, keys, require_database
    from roi_desk.storage.engine import make_engine

    path = database_path(args)
    require_database(path)
    # no lock and no schema upgrade: an administrator may check while the desk works
    key = keys.load_key(path, script_passphrase(args))
    engine = make_engine(path, key)
    try:
        with Session(engine) as session:
            report = audit.verify_chain(session)
            anchored = checkpoint.compare(
                session,
                checkpoint.checkpoint_path(path),
                checkpoint.anchor_key(key),
                keys.read_key_info(path).db_id,
            )
            findings = audit.checkpoint_findings(session)
    finally:
        engine.dispose()
    broken = False
    if report.ok and anchored.ok:
        print(f"audit trail: {report.rows} events, intact")
    elif report.ok:
        print(
            f"audit trail: {report.rows} events, chain intact, but its END IS NOT", file=sys.stderr
        )
        broken = True
    else:
        print(
            f"audit trail: BROKEN at event {report.first_bad_seq}: {report.problem}",
            file=sys.stderr,
        )
        broken = True
    print(anchored.describe(), file=sys.stdout if anchored.ok else sys.stderr)
    for finding in findings:
        # found at an earlier open and written into the trail: it stays reported
        print(f"earlier finding recorded in the trail: {finding}", file=sys.stderr)
        broken = True
    return BROKEN if broken else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "backup", help="write an encrypted backup of the database (works while it is open)"
    )
    p.add_argument("target", help="a new, empty folder for the backup")
    p.add_argument(
        "--escrow-passphrase-file",
        help="also wrap the key with this passphrase, to restore on another computer",
    )
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("verify-backup", help="check a backup without restoring it")
    p.add_argument("backup", help="the backup folder")
    p.set_defaults(func=cmd_verify_backup)

    p = sub.add_parser("restore", help="check a backup, then put it in place of the database")
    p.add_argument("backup", help="the backup folder")
    p.add_argument("--yes", action="store_true", help="replace an existing database file")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("audit", help="audit-trail tools")
    audit_sub = p.add_subparsers(title="audit commands", metavar="ACTION")
    v = audit_sub.add_parser("verify", help="check the hash chain (exit 3 if broken)")
    v.set_defaults(func=cmd_audit_verify)
    audit_parser = p

    def _audit_usage(_args: argparse.Namespace) -> int:
        audit_parser.print_help()
        return 1

    p.set_defaults(func=_audit_usage)
