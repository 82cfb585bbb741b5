"""``roi-desk propose`` writes the boxes file that ``roi-desk redact`` takes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from roi_desk.cli import main
from tests.data.redaction_set.build import build_all
from tests.unit.redaction.pdfgen import text_pdfium


def _doc(name: str) -> bytes:
    return next(d for d in build_all() if d.name == name).pdf


def test_propose_then_redact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "meds.pdf"
    src.write_bytes(_doc("med_list"))
    boxes = tmp_path / "boxes.json"
    assert main(["propose", str(src), "--not-consented", "hiv,sud", "--boxes", str(boxes)]) == 0
    data = json.loads(boxes.read_text(encoding="utf-8"))
    assert data["not_consented"] == ["hiv", "substance_use"]
    assert data["vocabulary_version"]
    cats = {b["category"] for b in data["boxes"]}
    assert cats == {"hiv", "substance_use"}  # mental health was initialed: never proposed
    assert all(b["confirmed_by"] is None for b in data["boxes"])
    assert any(b["reason"].startswith("Row / list item — HIV") for b in data["boxes"])
    err = capsys.readouterr().err
    assert "Biktarvy" not in err and "metformin" not in err  # counts only, no page text
    out = tmp_path / "out.pdf"
    code = main(
        [
            "redact",
            str(src),
            "--boxes",
            str(boxes),
            "-o",
            str(out),
            "--confirmed-by",
            "tester",
            "-q",
        ]
    )
    assert code == 0
    text = text_pdfium(out.read_bytes())
    assert "Biktarvy" not in text and "acamprosate" not in text
    assert "lithium" in text and "metformin" in text


def test_whole_record_from_a_security_label(tmp_path: Path) -> None:
    src = tmp_path / "eval.pdf"
    src.write_bytes(_doc("clean_ortho_note"))
    boxes = tmp_path / "b.json"
    args = ["propose", str(src), "--not-consented", "mh", "--boxes", str(boxes), "-q"]
    assert main([*args, "--security-label", "PSY"]) == 0
    (box,) = json.loads(boxes.read_text(encoding="utf-8"))["boxes"]
    assert box["reason"] == "Whole record — Mental / behavioral health: security label PSY"


def test_clear_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "x.pdf"
    src.write_bytes(_doc("clean_ortho_note"))
    assert main(["propose", str(src), "--boxes", str(tmp_path / "b.json")]) == 1
    assert "did not initial" in capsys.readouterr().err
    code = main(["propose", str(src), "--not-consented", "astrology", "-o", str(tmp_path / "b")])
    assert code == 1 and "Unknown sensitive category" in capsys.readouterr().err
    assert main(["propose", "--check-vocabulary"]) == 0


def test_start_up_does_not_load_the_nlp_library() -> None:
    import subprocess

    code = "import sys, roi_desk.cli as c; c.build_parser(); print('spacy' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
