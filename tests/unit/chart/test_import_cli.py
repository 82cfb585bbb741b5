"""`roi-desk import`: the same import from the command line, with a text progress line."""

from __future__ import annotations

from pathlib import Path

import pytest

from roi_desk.cli import chart_import as cli
from roi_desk.storage import open_database
from tests.unit.chart.support import BROKEN_PDF, STANLEY


def test_import_a_bundle_and_a_broken_pdf(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--database", str(db_path), "import", "--patient-mrn", "RGH-1001"]
    code = cli.main([*argv, str(STANLEY), str(BROKEN_PDF)])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_OK
    assert out.startswith(
        "16 documents imported (7 immunizations, 7 visits, 2 labs); 1 file failed"
    )
    assert f"{BROKEN_PDF.name}: This PDF is damaged" in out
    assert "[1000/1000] Saving" in err

    code = cli.main([*argv, "-q", str(STANLEY)])
    out, _err = capsys.readouterr()
    assert code == cli.EXIT_OK and out.startswith("0 documents imported; 16 skipped.")

    # the command closed the database: it opens again (lock released)
    open_database(db_path).close()


def test_whose_chart_must_be_said(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--database", str(db_path), "import", str(STANLEY)])
    assert code == cli.EXIT_USER_ERROR
    assert "--patient-mrn" in capsys.readouterr().err
