"""The abstract says truthfully what it holds: immunizations of any date, the look-back
window only for visits, labs and radiology, and the cover says when the window is empty."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf

from roi_desk.abstract.selection import AbstractRules, select_abstract, window_is_empty
from roi_desk.records.kinds import RecordKind as Kind
from roi_desk.services import abstract, records
from roi_desk.services.records import ImportFile, PatientTarget
from roi_desk.storage import Database
from tests.unit.abstract.test_selection import Doc
from tests.unit.chart.support import STANLEY, add_request, clerk_id, drive

#: Stanley's chart ends in 2020: a request in 2026 finds no visit in the 3-year window
LATE = date(2026, 12, 4)


def test_old_immunizations_are_not_said_to_be_from_the_window() -> None:
    docs = [Doc(f"i{n}", Kind.IMMUNIZATION, "Flu", date(2012, 1, n + 1)) for n in range(13)]
    docs.append(Doc("v", Kind.OFFICE_VISIT, "Visit", date(2015, 5, 5)))
    sel = select_abstract(docs, date(2026, 12, 4))
    assert sel.summary == (
        "13 immunizations (all dates); no visits, labs or radiology reports since 2023-12-04"
    )
    assert window_is_empty(sel.counts, AbstractRules())
    docs.append(Doc("w", Kind.LAB, "CBC", date(2025, 1, 1)))
    sel = select_abstract(docs, date(2026, 12, 4))
    assert sel.summary == "13 immunizations (all dates); 1 lab since 2023-12-04"
    assert not window_is_empty(sel.counts, AbstractRules())


def test_the_cover_says_the_window_holds_nothing(db: Database) -> None:
    report = drive(
        records.import_files(
            db,
            [ImportFile(STANLEY.name, STANLEY.read_bytes())],
            PatientTarget(mrn="RGH-1001"),
            user_id=clerk_id(db),
        )
    )
    with db.transaction() as s:
        request_id = add_request(s, report.patient_id, LATE).id
        draft = abstract.start_draft(s, request_id)
    assert draft.window_empty
    assert draft.summary.startswith("7 immunizations (all dates); no visits")
    built = drive(abstract.assemble(db, draft, today=LATE, user_id=clerk_id(db)))
    assert built is not None
    with db.transaction() as s:
        info = abstract.latest_release_set(s, request_id)
        assert info is not None
        pdf = abstract.release_pdf(s, info.id)
    cover = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "The chart holds no visits, labs or radiology reports dated since" in cover
    assert "this abstract therefore has none" in cover
    # one date format throughout: the site's (MM/DD/YYYY here), never YYYY-MM-DD
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert f"since {draft.since:%m/%d/%Y}" in cover and "Request date 12/04/2026" in cover
    contents = reader.pages[1].extract_text()
    assert re.search(r"\b\d\d/\d\d/\d{4}\b", contents) and not re.search(
        r"\d{4}-\d\d-\d\d", contents
    )
    # the release stamp on every page (the record pages themselves are rendered at import)
    assert "DOB 04/30/1992  ·  Request" in reader.pages[-1].extract_text()
    assert not any(re.search(r"\d{4}-\d\d-\d\d", o.title) for o in reader.outline)  # type: ignore[union-attr]
