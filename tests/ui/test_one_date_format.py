"""One date format on every screen, the site's (issue 17 item 4: the abstract builder
showed YYYY-MM-DD, other screens MM/DD/YYYY, and QDateEdit mangled typed dates)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from roi_desk.ui.records.models import day_text

UI = Path(__file__).resolve().parents[2] / "roi_desk" / "ui"
#: a date widget or a date format of its own, instead of DateField / show_date
OWN_FORMAT = re.compile(
    r"QDateEdit|QDateTimeEdit\(|yyyy-MM-dd|MM/dd/yyyy|%Y-%m-%d|%m/%d/%Y|\.isoformat\(\)"
)
#: screens still being switched by their owners in this round (issue 17, item 4):
#: the checklist (H4), the packet tab (H2), the redaction log (H7), and the settings
#: dialog, which writes ISO dates into JSON (data, not display)
PENDING = {
    "checklist/fee_box.py",
    "packet/packet_tab.py",
    "redaction/log_view.py",
    "settings_dialog.py",
    "date_field.py",
}


def _offenders() -> list[str]:
    found: list[str] = []
    for path in sorted(UI.rglob("*.py")):
        rel = path.relative_to(UI).as_posix()
        if rel in PENDING:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if OWN_FORMAT.search(code):
                found.append(f"{rel}:{number}: {line.strip()}")
    return found


def test_screens_use_the_one_date_field_and_the_site_format() -> None:
    assert _offenders() == []


@pytest.mark.parametrize(("day", "text"), [(date(2027, 12, 31), "12/31/2027"), (None, "no date")])
def test_the_abstract_builder_shows_the_site_format(day: date | None, text: str) -> None:
    assert day_text(day) == text
