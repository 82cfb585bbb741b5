"""No lost keys, files only the user can read (issue 12, items 1 and 3).

A keyring write is never trusted: it is read back. A recovery key made at ``init``
unwraps the database key when the keyring or the passphrase is lost. The data folder is
0700 and its files 0600, repaired at open; old, cheaper scrypt wraps are re-wrapped.
"""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.null
import pytest

from roi_desk.cli import main
from roi_desk.errors import KeyUnavailableError, WrongPassphraseError
from roi_desk.paths import app_paths
from roi_desk.storage import keys, open_database, recover_database
from tests.conftest import MEMORY_KEYRING, InMemoryKeyring

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


class ForgetfulKeyring(keyring.backend.KeyringBackend):
    """Says yes to every write and keeps nothing, like a broken Secret Service."""

    priority = 0.1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        return None


@pytest.fixture
def use_keyring() -> Iterator[type[None]]:
    yield type(None)
    keyring.set_keyring(MEMORY_KEYRING)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_null_forgetful_and_empty_keyrings_are_unusable(use_keyring: object) -> None:
    assert keys.keyring_usable()  # the tests' in-memory keyring keeps what it is given
    keyring.set_keyring(keyring.backends.null.Keyring())
    assert not keys.keyring_usable()
    keyring.set_keyring(ForgetfulKeyring())
    assert not keys.keyring_usable()  # the probe secret did not come back
    with pytest.raises(KeyUnavailableError, match="did not keep it"):
        keys.store_in_keyring("some-db", b"k" * 32)


def _backend_from(module: str, **attrs: object) -> keyring.backend.KeyringBackend:
    """A keyring that keeps what it is given, but says it comes from ``module``."""
    cls = type("Pretend", (InMemoryKeyring,), {"__module__": module, **attrs})
    backend: keyring.backend.KeyringBackend = cls()
    return backend


def test_plaintext_fail_and_empty_chainer_backends_are_unusable(use_keyring: object) -> None:
    for module, attrs in (
        ("keyrings.alt.file", {}),  # the key base64 in a file on disk
        ("keyring.backends.fail", {}),
        ("keyring.backends.chainer", {"backends": []}),
        ("keyring.backends.chainer", {"backends": [keyring.backends.null.Keyring()]}),
    ):
        keyring.set_keyring(_backend_from(module, **attrs))
        assert not keys.keyring_usable(), (module, attrs)
    # the same backend under its own name keeps the probe secret: usable
    keyring.set_keyring(_backend_from("roi_desk_tests.vault"))
    assert keys.keyring_usable()


def test_demo_with_the_null_keyring_keeps_its_key_under_a_passphrase(
    use_keyring: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_keyring(keyring.backends.null.Keyring())
    assert main(["demo", "--requests", "3"]) == 0
    out = capsys.readouterr().out
    assert "key in a passphrase" in out and "keyring" not in out
    path = app_paths().demo_database
    assert keys.read_key_info(path).method == "passphrase"
    open_database(path, passphrase="roi-desk-demo-only").close()
    if sys.platform != "win32":
        # every folder ROI Desk made on the way is 0700, not only the last one
        for folder in (path.parent, app_paths().data_dir, app_paths().data_dir.parent):
            assert _mode(folder) == 0o700, folder


def test_a_keyring_that_loses_the_key_at_create_is_caught(
    use_keyring: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the probe passes, the real write is lost: create_key must still find out
    keyring.set_keyring(ForgetfulKeyring())
    monkeypatch.setattr(keys, "keyring_usable", lambda: True)
    with pytest.raises(KeyUnavailableError, match="did not keep it"):
        open_database(tmp_path / "x.db", create=True)
    path = tmp_path / "demo.db"
    assert main(["--database", str(path), "demo", "--requests", "2"]) == 0
    assert keys.read_key_info(path).method == "passphrase"


def _recovery_from(out: str) -> str:
    line = next(x for x in out.splitlines() if x.startswith("Recovery key: "))
    return line.removeprefix("Recovery key: ")


def test_keyring_lost_recovery_key_used(
    use_keyring: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a keyring of this test's own: clearing the shared one would lose the template
    # database's key for every later test
    own = InMemoryKeyring()
    keyring.set_keyring(own)
    db = tmp_path / "data" / "roi-desk.db"
    assert main(["--database", str(db), "init"]) == 0
    out = capsys.readouterr().out
    assert "keyring" in out and "shown only now" in out
    recovery = _recovery_from(out)
    assert len(recovery.split("-")) == 8
    # the recovery key is in no file ROI Desk wrote
    for file in db.parent.iterdir():
        assert recovery.replace("-", "") not in file.read_bytes().decode(errors="ignore")
    # a new Windows profile / reinstalled PC: the keyring no longer holds the key
    own.store.clear()
    assert main(["--database", str(db), "status"]) == 1
    assert "not in this computer's keyring" in capsys.readouterr().err
    monkeypatch.setenv("ROI_DESK_RECOVERY_KEY", recovery.lower().replace("-", " "))
    assert main(["--database", str(db), "recover"]) == 0
    assert "opens again" in capsys.readouterr().out
    assert main(["--database", str(db), "status"]) == 0
    assert keys.read_key_info(db).has_recovery  # the same recovery key keeps working


def test_passphrase_forgotten_recovery_key_file_and_a_new_passphrase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "roi-desk.db"
    first = tmp_path / "first.txt"
    first.write_text("the first passphrase\n")
    saved = tmp_path / "recovery.txt"
    argv = ["--database", str(db), "--passphrase-file", str(first)]
    assert main([*argv, "init", "--use-passphrase", "--recovery-key-file", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "Recovery key:" not in out and "saved to" in out
    assert _mode(saved) == 0o600
    second = tmp_path / "second.txt"
    second.write_text("a brand new passphrase\n")
    argv = ["--database", str(db), "--passphrase-file", str(second)]
    assert main([*argv, "status"]) == 1  # forgotten: the old one is not known
    capsys.readouterr()
    assert main([*argv, "recover", "--use-passphrase", "--recovery-key-file", str(saved)]) == 0
    assert "new passphrase" in capsys.readouterr().out
    assert main([*argv, "status"]) == 0
    with pytest.raises(WrongPassphraseError):
        keys.load_key(db, "the first passphrase")


def test_a_wrong_or_malformed_recovery_key_changes_nothing(tmp_path: Path) -> None:
    db_path = tmp_path / "roi-desk.db"
    db = open_database(db_path, create=True, recovery=True)
    db.close()
    before = keys.key_file_for(db_path).read_text()
    other = keys.format_recovery_key(b"\x01" * keys.RECOVERY_BYTES)
    with pytest.raises(WrongPassphraseError, match="not the one for this database"):
        recover_database(db_path, other)
    with pytest.raises(WrongPassphraseError, match="not a recovery key"):
        recover_database(db_path, "ABCD-EFGH")
    assert keys.key_file_for(db_path).read_text() == before
    # a database without a recovery key says so, and a new one can be made for it
    plain = tmp_path / "plain.db"
    open_database(plain, create=True).close()
    with pytest.raises(KeyUnavailableError, match="has no recovery key"):
        recover_database(plain, other)
    assert main(["--database", str(plain), "recovery-key"]) == 0
    assert keys.read_key_info(plain).has_recovery


@posix_only
def test_the_data_folder_is_0700_and_its_files_0600_and_repaired_at_open(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    db_path = folder / "roi-desk.db"
    db = open_database(db_path, create=True, new_passphrase="a long passphrase")
    db.close()
    assert _mode(folder) == 0o700
    for name in ("roi-desk.db", "roi-desk.db.key.json"):
        assert _mode(folder / name) == 0o600, name
    # someone copied the folder with a loose umask
    folder.chmod(0o755)
    db_path.chmod(0o644)
    keys.key_file_for(db_path).chmod(0o644)
    db = open_database(db_path, passphrase="a long passphrase")
    try:
        wal = folder / "roi-desk.db-wal"
        assert not wal.exists() or _mode(wal) == 0o600
        assert len(db.notices) == 3 and "readable by others" in db.notices[0]
    finally:
        db.close()
    assert _mode(folder) == 0o700 and _mode(db_path) == 0o600
    assert _mode(keys.key_file_for(db_path)) == 0o600


def test_new_wraps_use_owasp_scrypt_and_old_ones_are_rewrapped_at_unlock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (keys.SCRYPT_N, keys.SCRYPT_R, keys.SCRYPT_P) >= (2**17, 8, 1)
    db_path = tmp_path / "roi-desk.db"
    monkeypatch.setattr(keys, "SCRYPT_N", 2**14)  # as an older version made it
    open_database(db_path, create=True, new_passphrase="a long passphrase").close()
    assert json.loads(keys.key_file_for(db_path).read_text())["n"] == 2**14
    monkeypatch.undo()
    key = keys.load_key(db_path, "a long passphrase")
    assert json.loads(keys.key_file_for(db_path).read_text())["n"] == 2**17
    assert keys.load_key(db_path, "a long passphrase") == key
