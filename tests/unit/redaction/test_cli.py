"""``roi-desk redact`` as a script would use it."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import pytest

from roi_desk.cli import redact as cli
from tests.helpers import SHARED_PDFS
from tests.unit.redaction.pdfgen import SECRET, simple_pdf, text_pdfium, text_rect


def test_register_adds_redact_subcommand() -> None:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["redact", "in.pdf", "--boxes", "b.json", "-o", "out.pdf"])
    assert args.func is cli.run and args.input == Path("in.pdf")


def test_redact_command_writes_pdf_and_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = f"Name {SECRET} end"
    src = tmp_path / "in.pdf"
    src.write_bytes(simple_pdf([(72, 700, line)]))
    before = src.read_bytes()
    boxes = tmp_path / "boxes.json"
    rect = text_rect(72, 700, line, 5, 5 + len(SECRET))
    boxes.write_text(json.dumps([{"page": 0, "rect": list(rect), "reason": "hiv"}]))
    out, log = tmp_path / "out.pdf", tmp_path / "log.json"
    argv = ["redact", str(src), "--boxes", str(boxes), "-o", str(out), "--log", str(log)]
    assert cli.main(argv) == cli.EXIT_USER_ERROR  # nobody confirmed the box
    assert "not been confirmed" in capsys.readouterr().err
    assert cli.main([*argv, "--confirmed-by", "jdoe"]) == cli.EXIT_OK
    assert src.read_bytes() == before
    assert SECRET not in text_pdfium(out.read_bytes())
    entry = json.loads(log.read_text())
    assert entry["input_sha256"] == hashlib.sha256(before).hexdigest()
    assert entry["output_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert entry["boxes"][0]["confirmed_by"] == "jdoe"
    assert entry["verification"]["ok"] is True


def test_redact_command_with_password_file(tmp_path: Path) -> None:
    boxes = tmp_path / "boxes.json"
    boxes.write_text(json.dumps({"boxes": [{"page": 0, "rect": [50, 50, 100, 100]}]}))
    pw = tmp_path / "pw.txt"
    pw.write_text("user\n")
    out = tmp_path / "out.pdf"
    argv = [
        "redact", str(SHARED_PDFS / "qpdf_20-pages.pdf"), "--boxes", str(boxes), "-o", str(out),
        "--confirmed-by", "jdoe", "-q",
    ]  # fmt: skip
    assert cli.main(argv) == cli.EXIT_USER_ERROR
    assert cli.main([*argv, "--password-file", str(pw)]) == cli.EXIT_OK
    assert out.read_bytes().startswith(b"%PDF")


def test_box_outside_page_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.pdf"
    src.write_bytes(simple_pdf([(72, 700, "x")]))
    boxes = tmp_path / "boxes.json"
    boxes.write_text(json.dumps([{"page": 0, "rect": [600, 700, 900, 900]}]))
    code = cli.main(
        [
            "redact",
            str(src),
            "--boxes",
            str(boxes),
            "-o",
            str(tmp_path / "o.pdf"),
            "--confirmed-by",
            "x",
        ]
    )
    assert code == cli.EXIT_USER_ERROR
    assert "outside page 1" in capsys.readouterr().err
    assert not (tmp_path / "o.pdf").exists()
