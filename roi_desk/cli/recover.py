"""``roi-desk recover`` and ``roi-desk recovery-key``: the key back from the recovery key.

A keyring is not a backup. When the keyring lost the database key (a new Windows profile,
a reinstalled PC, a broken Secret Service) or the passphrase is forgotten, the recovery
key made at ``init`` (or in the first-run window) unwraps the database key from the key
file, and ``recover`` stores it again: in this computer's keyring (read back to check),
or under a new passphrase. ``recovery-key`` makes a new recovery key for a database that
opens (the old one stops working), e.g. for one made before recovery keys existed.

Added to ``roi-desk`` through ``SUBCOMMANDS`` in roi_desk/cli/main.py. The storage stack
is imported when a command runs, not for ``--help`` (issue 13).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from roi_desk.cli.support import (
    database_path,
    new_passphrase,
    read_passphrase_file,
    script_passphrase,
)
from roi_desk.errors import WrongPassphraseError

__all__ = ["print_recovery_key", "register"]


def print_recovery_key(recovery_key: str, save_to: str | None) -> None:
    """Show a new recovery key once: on the terminal, or into a 0600 file the
    administrator asked for (then moves to paper or a safe — it unlocks every record)."""
    if save_to:
        from roi_desk.storage.files import write_private

        path = Path(save_to).expanduser()
        write_private(path, f"ROI Desk recovery key: {recovery_key}\n".encode())
        print(f"The recovery key was saved to {path} (readable by you only).")
    else:
        print(f"Recovery key: {recovery_key}")
    print(
        "Keep the recovery key somewhere safe, away from this computer (print it, or store "
        "it in the hospital's password safe). It is shown only now. With it, `roi-desk "
        "recover` opens the records if the keyring or the passphrase is ever lost; without "
        "it, they cannot be opened."
    )


def _recovery_key(args: argparse.Namespace) -> str:
    if args.recovery_key_file:
        text = read_passphrase_file(args.recovery_key_file, what="recovery key file")
        return text.rsplit(":", 1)[-1].strip()  # the file print_recovery_key writes
    env = os.environ.get("ROI_DESK_RECOVERY_KEY")
    if env:
        return env
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Recovery key: ")
    raise WrongPassphraseError(
        "Give the recovery key with --recovery-key-file or ROI_DESK_RECOVERY_KEY."
    )


def cmd_recover(args: argparse.Namespace) -> int:
    from roi_desk.storage import keys, recover_database, require_database

    path = database_path(args)
    require_database(path)
    recovery_key = _recovery_key(args)
    passphrase: str | None = None
    if args.use_passphrase or not keys.keyring_usable():
        passphrase = new_passphrase(
            args,
            missing="No usable keyring here: give the new passphrase with --passphrase-file "
            "or ROI_DESK_PASSPHRASE.",
        )
    method = recover_database(path, recovery_key, new_passphrase=passphrase)
    where = "this computer's keyring" if method == "keyring" else "the new passphrase"
    print(f"The database at {path} opens again: its key is now kept by {where}.")
    print("The recovery key still works; keep it safe.")
    return 0


def cmd_new_recovery_key(args: argparse.Namespace) -> int:
    from roi_desk.storage import keys, require_database
    from roi_desk.storage.engine import make_engine

    path = database_path(args)
    require_database(path)
    key = keys.load_key(path, script_passphrase(args))
    make_engine(path, key).dispose()  # the key really opens it before a wrap is made
    print_recovery_key(keys.add_recovery_key(path, key), args.save_to)
    print("Any earlier recovery key for this database no longer works.")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "recover",
        help="open a database again with its recovery key (keyring or passphrase lost)",
    )
    p.add_argument("--recovery-key-file", help="a file holding the recovery key")
    p.add_argument(
        "--use-passphrase",
        action="store_true",
        help="protect it with a new passphrase (--passphrase-file) even if a keyring exists",
    )
    p.set_defaults(func=cmd_recover)

    p = sub.add_parser(
        "recovery-key", help="make a new recovery key for the database (the old one stops)"
    )
    p.add_argument("--save-to", help="write it to this file (readable by you only)")
    p.set_defaults(func=cmd_new_recovery_key)
