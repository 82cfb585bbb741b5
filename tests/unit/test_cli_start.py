"""A sub-command's ``--help`` costs the parser, not its engine (issue 13).

``tests.bench.bench_cli`` counts importing a command's module as the command's own work,
so a module that imports SQLAlchemy at its top would hide ~1-2 s inside that floor: these
commands import their storage stack only when they run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import modules_after_cli

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "cryptography", "sqlcipher3", "keyring", "nacl")
#: the commands whose modules work on a database: each one's --help stays light
STORAGE_COMMANDS = (
    "backup",
    "verify-backup",
    "restore",
    "audit",
    "recover",
    "recovery-key",
    "sync",
)


@pytest.mark.parametrize("command", STORAGE_COMMANDS)
def test_help_of_a_storage_command_imports_no_storage_stack(command: str) -> None:
    from roi_desk.cli import SUBCOMMANDS

    module = next(c.module for c in SUBCOMMANDS if c.name == command)
    loaded = modules_after_cli(command, "--help")
    assert module in loaded  # its own arguments were registered
    assert not sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert not sorted(
        m for m in loaded if m.startswith(("roi_desk.storage", "roi_desk.models", "roi_desk.sync."))
    )
