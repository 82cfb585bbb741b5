"""FHIR R4 import: every sample bundle indexed and counted against its own JSON."""

from __future__ import annotations

import base64
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pytest

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.records.fhir import (
    SUPPORTED_TYPES,
    bundle_patients,
    import_bundle,
    index_bundle,
    render_draft,
)
from roi_desk.records.kinds import (
    RecordDocument,
    RecordKind,
    SensitivityCategory,
    SensitivityOrigin,
)
from tests.factories import text_pdf
from tests.helpers import SHARED_FHIR
from tests.unit.records import fhir_counts as ref

BUNDLES = sorted(SHARED_FHIR.glob("*.json"))
KILEY = SHARED_FHIR / "Kiley170_Glover433_87b83af9-9b56-f6cd-0e0c-dbe665ac61ec.json"
MELENDEZ = SHARED_FHIR / "Florencia_Meléndez_6237cb1b-3c2d-4561-a0da-27281f8ddca7.json"


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_shared_sample_bundles_are_there() -> None:
    assert len(BUNDLES) == 23
    names = {p.name for p in BUNDLES}
    assert "Mathilda_O'Keefe_e96a4adf-fbc9-4983-b6cd-16b1815bb634.json" in names


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name[:24])
def test_every_clinical_resource_is_accounted_for(path: Path) -> None:
    bundle = ref.load(path)
    expected = ref.type_counts(bundle)
    result = index_bundle(path.read_bytes(), source_name=path.name)

    skipped = {t: sum(1 for s in result.skipped if s.resource_type == t) for t in expected}
    for rtype in SUPPORTED_TYPES:
        got = result.imported_counts.get(rtype, 0) + skipped.get(rtype, 0)
        assert got == expected.get(rtype, 0), rtype
    # the samples are clean: nothing skipped, every document dated
    assert result.skipped == []
    assert all(d.date_of_service is not None for d in result.drafts)
    # billing and care plans are reported as ignored, with their count
    for rtype in ("Claim", "ExplanationOfBenefit"):
        assert result.ignored[rtype][0] == expected[rtype]

    kinds = [d.kind for d in result.drafts]
    assert kinds.count(RecordKind.IMMUNIZATION) == expected["Immunization"]
    assert kinds.count(RecordKind.OFFICE_VISIT) == len(ref.amb_encounters(bundle))
    assert kinds.count(RecordKind.LAB) == len(ref.lab_reports(bundle))
    assert kinds.count(RecordKind.RADIOLOGY) == expected.get("ImagingStudy", 0)
    encounter_docs = [d for d in result.drafts if d.resource_types[0] == "Encounter"]
    assert len(encounter_docs) == expected["Encounter"]

    keys = [d.source_key for d in result.drafts]
    assert len(keys) == len(set(keys))
    folded = [k for d in result.drafts for k in d.resource_keys]
    assert len(folded) == len(set(folded)), "a resource was put in two documents"

    patient = next(r for r in ref.resources(bundle) if r["resourceType"] == "Patient")
    assert result.patient.birth_date == date.fromisoformat(patient["birthDate"])
    assert patient["name"][0]["family"] in result.patient.name


def test_notes_bundle_keeps_one_note_per_visit_and_names_the_clinician() -> None:
    """The fdp bundles export each note twice (DiagnosticReport + DocumentReference) and
    name clinicians only through conditional references."""
    bundle = ref.load(KILEY)
    result = index_bundle(KILEY.read_bytes(), source_name=KILEY.name)
    visit = next(d for d in result.drafts if d.kind == RecordKind.OFFICE_VISIT)
    types = set(visit.resource_types)
    assert {"Encounter", "DiagnosticReport", "DocumentReference"} <= types
    assert visit.author and visit.author.startswith("Dr. ")
    assert visit.department

    doc = render_draft(visit, result.patient, KILEY.name)
    text = pdf_text(doc.pdf)
    assert text.count("Chief Complaint") == 1
    enc_id = visit.source_key.split("/")[-1]
    note = next(
        r
        for r in ref.resources(bundle)
        if r["resourceType"] == "DocumentReference"
        and r["context"]["encounter"][0]["reference"].endswith(enc_id)
    )
    plain = base64.b64decode(note["content"][0]["attachment"]["data"]).decode()
    last_line = [ln for ln in plain.splitlines() if ln.strip()][-1].strip()
    assert last_line.split()[0] in text


def test_rendering_is_deterministic_and_keeps_accents() -> None:
    result = index_bundle(MELENDEZ.read_bytes(), source_name=MELENDEZ.name)
    draft = next(d for d in result.drafts if d.kind == RecordKind.LAB)
    first = render_draft(draft, result.patient, MELENDEZ.name)
    again = render_draft(draft, result.patient, MELENDEZ.name)
    assert first.pdf == again.pdf
    assert first.page_count == len(pypdf.PdfReader(io.BytesIO(first.pdf)).pages)
    assert "Meléndez" in pdf_text(first.pdf)
    # re-indexing gives the same keys: the database layer can skip what it has
    assert [d.source_key for d in index_bundle(MELENDEZ.read_bytes(), source_name="x").drafts] == [
        d.source_key for d in result.drafts
    ]


def test_import_bundle_is_a_generator_with_progress_and_cancel() -> None:
    gen = import_bundle(MELENDEZ.read_bytes(), source_name=MELENDEZ.name)
    steps = []
    try:
        while True:
            steps.append(next(gen))
    except StopIteration as stop:
        result, docs = stop.value
    assert all(isinstance(d, RecordDocument) for d in docs)
    assert len(docs) == len(result.drafts)
    done, total, message = steps[-1]
    assert done == total and message

    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    gen = import_bundle(MELENDEZ.read_bytes(), source_name="x", cancel=cancel)
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        _result, partial = stop.value
    assert 0 < len(partial) < len(docs)


# ------------------------------------------------------------------ synthetic bundles


def _bundle(*resources: dict[str, Any]) -> bytes:
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "name": [{"given": ["José"], "family": "Ŝmith"}],
    "birthDate": "1970-01-02",
}


def test_bad_files_get_plain_messages() -> None:
    with pytest.raises(DocumentError, match="not valid JSON"):
        index_bundle(b"{not json", source_name="x")
    with pytest.raises(DocumentError, match="not a FHIR export"):
        index_bundle(b'{"patients": []}', source_name="x")
    with pytest.raises(DocumentError, match="single resource"):
        index_bundle(json.dumps(PATIENT).encode(), source_name="x")
    with pytest.raises(DocumentError):
        index_bundle(b'{"resourceType": "Bundle", "entry": {}}', source_name="x")
    with pytest.raises(DocumentError):
        index_bundle(b"\xff\xfe\x00garbage", source_name="x")


def test_a_bundle_of_several_patients_needs_a_choice() -> None:
    other = {**PATIENT, "id": "p2", "name": [{"family": "Other"}]}
    imm = {
        "resourceType": "Immunization",
        "id": "i1",
        "status": "completed",
        "vaccineCode": {"text": "Flu"},
        "patient": {"reference": "urn:uuid:p1"},
        "occurrenceDateTime": "2020-01-01",
    }
    imm2 = {**imm, "id": "i2", "patient": {"reference": "Patient/p2"}}
    data = _bundle(PATIENT, other, imm, imm2)
    with pytest.raises(ValidationError, match="2 patients"):
        index_bundle(data, source_name="x")
    patients = bundle_patients(data)
    assert [p.source_key for p in patients] == ["fhir:Patient/p1", "fhir:Patient/p2"]
    result = index_bundle(data, source_name="x", patient_key="fhir:Patient/p1")
    assert [d.source_key for d in result.drafts] == ["fhir:Immunization/i1"]
    assert [(s.key, s.message) for s in result.skipped] == [
        ("fhir:Immunization/i2", "belongs to another patient in the bundle")
    ]
    with pytest.raises(ValidationError):
        index_bundle(data, source_name="x", patient_key="fhir:Patient/nope")


def test_odd_entries_are_reported_and_the_rest_goes_on() -> None:
    undated = {
        "resourceType": "Immunization",
        "id": "i1",
        "status": "completed",
        "vaccineCode": {"coding": [{"code": "140", "display": "Influenza"}]},
    }
    wrong = {**undated, "id": "i2", "status": "entered-in-error", "occurrenceDateTime": "2020"}
    link_only = {
        "resourceType": "DocumentReference",
        "id": "d1",
        "status": "current",
        "content": [{"attachment": {"contentType": "application/pdf", "url": "https://x/1"}}],
    }
    data = json.loads(_bundle(PATIENT, undated, wrong, link_only))
    data["entry"].append({"fullUrl": "urn:uuid:junk"})
    data["entry"].append("not an object")
    result = index_bundle(json.dumps(data), source_name="x")
    assert [d.source_key for d in result.drafts] == ["fhir:Immunization/i1"]
    assert result.drafts[0].date_of_service is None
    assert any("no date of service" in w.message for w in result.warnings)
    reasons = {s.key: s.message for s in result.skipped}
    assert reasons["fhir:Immunization/i2"] == "marked entered-in-error by the source"
    assert "no readable attachment" in reasons["fhir:DocumentReference/d1"]
    assert len([k for k in reasons if k.startswith("entry ")]) == 2
    # undated documents still render ("date not recorded"), non-Latin-1 letters degrade
    doc = render_draft(result.drafts[0], result.patient, "x")
    text = pdf_text(doc.pdf)
    assert "date not recorded" in text and "Smith" in text


def test_security_labels_attachments_and_orphans() -> None:
    enc = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"code": "AMB"},
        "type": [{"text": "Clinic visit"}],
        "period": {"start": "2021-05-04T10:00:00-04:00"},
        "subject": {"reference": "Patient/p1"},
    }
    cond = {
        "resourceType": "Condition",
        "id": "c1",
        "meta": {"security": [{"system": "x", "code": "HIV"}]},
        "code": {"text": "Sensitive condition"},
        "encounter": {"reference": "Encounter/e1"},
        "subject": {"reference": "Patient/p1"},
        "onsetDateTime": "2021-05-04",
    }
    note = {
        "resourceType": "DocumentReference",
        "id": "d1",
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "18842-5"}]},
        "securityLabel": [{"coding": [{"code": "42CFRPart2"}, {"code": "PSYTHPN"}]}],
        "date": "2021-06-01",
        "content": [
            {
                "attachment": {
                    "contentType": "text/html",
                    "data": base64.b64encode(b"<p>Discharged &amp; well</p>").decode(),
                }
            }
        ],
    }
    scan = {
        "resourceType": "DocumentReference",
        "id": "d2",
        "status": "current",
        "category": [{"coding": [{"code": "correspondence"}]}],
        "date": "2021-07-01",
        "content": [{"attachment": {"contentType": "application/pdf", "url": "Binary/b1"}}],
    }
    binary = {
        "resourceType": "Binary",
        "id": "b1",
        "contentType": "application/pdf",
        "data": base64.b64encode(text_pdf(["Letter from Dr. Who"])).decode(),
    }
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": "a1",
        "code": {"text": "Peanut"},
        "patient": {"reference": "Patient/p1"},
        "recordedDate": "2019-01-01",
    }
    hiv_dx = {
        "resourceType": "Condition",
        "id": "c2",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "86406008"}]},
        "recordedDate": "2018-01-01",
    }
    result = index_bundle(
        _bundle(PATIENT, enc, cond, note, scan, binary, allergy, hiv_dx), source_name="x"
    )
    by_key = {d.source_key: d for d in result.drafts}
    visit = by_key["fhir:Encounter/e1"]
    assert visit.kind == RecordKind.OFFICE_VISIT and visit.encounter_class == "AMB"
    assert visit.date_of_service == date(2021, 5, 4)  # the site's own calendar day
    assert [(m.category, m.origin) for m in visit.sensitivity] == [
        (SensitivityCategory.HIV, SensitivityOrigin.LABEL)
    ]
    summary = by_key["fhir:DocumentReference/d1"]
    assert summary.kind == RecordKind.DISCHARGE_SUMMARY
    assert {m.category for m in summary.sensitivity} == {
        SensitivityCategory.SUBSTANCE_USE,
        SensitivityCategory.PSYCHOTHERAPY_NOTES,
    }
    assert "Discharged & well" in pdf_text(render_draft(summary, result.patient, "x").pdf)
    letter = by_key["fhir:DocumentReference/d2"]
    assert letter.kind == RecordKind.CORRESPONDENCE
    rendered = render_draft(letter, result.patient, "x")
    assert rendered.page_count == 1 and "Dr. Who" in pdf_text(rendered.pdf)
    clinical = by_key["fhir:summary:fhir:Patient/p1"]
    assert clinical.kind == RecordKind.CLINICAL_SUMMARY
    assert clinical.date_of_service == date(2019, 1, 1)
    assert (SensitivityCategory.HIV, SensitivityOrigin.CODE) in {
        (m.category, m.origin) for m in clinical.sensitivity
    }
    assert result.imported_counts == {
        "Encounter": 1,
        "Condition": 2,
        "DocumentReference": 2,
        "AllergyIntolerance": 1,
    }


@pytest.mark.slow
def test_every_document_of_every_bundle_renders() -> None:
    """All 23 charts end to end (about 1,300 documents): nothing a sample holds breaks the
    renderer, and the page count stored in the index is the PDF's real one."""
    rendered = 0
    for path in BUNDLES:
        result = index_bundle(path.read_bytes(), source_name=path.name)
        for n, draft in enumerate(result.drafts):
            doc = render_draft(draft, result.patient, path.name)
            assert doc.pdf.startswith(b"%PDF-") and doc.page_count >= 1
            if n % 25 == 0:  # a second library reads a sample of them back
                assert len(pypdf.PdfReader(io.BytesIO(doc.pdf)).pages) == doc.page_count
            rendered += 1
    assert rendered > 1200
