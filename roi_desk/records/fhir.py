"""FHIR R4 bundle import: validate, group resources into chart documents, render them.

Grouping (what a clerk calls "a document"):

* an ``Immunization`` is one immunization record;
* an ``Encounter`` is one visit document (kind from its class: AMB -> office visit), with
  its clinical notes (DocumentReference text or note DiagnosticReports), diagnoses,
  procedures, prescriptions and the observations made outside any report;
* a lab ``DiagnosticReport`` with its result ``Observation`` s is one lab report;
* an imaging/diagnostic ``DiagnosticReport`` (conclusion, presentedForm, studies) is one
  radiology report; an ``ImagingStudy`` no report points at is a radiology record too
  (some exports carry imaging only as studies);
* a ``DocumentReference`` with a PDF, or of its own kind (discharge summary, consult), is
  its own document;
* conditions, procedures, prescriptions and allergies tied to no encounter in the bundle
  form one clinical summary.

Every document has a stable ``source_key`` (``fhir:<Type>/<id>`` of its main resource) and
lists every resource it folded in, so the database layer can skip re-imports. What is
skipped, and why, is reported per resource without PHI.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.records.fhir_values import (
    JsonObj,
    concept_codes,
    concept_text,
    first_date,
    human_name,
    obj,
    objs,
    observation_value,
    parse_date,
    reference_range,
    string,
)
from roi_desk.records.kinds import (
    DocumentKind,
    DocumentSource,
    PatientInfo,
    RecordDocument,
    SensitivityCategory,
    SensitivityMark,
)
from roi_desk.records.render import DocumentBody, Section, Table, format_date, render_body
from roi_desk.records.sensitivity import code_marks, label_marks, merge_marks
from roi_desk.work import Progress

#: clinical resource types this importer turns into documents
SUPPORTED_TYPES: frozenset[str] = frozenset(
    {
        "Immunization",
        "Encounter",
        "DiagnosticReport",
        "Observation",
        "ImagingStudy",
        "DocumentReference",
        "Condition",
        "Procedure",
        "MedicationRequest",
        "AllergyIntolerance",
    }
)
#: looked up for names (authors, departments, attachments); not chart documents themselves
SUPPORT_TYPES: frozenset[str] = frozenset(
    {
        "Patient",
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "Location",
        "Binary",
        "Medication",
    }
)

# DiagnosticReport.category codes (HL7 v2-0074 diagnostic service sections, LOINC)
_LAB_SECTIONS = frozenset(
    {"LAB", "CH", "HM", "IMM", "MB", "MCB", "MYC", "SR", "SP", "CP", "BLB", "VR", "URN", "TX"}
)
_LAB_SECTIONS_LOWER = frozenset({"laboratory", "lab"})
_IMAGING_SECTIONS = frozenset(
    {
        "RAD",
        "RX",
        "CT",
        "MR",
        "NMR",
        "NMS",
        "US",
        "VUS",
        "OUS",
        "RUS",
        "CUS",
        "XRC",
        "CG",
        "EC",
        "CTH",
        "PHY",
        "PF",
        "PAT",
        "OSL",
        "LP29684-5",  # LOINC Radiology
        "LP29708-2",  # LOINC Cardiology
        "LP7839-6",  # LOINC Pathology
    }
)
_IMAGING_SECTIONS_LOWER = frozenset({"imaging", "radiology"})

#: DocumentReference.type LOINC codes that make a document of its own kind
_DOCREF_KINDS: dict[str, DocumentKind] = {
    "18842-5": DocumentKind.DISCHARGE_SUMMARY,
    "11488-4": DocumentKind.CONSULT,
    "18748-4": DocumentKind.RADIOLOGY,  # Diagnostic imaging study
    "11502-2": DocumentKind.LAB,  # Laboratory report
    "11526-1": DocumentKind.LAB,  # Pathology study
    "34133-9": DocumentKind.CLINICAL_SUMMARY,  # Summary of episode note
    "60591-5": DocumentKind.CLINICAL_SUMMARY,  # Patient summary document
}
_DOCREF_CATEGORY_KINDS: dict[str, DocumentKind] = {
    "correspondence": DocumentKind.CORRESPONDENCE,
    "letter": DocumentKind.CORRESPONDENCE,
    "scanned-document": DocumentKind.CORRESPONDENCE,
}

_ENCOUNTER_KINDS: dict[str, DocumentKind] = {
    "AMB": DocumentKind.OFFICE_VISIT,
    "VR": DocumentKind.OFFICE_VISIT,  # virtual visit: an office visit by video/phone
    "EMER": DocumentKind.EMERGENCY_VISIT,
    "IMP": DocumentKind.INPATIENT_STAY,
    "ACUTE": DocumentKind.INPATIENT_STAY,
    "NONAC": DocumentKind.INPATIENT_STAY,
    "OBSENC": DocumentKind.INPATIENT_STAY,
    "SS": DocumentKind.INPATIENT_STAY,
}

_IGNORED_REASONS: dict[str, str] = {
    "Claim": "billing data, not part of the clinical chart",
    "ExplanationOfBenefit": "billing data, not part of the clinical chart",
    "Coverage": "insurance data, not part of the clinical chart",
    "Provenance": "data about the export itself",
    "CarePlan": "care plans are not indexed as chart documents yet",
    "Goal": "care goals are not indexed as chart documents yet",
    "CareTeam": "care teams are not indexed as chart documents",
}


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """A resource (or bundle entry) not imported, or imported with a caveat. No PHI."""

    key: str
    resource_type: str
    message: str


@dataclass(frozen=True, slots=True)
class DocumentDraft:
    """A document found in the bundle, indexed but not yet rendered to PDF."""

    source_key: str
    kind: DocumentKind
    title: str
    date_of_service: date | None
    body: DocumentBody | None
    #: a PDF the source carried as is (a scanned document); used instead of rendering
    attachment_pdf: bytes | None = field(default=None, repr=False)
    encounter_key: str | None = None
    encounter_class: str | None = None
    author: str | None = None
    department: str | None = None
    sensitivity: tuple[SensitivityMark, ...] = ()
    resource_keys: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()


@dataclass(slots=True)
class FhirImport:
    """The outcome of indexing one bundle: the patient, the documents, what was skipped."""

    source_name: str
    patient: PatientInfo
    drafts: list[DocumentDraft]
    skipped: list[ImportIssue]
    warnings: list[ImportIssue]
    #: resource type -> how many resources were folded into documents
    imported_counts: dict[str, int]
    #: resource type -> how many were left out on purpose (billing, ...), with the reason
    ignored: dict[str, tuple[int, str]]

    def summary(self) -> str:
        kinds = Counter(d.kind for d in self.drafts)
        parts = [f"{n} {k.plural}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])]
        text = f"{len(self.drafts)} documents ({', '.join(parts)})" if parts else "no documents"
        if self.skipped:
            text += f"; {len(self.skipped)} resources skipped"
        return text

    def render(
        self, cancel: Callable[[], bool] | None = None
    ) -> Generator[Progress, None, list[RecordDocument]]:
        """Render every draft to PDF, yielding progress; stops between documents on cancel."""
        total = len(self.drafts)
        out: list[RecordDocument] = []
        for i, draft in enumerate(self.drafts):
            if cancel is not None and cancel():
                break
            yield (i, total, f"Rendering {draft.kind.label.lower()} {i + 1} of {total}")
            out.append(render_draft(draft, self.patient, self.source_name))
        yield (len(out), total, "Rendered")
        return out


# --------------------------------------------------------------------------- reading


def read_bundle(data: bytes | str) -> JsonObj:
    """Parse and check that ``data`` is a FHIR Bundle; a clear :class:`DocumentError` if not."""
    try:
        parsed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(
            "This file is not valid JSON, so it cannot be a FHIR export.",
            detail=f"JSON error at character {getattr(exc, 'pos', '?')}.",
        ) from None
    except RecursionError:
        # json nests one Python call per bracket: a file of 200,000 "[" would otherwise
        # end the import with a traceback. No real FHIR export nests more than a few dozen.
        raise DocumentError(
            "This file is nested far too deeply to be a FHIR export (lists inside lists "
            "thousands of levels down), so it was not read. Ask the sender for a fresh export.",
        ) from None
    if not isinstance(parsed, Mapping) or "resourceType" not in parsed:
        raise DocumentError(
            "This JSON file is not a FHIR export: it has no resourceType.",
            detail="Expected a FHIR R4 Bundle (an EHR export or a patient-access download).",
        )
    if parsed.get("resourceType") != "Bundle":
        raise DocumentError(
            "This FHIR file holds a single resource, not a Bundle of records.",
            detail=f"Found resourceType {str(parsed.get('resourceType'))[:40]!r}.",
        )
    if not isinstance(parsed.get("entry", []), list):
        raise DocumentError("This FHIR Bundle is damaged: its entry list is not a list.")
    return parsed


def resource_key(resource: JsonObj, full_url: str | None) -> str:
    """Stable key of a resource: ``fhir:<Type>/<id>``, else its fullUrl, else a content hash."""
    rtype = string(resource.get("resourceType")) or "Resource"
    rid = string(resource.get("id"))
    if rid:
        return f"fhir:{rtype}/{rid}"
    if full_url:
        return f"fhir:{rtype}:{full_url}"
    digest = hashlib.sha256(json.dumps(resource, sort_keys=True).encode()).hexdigest()[:24]
    return f"fhir:{rtype}:sha256:{digest}"


class _Index:
    """Resolves references inside one bundle (fullUrl, Type/id, absolute URLs)."""

    def __init__(self) -> None:
        self._by_ref: dict[str, JsonObj] = {}
        self.keys: dict[int, str] = {}

    def add(self, resource: JsonObj, full_url: str | None) -> str:
        key = resource_key(resource, full_url)
        self.keys[id(resource)] = key
        rtype = string(resource.get("resourceType"))
        rid = string(resource.get("id"))
        if full_url:
            self._by_ref.setdefault(full_url, resource)
        if rtype and rid:
            self._by_ref.setdefault(f"{rtype}/{rid}", resource)
        return key

    def key(self, resource: JsonObj) -> str:
        return self.keys[id(resource)]

    def resolve(self, ref: Any) -> JsonObj | None:
        text = string(obj(ref).get("reference"))
        if not text or "?" in text:
            # conditional references (Practitioner?identifier=...) never resolve locally
            return None
        if text in self._by_ref:
            return self._by_ref[text]
        text = re.sub(r"/_history/[^/]+$", "", text)
        parts = text.rstrip("/").split("/")
        if len(parts) >= 2:
            return self._by_ref.get(f"{parts[-2]}/{parts[-1]}")
        return None

    def display(self, ref: Any) -> str | None:
        """A referenced party's name: the resolved resource's name, else the display text."""
        target = self.resolve(ref)
        if target is not None:
            rtype = target.get("resourceType")
            if rtype in ("Practitioner", "Patient", "RelatedPerson"):
                name = human_name(target.get("name"), with_prefix=True)
                if name:
                    return name
            name = string(target.get("name"))
            if name:
                return name
            if rtype == "PractitionerRole":
                return self.display(target.get("practitioner")) or self.display(
                    target.get("organization")
                )
        return string(obj(ref).get("display"))


def _patient_info(resource: JsonObj, key: str) -> PatientInfo:
    mrn = None
    for ident in objs(resource.get("identifier")):
        if "MR" in concept_codes(ident.get("type")):
            mrn = string(ident.get("value"))
            break
    return PatientInfo(
        name=human_name(resource.get("name")) or "Name not recorded",
        birth_date=parse_date(resource.get("birthDate")),
        mrn=mrn,
        gender=string(resource.get("gender")),
        deceased=parse_date(resource.get("deceasedDateTime")),
        source_key=key,
    )


def bundle_patients(data: bytes | str | JsonObj) -> list[PatientInfo]:
    """The patients a bundle holds, for a "which patient?" chooser."""
    bundle = data if isinstance(data, Mapping) else read_bundle(data)
    out = []
    for entry in objs(bundle.get("entry")):
        res = obj(entry.get("resource"))
        if res.get("resourceType") == "Patient":
            out.append(_patient_info(res, resource_key(res, string(entry.get("fullUrl")))))
    return out


# --------------------------------------------------------------------------- grouping


@dataclass
class _Group:
    """Resources collected for one document before its body is built."""

    main: JsonObj
    notes: list[tuple[str, str, JsonObj]] = field(default_factory=list)  # (title, text, res)
    note_hashes: set[str] = field(default_factory=set)
    conditions: list[JsonObj] = field(default_factory=list)
    procedures: list[JsonObj] = field(default_factory=list)
    medications: list[JsonObj] = field(default_factory=list)
    observations: list[JsonObj] = field(default_factory=list)
    allergies: list[JsonObj] = field(default_factory=list)
    extra: list[JsonObj] = field(default_factory=list)  # folded in without own section


def _status_skipped(resource: JsonObj) -> str | None:
    status = string(resource.get("status"))
    if status == "entered-in-error":
        return "marked entered-in-error by the source"
    vstatus = concept_codes(resource.get("verificationStatus"))
    if "entered-in-error" in vstatus:
        return "marked entered-in-error by the source"
    return None


def _section_codes(resource: JsonObj) -> tuple[set[str], set[str]]:
    upper: set[str] = set()
    lower: set[str] = set()
    for code in concept_codes(resource.get("category")):
        upper.add(code.upper())
        lower.add(code.lower())
    return upper, lower


def _decode_attachment(att: JsonObj, index: _Index) -> tuple[str, bytes] | None:
    """(content type, bytes) of an attachment: inline base64, or a Binary in the bundle."""
    ctype = (string(att.get("contentType")) or "application/octet-stream").lower()
    raw = att.get("data")
    if raw is None:
        url = string(att.get("url"))
        target = index.resolve({"reference": url}) if url else None
        if target is None or target.get("resourceType") != "Binary":
            return None
        raw = target.get("data")
        ctype = (string(target.get("contentType")) or ctype).lower()
    if not isinstance(raw, str):
        return None
    try:
        return ctype, base64.b64decode(raw, validate=False)
    except (binascii.Error, ValueError):
        return None


def _attachment_text(ctype: str, payload: bytes) -> str | None:
    if not ctype.startswith("text/"):
        return None
    m = re.search(r"charset=([\w-]+)", ctype)
    encoding = m.group(1) if m else "utf-8"
    try:
        text = payload.decode(encoding, errors="replace")
    except LookupError:
        text = payload.decode("utf-8", errors="replace")
    if "html" in ctype:
        text = re.sub(r"<(br|/p|/div|/h\d|/li)\s*/?>", "\n", text, flags=re.I)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text.strip() or None


def _note_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


class _Importer:
    def __init__(
        self,
        bundle: JsonObj,
        source_name: str,
        patient_key: str | None,
        label_map: Mapping[str, SensitivityCategory] | None,
    ) -> None:
        self.bundle = bundle
        self.source_name = source_name
        self.label_map = label_map
        self.index = _Index()
        self.skipped: list[ImportIssue] = []
        self.warnings: list[ImportIssue] = []
        self.ignored: Counter[str] = Counter()
        self.imported: Counter[str] = Counter()
        self.resources: list[JsonObj] = []
        self._read_entries()
        self.patient, self.patient_res = self._choose_patient(patient_key)

    # -- entries and patient ---------------------------------------------------------

    def _read_entries(self) -> None:
        for n, entry in enumerate(self.bundle.get("entry") or [], start=1):
            if not isinstance(entry, Mapping):
                self.skipped.append(ImportIssue(f"entry {n}", "?", "entry is not an object"))
                continue
            res = entry.get("resource")
            rtype = string(obj(res).get("resourceType"))
            if not isinstance(res, Mapping) or not rtype:
                self.skipped.append(
                    ImportIssue(f"entry {n}", "?", "entry has no FHIR resource (no resourceType)")
                )
                continue
            full_url = string(entry.get("fullUrl"))
            self.index.add(res, full_url)
            self.resources.append(res)

    def _choose_patient(self, patient_key: str | None) -> tuple[PatientInfo, JsonObj | None]:
        patients = [r for r in self.resources if r.get("resourceType") == "Patient"]
        if not patients:
            self.warnings.append(
                ImportIssue(
                    "bundle",
                    "Patient",
                    "the bundle has no Patient resource; check the patient by hand",
                )
            )
            return PatientInfo(name="Patient not named in the export"), None
        if patient_key is not None:
            for p in patients:
                if self.index.key(p) == patient_key:
                    return _patient_info(p, patient_key), p
            raise ValidationError(
                "The chosen patient is not in this FHIR bundle.", fields={"patient": "not found"}
            )
        if len(patients) > 1:
            raise ValidationError(
                f"This FHIR bundle holds records of {len(patients)} patients. "
                "Choose which patient to import.",
                fields={"patient": f"{len(patients)} patients in the bundle"},
            )
        p = patients[0]
        return _patient_info(p, self.index.key(p)), p

    def _belongs(self, res: JsonObj) -> str | None:
        """None when the resource is this patient's, else why it is skipped."""
        ref = res.get("subject") or res.get("patient")
        if ref is None or self.patient_res is None:
            return None
        target = self.index.resolve(ref)
        if target is None:
            n_patients = sum(1 for r in self.resources if r.get("resourceType") == "Patient")
            return None if n_patients <= 1 else "cannot tell which patient it belongs to"
        if target is self.patient_res:
            return None
        if target.get("resourceType") == "Patient":
            return "belongs to another patient in the bundle"
        return None

    def _skip(self, res: JsonObj, message: str) -> None:
        self.skipped.append(
            ImportIssue(self.index.key(res), string(res.get("resourceType")) or "?", message)
        )

    def _warn(self, res: JsonObj, message: str) -> None:
        self.warnings.append(
            ImportIssue(self.index.key(res), string(res.get("resourceType")) or "?", message)
        )

    # -- classification ----------------------------------------------------------------

    def _dr_class(self, dr: JsonObj) -> str:
        upper, lower = _section_codes(dr)
        if upper & _LAB_SECTIONS or lower & _LAB_SECTIONS_LOWER:
            return "lab"
        if upper & _IMAGING_SECTIONS or lower & _IMAGING_SECTIONS_LOWER or dr.get("imagingStudy"):
            return "imaging"
        if dr.get("presentedForm") and not dr.get("result"):
            return "note"
        if dr.get("result"):
            results = [self.index.resolve(r) for r in objs(dr.get("result"))]
            if any(
                "laboratory" in {c.lower() for c in concept_codes(r.get("category"))}
                for r in results
                if r is not None
            ):
                return "lab"
            return "lab" if not dr.get("conclusion") else "imaging"
        return "imaging"

    def _encounter_of(self, res: JsonObj) -> JsonObj | None:
        if res.get("resourceType") == "DocumentReference":
            refs = objs(obj(res.get("context")).get("encounter"))
            ref: Any = refs[0] if refs else None
        else:
            ref = res.get("encounter") or res.get("context")
        if ref is None:
            return None
        target = self.index.resolve(ref)
        if target is not None and target.get("resourceType") == "Encounter":
            return target
        return None

    # -- main --------------------------------------------------------------------------

    def run(self) -> FhirImport:
        by_type: dict[str, list[JsonObj]] = defaultdict(list)
        for res in self.resources:
            rtype = str(res.get("resourceType"))
            if rtype in SUPPORT_TYPES:
                continue
            if rtype not in SUPPORTED_TYPES:
                self.ignored[rtype] += 1
                continue
            reason = _status_skipped(res) or self._belongs(res)
            if reason:
                self._skip(res, reason)
                continue
            by_type[rtype].append(res)

        encounters: dict[int, _Group] = {id(e): _Group(e) for e in by_type["Encounter"]}
        valid_encounters = {id(e) for e in by_type["Encounter"]}

        def enc_group(res: JsonObj) -> _Group | None:
            enc = self._encounter_of(res)
            return (
                encounters.get(id(enc)) if enc is not None and id(enc) in valid_encounters else None
            )

        drafts: list[DocumentDraft] = []
        consumed_obs: set[int] = set()
        consumed_studies: set[int] = set()
        summary = _Group({})

        # reports first: they claim their Observations and ImagingStudies
        report_groups: list[tuple[str, _Group]] = []
        for dr in by_type["DiagnosticReport"]:
            cls = self._dr_class(dr)
            if cls == "note":
                text = self._dr_note_text(dr)
                group = enc_group(dr)
                if text and group is not None:
                    self._add_note(group, concept_text(dr.get("code")) or "Clinical note", text, dr)
                    continue
                report_groups.append(("note", _Group(dr)))
                continue
            g = _Group(dr)
            for ref in objs(dr.get("result")):
                o = self.index.resolve(ref)
                if o is None or o.get("resourceType") != "Observation":
                    self._warn(dr, "a result it lists is not in the bundle")
                    continue
                if _status_skipped(o):
                    continue
                g.observations.append(o)
                consumed_obs.add(id(o))
            for ref in objs(dr.get("imagingStudy")):
                s = self.index.resolve(ref)
                if s is not None and s.get("resourceType") == "ImagingStudy":
                    g.extra.append(s)
                    consumed_studies.add(id(s))
            report_groups.append((cls, g))

        for dref in by_type["DocumentReference"]:
            drafts.extend(self._docref(dref, enc_group(dref)))

        for res in by_type["Condition"]:
            (enc_group(res) or summary).conditions.append(res)
        for res in by_type["Procedure"]:
            (enc_group(res) or summary).procedures.append(res)
        for res in by_type["MedicationRequest"]:
            (enc_group(res) or summary).medications.append(res)
        for res in by_type["AllergyIntolerance"]:
            (enc_group(res) or summary).allergies.append(res)

        loose: dict[tuple[date | None, bool], _Group] = {}
        for o in by_type["Observation"]:
            if id(o) in consumed_obs:
                continue
            g_enc = enc_group(o)
            if g_enc is not None:
                g_enc.observations.append(o)
                continue
            is_lab = "laboratory" in {c.lower() for c in concept_codes(o.get("category"))}
            day = self._date_of(o)
            bucket = loose.setdefault((day, is_lab), _Group({}))
            bucket.observations.append(o)

        for imm in by_type["Immunization"]:
            drafts.append(self._immunization(imm))
        for enc in by_type["Encounter"]:
            drafts.append(self._encounter(encounters[id(enc)]))
        for cls, g in report_groups:
            drafts.append(self._report(cls, g))
        for study in by_type["ImagingStudy"]:
            if id(study) not in consumed_studies:
                drafts.append(self._imaging_study(study))
        for (day, is_lab), g in sorted(
            loose.items(), key=lambda kv: (kv[0][0] or date.max, kv[0][1])
        ):
            drafts.append(self._loose_observations(day, is_lab, g))
        if summary.conditions or summary.procedures or summary.medications or summary.allergies:
            drafts.append(self._clinical_summary(summary))

        for d in drafts:
            self.imported.update(d.resource_types)
            if d.date_of_service is None:
                self.warnings.append(
                    ImportIssue(
                        d.source_key,
                        d.resource_types[0] if d.resource_types else "?",
                        "no date of service in the source; indexed without a date — "
                        "set it before selecting records",
                    )
                )
        ignored = {
            t: (n, _IGNORED_REASONS.get(t, "this resource type is not imported"))
            for t, n in sorted(self.ignored.items())
        }
        return FhirImport(
            source_name=self.source_name,
            patient=self.patient,
            drafts=drafts,
            skipped=self.skipped,
            warnings=self.warnings,
            imported_counts=dict(self.imported),
            ignored=ignored,
        )

    # -- helpers for documents -------------------------------------------------------

    def _date_of(self, res: JsonObj) -> date | None:
        rtype = res.get("resourceType")
        paths: dict[str, tuple[str, ...]] = {
            "Immunization": ("occurrenceDateTime", "recorded"),
            "Encounter": ("period.start", "period.end"),
            "DiagnosticReport": ("effectiveDateTime", "effectivePeriod.start", "issued"),
            "Observation": (
                "effectiveDateTime",
                "effectivePeriod.start",
                "effectiveInstant",
                "issued",
            ),
            "ImagingStudy": ("started",),
            "DocumentReference": ("context.period.start", "date"),
            "Condition": ("onsetDateTime", "onsetPeriod.start", "recordedDate"),
            "Procedure": ("performedDateTime", "performedPeriod.start"),
            "MedicationRequest": ("authoredOn",),
            "AllergyIntolerance": ("onsetDateTime", "recordedDate"),
        }
        found = first_date(res, *paths.get(str(rtype), ()))
        if found is None and rtype != "Encounter":
            enc = self._encounter_of(res)
            if enc is not None:
                found = first_date(enc, "period.start", "period.end")
        return found

    def _marks(self, resources: Iterable[JsonObj]) -> tuple[SensitivityMark, ...]:
        marks: list[SensitivityMark] = []
        for r in resources:
            marks += label_marks(r, self.label_map)
            codes = concept_codes(r.get("code")) + concept_codes(r.get("reasonCode"))
            marks += code_marks(r, codes)
        return merge_marks(marks)

    def _draft(
        self,
        main: JsonObj,
        kind: DocumentKind,
        title: str,
        members: list[JsonObj],
        body_fields: list[tuple[str, str]],
        sections: list[Section],
        *,
        day: date | None = None,
        key: str | None = None,
        author: str | None = None,
        department: str | None = None,
        attachment_pdf: bytes | None = None,
    ) -> DocumentDraft:
        day = day if day is not None else (self._date_of(main) if main else None)
        enc = main if main.get("resourceType") == "Encounter" else self._encounter_of(main)
        enc_class = self._encounter_class(enc) if enc is not None else None
        all_res = [main, *members] if main else members
        body = DocumentBody(
            title=title,
            kind_label=kind.label,
            date_of_service=day,
            fields=tuple((k, v) for k, v in body_fields if v),
            sections=tuple(sections),
        )
        return DocumentDraft(
            source_key=key or self.index.key(main),
            kind=kind,
            title=title,
            date_of_service=day,
            body=None if attachment_pdf is not None else body,
            attachment_pdf=attachment_pdf,
            encounter_key=self.index.key(enc) if enc is not None else None,
            encounter_class=enc_class,
            author=author,
            department=department,
            sensitivity=self._marks(all_res),
            resource_keys=tuple(self.index.key(r) for r in all_res),
            resource_types=tuple(str(r.get("resourceType")) for r in all_res),
        )

    @staticmethod
    def _encounter_class(enc: JsonObj) -> str | None:
        cls = enc.get("class")
        # R4: a Coding; R5: a list of CodeableConcept
        codes = concept_codes(cls) if isinstance(cls, list) else concept_codes([{"coding": [cls]}])
        return codes[0].upper() if codes else None

    def _enc_people(self, enc: JsonObj | None) -> tuple[str | None, str | None]:
        if enc is None:
            return None, None
        author = None
        for part in objs(enc.get("participant")):
            author = self.index.display(part.get("individual") or part.get("actor"))
            if author:
                break
        dept = self.index.display(enc.get("serviceProvider"))
        if not dept:
            locs = objs(enc.get("location"))
            dept = self.index.display(locs[0].get("location")) if locs else None
        return author, dept

    def _add_note(self, group: _Group, title: str, text: str, res: JsonObj) -> None:
        h = _note_hash(text)
        group.extra.append(res)
        if h in group.note_hashes:
            return  # the same note exported twice (DocumentReference and DiagnosticReport)
        group.note_hashes.add(h)
        group.notes.append((title, text, res))

    def _dr_note_text(self, dr: JsonObj) -> str | None:
        texts = []
        for att in objs(dr.get("presentedForm")):
            decoded = _decode_attachment(att, self.index)
            if decoded:
                t = _attachment_text(*decoded)
                if t:
                    texts.append(t)
        if not texts and string(dr.get("conclusion")):
            texts.append(str(dr["conclusion"]))
        return "\n\n".join(texts) or None

    # -- one method per document shape -----------------------------------------------

    def _immunization(self, imm: JsonObj) -> DocumentDraft:
        vaccine = concept_text(imm.get("vaccineCode")) or "Vaccine not named"
        status = string(imm.get("status")) or "not recorded"
        if status == "not-done":
            vaccine += " (not given)"
        enc = self._encounter_of(imm)
        enc_author, enc_dept = self._enc_people(enc)
        performer = None
        for p in objs(imm.get("performer")):
            performer = self.index.display(p.get("actor"))
            if performer:
                break
        location = self.index.display(imm.get("location"))
        dose = ""
        for proto in objs(imm.get("protocolApplied")):
            dose = (
                string(proto.get("doseNumberPositiveInt"))
                or string(proto.get("doseNumberString"))
                or ""
            )
        fields = [
            ("Vaccine", vaccine),
            ("CVX code", ", ".join(concept_codes(imm.get("vaccineCode")))),
            ("Date given", format_date(self._date_of(imm))),
            ("Status", status),
            ("Dose number", dose),
            ("Lot number", string(imm.get("lotNumber")) or ""),
            ("Route", concept_text(imm.get("route")) or ""),
            ("Site", concept_text(imm.get("site")) or ""),
            ("Given by", performer or enc_author or ""),
            ("Location", location or enc_dept or ""),
            ("Primary source", "yes" if imm.get("primarySource") is True else ""),
        ]
        return self._draft(
            imm,
            DocumentKind.IMMUNIZATION,
            f"Immunization: {vaccine}",
            [],
            fields,
            [],
            author=performer or enc_author,
            department=location or enc_dept,
        )

    def _encounter(self, g: _Group) -> DocumentDraft:
        enc = g.main
        cls = self._encounter_class(enc)
        kind = _ENCOUNTER_KINDS.get(cls or "", DocumentKind.OTHER_ENCOUNTER)
        what = concept_text((objs(enc.get("type")) or [{}])[0]) or kind.label
        author, dept = self._enc_people(enc)
        start = first_date(enc, "period.start")
        end = first_date(enc, "period.end")
        reasons = [t for t in (concept_text(r) for r in objs(enc.get("reasonCode"))) if t]
        reasons += [
            t for t in (self.index.display(r) for r in objs(enc.get("reasonReference"))) if t
        ]
        loc = objs(enc.get("location"))
        fields = [
            ("Visit", what),
            ("Class", cls or "not recorded"),
            (
                "Date",
                format_date(start) + (f" to {end.isoformat()}" if end and end != start else ""),
            ),
            ("Clinician", author or ""),
            ("Facility / department", dept or ""),
            ("Location", (self.index.display(loc[0].get("location")) or "") if loc else ""),
            ("Reason", "; ".join(reasons)),
            ("Status", string(enc.get("status")) or ""),
        ]
        hosp = obj(enc.get("hospitalization"))
        if hosp:
            fields.append(
                ("Discharge disposition", concept_text(hosp.get("dischargeDisposition")) or "")
            )
        sections: list[Section] = []
        for title, text, _res in g.notes:
            sections.append(Section(heading=title, note=text))
        sections += self._list_sections(g)
        if g.observations:
            sections.append(
                Section("Observations and vital signs", table=self._obs_table(g.observations))
            )
        members = [
            *g.extra,
            *g.conditions,
            *g.procedures,
            *g.medications,
            *g.allergies,
            *g.observations,
        ]
        kind_word = {
            DocumentKind.OFFICE_VISIT: "Office visit",
            DocumentKind.EMERGENCY_VISIT: "Emergency visit",
            DocumentKind.INPATIENT_STAY: "Inpatient stay",
        }.get(kind, "Encounter")
        return self._draft(
            enc,
            kind,
            f"{kind_word}: {what}",
            members,
            fields,
            sections,
            author=author,
            department=dept,
        )

    def _list_sections(self, g: _Group) -> list[Section]:
        out: list[Section] = []
        rows: tuple[tuple[str, ...], ...]
        if g.conditions:
            rows = tuple(
                (
                    concept_text(c.get("code")) or "not named",
                    format_date(
                        first_date(c, "onsetDateTime", "onsetPeriod.start", "recordedDate")
                    ),
                    format_date(first_date(c, "abatementDateTime"))
                    if c.get("abatementDateTime")
                    else "",
                    concept_text(c.get("clinicalStatus")) or "",
                )
                for c in g.conditions
            )
            out.append(
                Section(
                    "Diagnoses", table=Table(("Condition", "Onset", "Resolved", "Status"), rows)
                )
            )
        if g.procedures:
            rows = tuple(
                (
                    concept_text(p.get("code")) or "not named",
                    format_date(first_date(p, "performedDateTime", "performedPeriod.start")),
                    string(p.get("status")) or "",
                )
                for p in g.procedures
            )
            out.append(Section("Procedures", table=Table(("Procedure", "Date", "Status"), rows)))
        if g.medications:
            rows = tuple(
                (
                    concept_text(m.get("medicationCodeableConcept"))
                    or self.index.display(m.get("medicationReference"))
                    or "not named",
                    format_date(first_date(m, "authoredOn")),
                    "; ".join(
                        t
                        for t in (string(d.get("text")) for d in objs(m.get("dosageInstruction")))
                        if t
                    ),
                    string(m.get("status")) or "",
                )
                for m in g.medications
            )
            out.append(
                Section(
                    "Medications prescribed",
                    table=Table(("Medication", "Ordered", "Instructions", "Status"), rows),
                )
            )
        if g.allergies:
            rows = tuple(
                (
                    concept_text(a.get("code")) or "not named",
                    ", ".join(str(c) for c in a.get("category") or [] if isinstance(c, str)),
                    string(a.get("criticality")) or "",
                    format_date(first_date(a, "onsetDateTime", "recordedDate")),
                )
                for a in g.allergies
            )
            out.append(
                Section(
                    "Allergies and intolerances",
                    table=Table(("Allergy", "Category", "Criticality", "Recorded"), rows),
                )
            )
        return out

    def _obs_table(self, observations: list[JsonObj]) -> Table:
        rows = []
        for o in sorted(
            observations,
            key=lambda o: (self._date_of(o) or date.max, concept_text(o.get("code")) or ""),
        ):
            rows.append(
                (
                    concept_text(o.get("code")) or "not named",
                    observation_value(o) or "—",
                    reference_range(o),
                    concept_text((objs(o.get("interpretation")) or [{}])[0]) or "",
                    format_date(self._date_of(o)),
                )
            )
        return Table(
            ("Test / observation", "Result", "Reference range", "Flag", "Date"), tuple(rows)
        )

    def _report(self, cls: str, g: _Group) -> DocumentDraft:
        dr = g.main
        name = concept_text(dr.get("code")) or "Report"
        performer = None
        for ref in [*objs(dr.get("performer")), *objs(dr.get("resultsInterpreter"))]:
            performer = self.index.display(ref)
            if performer:
                break
        enc_author, enc_dept = self._enc_people(self._encounter_of(dr))
        fields = [
            ("Report", name),
            ("Code", ", ".join(concept_codes(dr.get("code")))),
            ("Date", format_date(self._date_of(dr))),
            ("Issued", format_date(parse_date(dr.get("issued"))) if dr.get("issued") else ""),
            ("Status", string(dr.get("status")) or ""),
            ("Performed by", performer or enc_author or ""),
            ("Facility", enc_dept or ""),
        ]
        sections: list[Section] = []
        if g.observations:
            sections.append(Section("Results", table=self._obs_table(g.observations)))
        for s in g.extra:
            sections.append(self._study_section(s))
        conclusion = string(dr.get("conclusion"))
        if conclusion:
            sections.append(Section("Conclusion", paragraphs=(conclusion,)))
        codes = [t for t in (concept_text(c) for c in objs(dr.get("conclusionCode"))) if t]
        if codes:
            sections.append(Section("Coded conclusion", paragraphs=("; ".join(codes),)))
        text = self._dr_note_text(dr) if dr.get("presentedForm") else None
        if text:
            sections.append(Section("Report text", note=text))
        if cls == "lab":
            kind, word = DocumentKind.LAB, "Lab"
        elif cls == "note":
            kind, word = DocumentKind.CLINICAL_NOTE, "Note"
        else:
            kind, word = DocumentKind.RADIOLOGY, "Report"
        return self._draft(
            dr,
            kind,
            f"{word}: {name}",
            [*g.observations, *g.extra],
            fields,
            sections,
            author=performer or enc_author,
            department=enc_dept,
        )

    def _study_section(self, study: JsonObj) -> Section:
        rows = []
        for s in objs(study.get("series")):
            rows.append(
                (
                    concept_text(s.get("modality")) or "",
                    concept_text(s.get("bodySite")) or "",
                    string(s.get("numberOfInstances")) or str(len(objs(s.get("instance")))),
                    string(s.get("description"))
                    or "; ".join(
                        t for t in (string(i.get("title")) for i in objs(s.get("instance"))) if t
                    ),
                )
            )
        return Section(
            "Imaging study",
            fields=(("Started", format_date(self._date_of(study))),),
            table=Table(("Modality", "Body site", "Images", "Description"), tuple(rows)),
        )

    def _imaging_study(self, study: JsonObj) -> DocumentDraft:
        series = objs(study.get("series"))
        modality = ", ".join(
            dict.fromkeys(t for t in (concept_text(s.get("modality")) for s in series) if t)
        )
        site = ", ".join(
            dict.fromkeys(t for t in (concept_text(s.get("bodySite")) for s in series) if t)
        )
        what = string(study.get("description")) or " of ".join(
            p for p in (modality, site.lower()) if p
        )
        what = what or "Imaging study"
        author, dept = self._enc_people(self._encounter_of(study))
        fields = [
            ("Study", what),
            ("Date", format_date(self._date_of(study))),
            (
                "Series / images",
                f"{study.get('numberOfSeries', len(series))}"
                f" / {study.get('numberOfInstances', '?')}",
            ),
            (
                "Reason",
                "; ".join(t for t in (concept_text(r) for r in objs(study.get("reasonCode"))) if t),
            ),
            ("Facility", dept or ""),
        ]
        sections = [
            self._study_section(study),
            Section(
                "Note",
                paragraphs=(
                    "The source sent this imaging study without a written report. The "
                    "images themselves are released by the Radiology department.",
                ),
            ),
        ]
        return self._draft(
            study,
            DocumentKind.RADIOLOGY,
            f"Imaging: {what}",
            [],
            fields,
            sections,
            author=author,
            department=dept,
        )

    def _docref(self, dref: JsonObj, group: _Group | None) -> list[DocumentDraft]:
        type_codes = concept_codes(dref.get("type"))
        cat_codes = [c.lower() for c in concept_codes(dref.get("category"))]
        kind = next((_DOCREF_KINDS[c] for c in type_codes if c in _DOCREF_KINDS), None)
        if kind is None:
            kind = next(
                (_DOCREF_CATEGORY_KINDS[c] for c in cat_codes if c in _DOCREF_CATEGORY_KINDS), None
            )
        title = string(dref.get("description")) or concept_text(dref.get("type")) or "Clinical note"
        texts: list[str] = []
        pdfs: list[bytes] = []
        unreadable = 0
        for content in objs(dref.get("content")):
            decoded = _decode_attachment(obj(content.get("attachment")), self.index)
            if decoded is None:
                unreadable += 1
                continue
            ctype, payload = decoded
            if "pdf" in ctype or payload[:5] == b"%PDF-":
                pdfs.append(payload)
                continue
            t = _attachment_text(ctype, payload)
            if t:
                texts.append(t)
            else:
                unreadable += 1
        if not texts and not pdfs:
            self._skip(
                dref,
                "no readable attachment in the bundle (only a link, or a format that is not "
                "text or PDF)",
            )
            return []
        if unreadable:
            self._warn(dref, f"{unreadable} attachment(s) not in the bundle or not readable")
        author = None
        for ref in objs(dref.get("author")):
            author = self.index.display(ref)
            if author:
                break
        dept = self.index.display(dref.get("custodian"))
        out: list[DocumentDraft] = []
        if texts and kind is None and group is not None:
            self._add_note(group, title, "\n\n".join(texts), dref)
        elif texts:
            fields = [
                ("Document", title),
                ("Date", format_date(self._date_of(dref))),
                ("Author", author or ""),
            ]
            out.append(
                self._draft(
                    dref,
                    kind or DocumentKind.CLINICAL_NOTE,
                    title,
                    [],
                    fields,
                    [Section("Text", note="\n\n".join(texts))],
                    author=author,
                    department=dept,
                )
            )
        for n, pdf in enumerate(pdfs):
            base = self.index.key(dref)
            out.append(
                self._draft(
                    dref,
                    kind or DocumentKind.CORRESPONDENCE,
                    title,
                    [],
                    [],
                    [],
                    key=base if n == 0 and not texts else f"{base}#pdf{n + 1}",
                    author=author,
                    department=dept,
                    attachment_pdf=pdf,
                )
            )
        if len(out) > 1:
            # one resource, several documents: count it once
            out = [out[0], *(self._uncounted(d) for d in out[1:])]
        return out

    @staticmethod
    def _uncounted(d: DocumentDraft) -> DocumentDraft:
        from dataclasses import replace

        return replace(d, resource_types=())

    def _loose_observations(self, day: date | None, is_lab: bool, g: _Group) -> DocumentDraft:
        kind = DocumentKind.LAB if is_lab else DocumentKind.OTHER
        title = "Lab results (not in a report)" if is_lab else "Observations"
        stamp = day.isoformat() if day else "undated"
        key = f"fhir:observations:{'lab' if is_lab else 'other'}:{stamp}:{self.patient.source_key}"
        main = g.observations[0]
        return self._draft(
            main,
            kind,
            title,
            g.observations[1:],
            [("Date", format_date(day))],
            [Section("Results", table=self._obs_table(g.observations))],
            day=day,
            key=key,
        )

    def _clinical_summary(self, g: _Group) -> DocumentDraft:
        members = [*g.conditions, *g.procedures, *g.medications, *g.allergies]
        days = [d for d in (self._date_of(r) for r in members) if d]
        day = max(days) if days else None
        main = members[0]
        return self._draft(
            main,
            DocumentKind.CLINICAL_SUMMARY,
            "Clinical summary: problems, procedures, medications, allergies",
            members[1:],
            [("As of", format_date(day))],
            self._list_sections(g),
            day=day,
            key=f"fhir:summary:{self.patient.source_key}",
        )


# --------------------------------------------------------------------------- public API


def index_bundle(
    data: bytes | str,
    *,
    source_name: str,
    patient_key: str | None = None,
    label_map: Mapping[str, SensitivityCategory] | None = None,
) -> FhirImport:
    """Validate a FHIR R4 bundle and find its documents (no PDF rendering yet).

    Raises :class:`DocumentError` for a file that is not a FHIR bundle, and
    :class:`ValidationError` for a bundle of several patients when ``patient_key`` (see
    :func:`bundle_patients`) is not given. Everything else is reported per resource.
    """
    bundle = read_bundle(data)
    return _Importer(bundle, source_name, patient_key, label_map).run()


def render_draft(draft: DocumentDraft, patient: PatientInfo, source_name: str) -> RecordDocument:
    """The record document for a draft: its PDF rendered (or taken as sent) in memory."""
    if draft.attachment_pdf is not None:
        from roi_desk.records.pdf_import import open_pdf_bytes

        pdf, pages = open_pdf_bytes(draft.attachment_pdf)
    else:
        if draft.body is None:  # a bug, not a user error: drafts always have one or the other
            raise RuntimeError("document draft has neither a body nor a PDF")
        rendered = render_body(draft.body, patient)
        pdf, pages = rendered.pdf, rendered.page_count
    return RecordDocument(
        source_key=draft.source_key,
        kind=draft.kind,
        title=draft.title,
        date_of_service=draft.date_of_service,
        source=DocumentSource.FHIR,
        source_name=source_name,
        pdf=pdf,
        page_count=pages,
        encounter_key=draft.encounter_key,
        encounter_class=draft.encounter_class,
        author=draft.author,
        department=draft.department,
        sensitivity=draft.sensitivity,
        resource_keys=draft.resource_keys,
    )


def import_bundle(
    data: bytes | str,
    *,
    source_name: str,
    patient_key: str | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, tuple[FhirImport, list[RecordDocument]]]:
    """Index and render a bundle, yielding ``(done, total, message)`` progress."""
    yield (0, 1, "Reading the FHIR bundle")
    result = index_bundle(data, source_name=source_name, patient_key=patient_key)
    documents = yield from result.render(cancel)
    return result, documents
