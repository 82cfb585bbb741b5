"""``roi-desk sync …``: exchanging work with the department server or a satellite.

* ``sync keys`` — show this site's key line (give it to the other site's administrator);
  ``sync keys --add LINE`` registers the other site's key.
* ``sync export --to FILE [--peer NAME] [--full]`` — write a signed, encrypted bundle of
  what that peer has not seen (``--full``: everything again, after a lost stick).
* ``sync import FILE`` — verify and apply a bundle (all or nothing; replay-safe).
* ``sync direct --server-url URL`` — push then pull against a reachable server.

The department sync passphrase comes from ``--sync-passphrase-file``, the environment
(``ROI_DESK_SYNC_PASSPHRASE``) or the terminal. Exit codes: 0 done, 1 a problem the user
can fix (printed), 2 imported with conflicts left for a supervisor.

SQLAlchemy, the models and the sync engine are imported when a command runs, not for
``--help`` (issue 13).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from roi_desk.cli.support import open_for_script, passphrase_source, read_passphrase_file
from roi_desk.sync import SyncError

if TYPE_CHECKING:
    from roi_desk.models.sync import SyncPeer
    from roi_desk.sync.exchange import ImportReport

__all__ = ["register"]

CONFLICTS = 2


def _sync_passphrase(args: argparse.Namespace) -> str:
    if getattr(args, "sync_passphrase_file", None):
        return read_passphrase_file(args.sync_passphrase_file, what="sync passphrase file")
    env = os.environ.get("ROI_DESK_SYNC_PASSPHRASE")
    if env:
        return env
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Department sync passphrase: ")
    raise SyncError(
        "The department sync passphrase is needed: set ROI_DESK_SYNC_PASSPHRASE or use "
        "--sync-passphrase-file."
    )


def _pick_peer(peers: list[SyncPeer], wanted: str | None) -> SyncPeer:
    if wanted:
        found = [p for p in peers if p.name == wanted or str(p.id).startswith(wanted)]
        if len(found) == 1:
            return found[0]
        raise SyncError(f"No single registered site matches '{wanted}'. See 'roi-desk sync keys'.")
    if len(peers) == 1:
        return peers[0]
    if not peers:
        raise SyncError("No other site is registered yet. Register one with 'sync keys --add'.")
    raise SyncError("Several sites are registered; choose one with --peer NAME.")


def _print_report(report: ImportReport) -> int:
    if report.replayed:
        print(f"This bundle from '{report.peer}' was already imported; nothing changed.")
        return 0
    c = report.counts()
    print(
        f"Imported from '{report.peer}': {c['inserted']} new, {c['updated']} updated, "
        f"{c['documents']} documents, {c['audit_events']} audit events."
    )
    for number in report.renumbered:
        print(f"  request number in use here; theirs is kept as {number}")
    if report.conflicts:
        print(
            f"{report.conflicts} record(s) were changed on both sides. Both versions are kept; "
            "a supervisor resolves them under Tools > Sync conflicts."
        )
        return CONFLICTS
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from roi_desk.models.sync import SyncPeer
    from roi_desk.sync import site

    db = open_for_script(args)
    try:
        with db.transaction() as s:
            own = site.ensure_site(s, args.name or "")
            if args.add:
                peer = site.register_peer(s, args.add)
                print(f"Registered site '{peer.name}' ({peer.id}).")
            print("This site's key (give this line to the other site):")
            print(site.public_key_text(own))
            for p in s.scalars(select(SyncPeer).order_by(SyncPeer.name)):
                print(f"  known site: {p.name} ({p.id})")
    finally:
        db.close()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from roi_desk.models.sync import SyncPeer
    from roi_desk.storage.files import write_private
    from roi_desk.sync.exchange import export_bundle

    target = Path(args.to)
    if target.exists():
        raise SyncError(f"{target} already exists; choose a new file name.")
    passphrase = _sync_passphrase(args)
    db = open_for_script(args)
    try:
        with db.transaction() as s:
            peer = _pick_peer(list(s.scalars(select(SyncPeer))), args.peer)
            result = export_bundle(s, peer.id, passphrase=passphrase, full=args.full)
            # written inside the transaction: if the file cannot be written, nothing is
            # marked as sent
            try:
                # whole or not at all, 0600 (an encrypted bundle is still the records)
                write_private(target, result.data)
            except OSError as exc:
                raise SyncError(f"Could not write {target}: {exc.strerror}.") from exc
    finally:
        db.close()
    print(
        f"Wrote {target} for '{peer.name}': {result.rows} records, {result.documents} "
        f"documents, {result.audit_events} audit events."
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from roi_desk.sync.exchange import import_bundle

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise SyncError(f"Could not read {args.file}: {exc.strerror}.") from exc
    passphrase = _sync_passphrase(args)
    db = open_for_script(args)
    try:
        with db.transaction() as s:
            report = import_bundle(s, data, passphrase=passphrase)
    finally:
        db.close()
    return _print_report(report)


def cmd_direct(args: argparse.Namespace) -> int:
    from roi_desk.storage.server import open_server_database
    from roi_desk.sync.direct import sync_direct

    passphrase = _sync_passphrase(args)
    local = open_for_script(args)
    try:
        server = open_server_database(args.server_url, passphrase=passphrase_source(args))
        try:
            report = sync_direct(local, server, passphrase=passphrase)
        finally:
            server.close()
    finally:
        local.close()
    print("Sent to the server:")
    _print_report(report.pushed)
    print("Received from the server:")
    return _print_report(report.pulled)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sync", help="exchange work with the department server or a satellite")
    p.add_argument("--sync-passphrase-file", help="read the department sync passphrase here")
    actions = p.add_subparsers(title="sync commands", metavar="ACTION")

    k = actions.add_parser("keys", help="show this site's key; --add registers another's")
    k.add_argument("--add", metavar="LINE", help="the other site's key line")
    k.add_argument("--name", help="this site's name, the first time (e.g. 'North clinic')")
    k.set_defaults(func=cmd_keys)

    e = actions.add_parser("export", help="write a bundle for another site")
    e.add_argument("--to", required=True, metavar="FILE", help="the bundle file to write")
    e.add_argument("--peer", help="which registered site (name or id) it is for")
    e.add_argument("--full", action="store_true", help="send everything again")
    e.set_defaults(func=cmd_export)

    i = actions.add_parser("import", help="apply a bundle from another site")
    i.add_argument("file", help="the bundle file")
    i.set_defaults(func=cmd_import)

    d = actions.add_parser("direct", help="push and pull against a reachable server")
    # not --database-url: that global option names *this* database
    d.add_argument("--server-url", required=True, help="postgresql://user@server/roidesk")
    d.set_defaults(func=cmd_direct)
    sync_parser = p

    def _usage(_args: argparse.Namespace) -> int:
        sync_parser.print_help()
        return 1

    p.set_defaults(func=_usage)
