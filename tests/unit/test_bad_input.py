"""Clear words for bad input: each case a hostile tester found, with the sentence it gets.

Before, these ended in a traceback or in a message that sent the clerk the wrong way
(issue 12, item 5).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pikepdf
import pytest

from roi_desk.cli import chart_import as records_cli
from roi_desk.cli import main
from roi_desk.errors import DocumentError
from roi_desk.records.fhir import read_bundle
from roi_desk.records.pdf_import import import_pdf
from roi_desk.storage import keys

DEEP = 200_000


def _deep_bundle() -> bytes:
    return b'{"resourceType":"Bundle","entry":' + b"[" * DEEP + b"]" * DEEP + b"}"


def test_a_deeply_nested_json_is_refused_in_words() -> None:
    with pytest.raises(DocumentError, match="nested far too deeply"):
        read_bundle(_deep_bundle())


def test_import_of_a_deeply_nested_json_prints_no_traceback(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "export.json"
    deep.write_bytes(_deep_bundle())
    argv = ["--database", str(db_path), "import", "--patient-mrn", "RGH-1001", str(deep)]
    code = records_cli.main(argv)
    out, err = capsys.readouterr()
    assert code == records_cli.EXIT_ALL_FAILED
    assert "export.json: This file is nested far too deeply" in out
    assert "Traceback" not in out + err and "RecursionError" not in out + err


def test_a_non_pdf_named_pdf_is_told_it_is_not_a_pdf(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "scan.pdf"
    fake.write_bytes(b"PK\x03\x04 a Word file in disguise" + b"\0" * 200)
    with pytest.raises(DocumentError, match="This is not a PDF"):
        import_pdf(fake.read_bytes(), source_name=fake.name)
    argv = ["--database", str(db_path), "import", "--patient-mrn", "RGH-1001", str(fake)]
    assert records_cli.main(argv) == records_cli.EXIT_ALL_FAILED
    out = capsys.readouterr().out
    assert "scan.pdf: This is not a PDF" in out
    assert "JSON" not in out


def _protected_pdf(password: str) -> bytes:
    buf = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(buf, encryption=pikepdf.Encryption(user=password, owner=password + "!"))
    return buf.getvalue()


def test_a_wrong_pdf_password_is_not_told_to_enter_one() -> None:
    data = _protected_pdf("user")
    with pytest.raises(DocumentError, match=r"protected by a password\. Enter the password"):
        import_pdf(data, source_name="chart.pdf")
    with pytest.raises(DocumentError, match="The password for this PDF is not right"):
        import_pdf(data, source_name="chart.pdf", password="not the password")
    assert import_pdf(data, source_name="chart.pdf", password="user")[0].page_count == 1


def test_a_database_without_its_key_file_says_the_key_file_is_missing(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys.key_file_for(db_path).unlink()
    for argv in (["status"], ["audit", "verify"]):
        assert main(["--database", str(db_path), *argv]) == 1
        err = capsys.readouterr().err
        assert "key file" in err and "is missing" in err, argv
        assert "There is no ROI Desk database" not in err
    # and where there is truly nothing, that is what it says
    shutil.move(db_path, db_path.with_name("elsewhere.db"))
    assert main(["--database", str(db_path), "status"]) == 1
    assert "There is no ROI Desk database at" in capsys.readouterr().err


def test_an_empty_passphrase_file_is_called_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("roi_desk.storage.keys.keyring_usable", lambda: False)
    good = tmp_path / "good.txt"
    good.write_text("a passphrase long enough\n")
    db = str(tmp_path / "x.db")
    assert main(["--database", db, "--passphrase-file", str(good), "init"]) == 0
    capsys.readouterr()
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    assert main(["--database", db, "--passphrase-file", str(empty), "status"]) == 1
    err = capsys.readouterr().err
    assert "empty.txt is empty" in err
    assert main(["--database", db, "--passphrase-file", str(good), "status"]) == 0
