"""What the sub-commands share (roi_desk.cli.support): opening their input files and
driving long work with a progress line."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from roi_desk.cli.support import read_input_file, read_input_pdf, run_steps
from roi_desk.errors import ValidationError
from roi_desk.work import Progress


def test_an_unreadable_input_is_named_in_a_plain_sentence(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"The file missing\.pdf cannot be read"):
        read_input_file(tmp_path / "missing.pdf")


def test_a_pdf_and_its_password_file(tmp_path: Path) -> None:
    pdf, secret = tmp_path / "in.pdf", tmp_path / "pw.txt"
    pdf.write_bytes(b"%PDF-1.7 test")
    secret.write_text("open sesame\nignored\n", encoding="utf-8")
    assert read_input_pdf(pdf, secret) == (b"%PDF-1.7 test", "open sesame")
    assert read_input_pdf(pdf, None) == (b"%PDF-1.7 test", None)


def _pages(n: int) -> Generator[Progress, None, str]:
    for page in range(1, n + 1):
        yield page, n, f"page {page}"
    return f"{n} pages"


def test_run_steps_returns_the_result_and_shows_each_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_steps(_pages(3), quiet=False) == "3 pages"
    err = capsys.readouterr().err
    assert "[1/3] page 1" in err and "[3/3] page 3" in err and err.endswith("\n")
    assert run_steps(_pages(2), quiet=True, line=lambda d, t, m: "x") == "2 pages"
    assert capsys.readouterr().err == ""


def test_ctrl_c_closes_the_work_so_it_can_undo_itself() -> None:
    undone: list[bool] = []

    def work() -> Generator[Progress, None, None]:
        try:
            yield 1, 2, "half"
            yield 2, 2, "all"
        finally:
            undone.append(True)  # where a transaction would roll back

    def ctrl_c(done: int, total: int, message: str) -> str:
        raise KeyboardInterrupt  # pressed while the first step was shown

    with pytest.raises(KeyboardInterrupt) as raised:
        run_steps(work(), quiet=False, line=ctrl_c)
    # the traceback still holds the generator: only an explicit close ran its finally
    assert raised.traceback and undone == [True]
