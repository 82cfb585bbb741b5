"""The accounting of disclosures follows 45 CFR 164.528: six years back from the request,
without what (a)(1) excludes, each with date, recipient and address, description, purpose."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from roi_desk.letters import AccountingEntry, AccountingLetter, MailingAddress, accounting_letter
from roi_desk.letters.site import load_site_info
from roi_desk.models import AuditEvent, Patient, RequestKind
from roi_desk.services import disclosures
from roi_desk.services.disclosures import Basis, basis_for, period_start
from roi_desk.storage import Database
from tests.unit.reports.factory import released, utc


def test_basis_follows_the_rule() -> None:
    assert basis_for("patient") is Basis.INDIVIDUAL  # (a)(1)(ii)
    assert basis_for("personal_representative") is Basis.PERSONAL_REPRESENTATIVE
    assert basis_for("third_party") is Basis.AUTHORIZATION  # (a)(1)(iv)
    assert basis_for("provider") is Basis.TREATMENT  # (a)(1)(i)
    assert basis_for("transfer") is Basis.TREATMENT
    assert basis_for("legal") is Basis.LEGAL_PROCESS and Basis.LEGAL_PROCESS.accountable
    assert basis_for("autopsy", "executor") is Basis.PERSONAL_REPRESENTATIVE
    assert basis_for("autopsy", "other").accountable  # unsure: listed
    assert basis_for("something new").accountable
    assert not any(b.accountable for b in (Basis.INDIVIDUAL, Basis.AUTHORIZATION, Basis.TREATMENT))


def test_six_year_window() -> None:
    assert period_start(dt.date(2025, 6, 30)) == dt.date(2019, 6, 30)
    assert period_start(dt.date(2024, 2, 29)) == dt.date(2018, 2, 28)
    assert period_start(dt.date(2008, 1, 1)) == dt.date(2003, 4, 14)  # compliance date


def test_accounting_lists_only_what_the_rule_requires(db: Database, tmp_path: Path) -> None:
    asked = dt.date(2025, 6, 30)
    # a subpoena answered 5 years before: listed
    legal = released(
        db, kind=RequestKind.LEGAL, received=utc(2020, 5, 1), disclosed=utc(2020, 5, 20)
    )
    # a subpoena 7 years before: outside the six years
    released(db, kind=RequestKind.LEGAL, received=utc(2018, 3, 1), disclosed=utc(2018, 3, 9))
    # to the patient, under authorization, for treatment: excluded
    released(db, kind=RequestKind.PATIENT, received=utc(2024, 1, 2), disclosed=utc(2024, 1, 9))
    released(db, kind=RequestKind.THIRD_PARTY, received=utc(2024, 2, 2), disclosed=utc(2024, 2, 9))
    released(db, kind=RequestKind.PROVIDER, received=utc(2024, 3, 2), disclosed=utc(2024, 3, 9))
    # after the accounting was asked for: not in its period
    released(db, kind=RequestKind.LEGAL, received=utc(2025, 7, 2), disclosed=utc(2025, 7, 9))
    with db.transaction() as s:
        patient_id = s.scalar(select(Patient.id).where(Patient.mrn == "MRN900001"))
        assert patient_id is not None
        history = disclosures.disclosure_history(s, patient_id)
        report = disclosures.accounting(s, patient_id, requested_on=asked)
    assert len(history) == 6  # the history shows everything
    assert [r.request_id for r in report.entries] == [legal]
    assert report.excluded == 3 and report.period_start == dt.date(2019, 6, 30)
    (entry,) = report.entries
    # 164.528(b)(2): date, recipient name and address, description, purpose
    assert entry.disclosed_at.date() == dt.date(2020, 5, 20)
    assert entry.recipient_name.startswith("Records Department")
    assert "12 Main Street" in entry.recipient_address
    assert "Office visit notes" in entry.description and "2 pages" in entry.description
    assert entry.purpose == "Legal claim"

    with db.transaction() as s:
        s.get(Patient, patient_id).address = "7 Harbor Road, Quincy, MA 02169"  # type: ignore[union-attr]
    with db.transaction() as s:
        pdf = disclosures.accounting_letter_pdf(
            s, patient_id, requested_on=asked, user=None, letter_date=dt.date(2025, 7, 15)
        )
        assert s.scalars(select(AuditEvent.action)).all()[-1] == "disclosure.accounting"
    text = _text(pdf)
    assert "ACCOUNTING OF DISCLOSURES" in text and "05/20/2020" in text
    assert "12 Main Street" in text and "Legal claim" in text
    assert "7 Harbor Road" in text  # window address
    assert "01/09/2024" not in text and "03/09/2018" not in text
    (tmp_path / "accounting.pdf").write_bytes(pdf)


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def test_long_accounting_runs_onto_numbered_pages(tmp_path: Path) -> None:
    entries = [
        AccountingEntry(
            dt.date(2020, 1, 1) + dt.timedelta(days=30 * i),
            f"Court clerk {i}",
            "Superior Court\n1 Court Square\nBoston, MA 02108",
            "Office visit notes, dates of service 2019-01-01 to 2019-12-31, 14 pages",
            "Subpoena in a civil case",
        )
        for i in range(25)
    ]
    letter = AccountingLetter(
        MailingAddress("Ada Zielinski", ("7 Harbor Road", "Quincy, MA 02169")),
        "Ada Zielinski",
        dt.date(2025, 6, 30),
        dt.date(2019, 6, 30),
        dt.date(2025, 6, 30),
        dt.date(2025, 7, 1),
        entries,
    )
    pdf = accounting_letter(load_site_info(), letter)
    doc = pdfium.PdfDocument(pdf)
    pages = len(doc)
    assert pages >= 3
    text = _text(pdf)
    assert f"page {pages} of {pages}" in text and "(continued)" in text
    assert all(f"Court clerk {i}" in text for i in range(25))
    assert accounting_letter(load_site_info(), letter) == pdf  # deterministic
    out = tmp_path / "long.pdf"
    out.write_bytes(pdf)
    if subprocess.run(["which", "pdftoppm"], capture_output=True).returncode == 0:
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(out), str(tmp_path / "p")], check=True)


def test_empty_accounting_says_so() -> None:
    letter = AccountingLetter(
        MailingAddress("Ada Zielinski", ("7 Harbor Road", "Quincy, MA 02169")),
        "Ada Zielinski",
        dt.date(2025, 6, 30),
        dt.date(2019, 6, 30),
        dt.date(2025, 6, 30),
        dt.date(2025, 7, 1),
        [],
    )
    assert "no disclosures" in _text(accounting_letter(load_site_info(), letter))


def test_unknown_patient(db: Database) -> None:
    import uuid

    from roi_desk.errors import NotFoundError

    with db.transaction() as s, pytest.raises(NotFoundError):
        disclosures.disclosure_history(s, uuid.uuid4())
