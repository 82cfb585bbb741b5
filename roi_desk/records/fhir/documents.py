"""One document builder per shape of record: immunization, encounter (visit), lab or
imaging report, imaging study, document reference, loose observations, clinical summary."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from roi_desk.records.fhir.bundle import (
    BundleIndex,
    attachment_text,
    decode_attachment,
)
from roi_desk.records.fhir.codes import (
    DOCREF_CATEGORY_KINDS,
    DOCREF_KINDS,
    ENCOUNTER_KINDS,
)
from roi_desk.records.fhir.drafts import DocumentDraft, ImportIssue
from roi_desk.records.fhir_values import (
    JsonObj,
    concept_codes,
    concept_text,
    first_date,
    obj,
    objs,
    observation_value,
    parse_date,
    reference_range,
    string,
)
from roi_desk.records.kinds import (
    PatientInfo,
    RecordKind,
    SensitivityCategory,
    SensitivityMark,
)
from roi_desk.records.render import DocumentBody, Section, Table, format_date
from roi_desk.records.sensitivity import code_marks, label_marks, merge_marks


@dataclass
class Group:
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


def note_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


class DocumentBuilder:
    """Builds one document draft per shape of record (see the package docstring).

    The state it reads (the bundle's index, the chosen patient, the label map) and the
    issue lists it adds to belong to the :class:`~.grouping.Importer` that subclasses it.
    """

    index: BundleIndex
    patient: PatientInfo
    label_map: Mapping[str, SensitivityCategory] | None
    skipped: list[ImportIssue]
    warnings: list[ImportIssue]

    def _skip(self, res: JsonObj, message: str) -> None:
        self.skipped.append(
            ImportIssue(self.index.key(res), string(res.get("resourceType")) or "?", message)
        )

    def _warn(self, res: JsonObj, message: str) -> None:
        self.warnings.append(
            ImportIssue(self.index.key(res), string(res.get("resourceType")) or "?", message)
        )

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
        kind: RecordKind,
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

    def _add_note(self, group: Group, title: str, text: str, res: JsonObj) -> None:
        h = note_hash(text)
        group.extra.append(res)
        if h in group.note_hashes:
            return  # the same note exported twice (DocumentReference and DiagnosticReport)
        group.note_hashes.add(h)
        group.notes.append((title, text, res))

    def _dr_note_text(self, dr: JsonObj) -> str | None:
        texts = []
        for att in objs(dr.get("presentedForm")):
            decoded = decode_attachment(att, self.index)
            if decoded:
                t = attachment_text(*decoded)
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
            RecordKind.IMMUNIZATION,
            f"Immunization: {vaccine}",
            [],
            fields,
            [],
            author=performer or enc_author,
            department=location or enc_dept,
        )

    def _encounter(self, g: Group) -> DocumentDraft:
        enc = g.main
        cls = self._encounter_class(enc)
        kind = ENCOUNTER_KINDS.get(cls or "", RecordKind.OTHER_ENCOUNTER)
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
            RecordKind.OFFICE_VISIT: "Office visit",
            RecordKind.EMERGENCY_VISIT: "Emergency visit",
            RecordKind.INPATIENT_STAY: "Inpatient stay",
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

    def _list_sections(self, g: Group) -> list[Section]:
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

    def _report(self, cls: str, g: Group) -> DocumentDraft:
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
            kind, word = RecordKind.LAB, "Lab"
        elif cls == "note":
            kind, word = RecordKind.CLINICAL_NOTE, "Note"
        else:
            kind, word = RecordKind.RADIOLOGY, "Report"
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
            RecordKind.RADIOLOGY,
            f"Imaging: {what}",
            [],
            fields,
            sections,
            author=author,
            department=dept,
        )

    def _docref(self, dref: JsonObj, group: Group | None) -> list[DocumentDraft]:
        type_codes = concept_codes(dref.get("type"))
        cat_codes = [c.lower() for c in concept_codes(dref.get("category"))]
        kind = next((DOCREF_KINDS[c] for c in type_codes if c in DOCREF_KINDS), None)
        if kind is None:
            kind = next(
                (DOCREF_CATEGORY_KINDS[c] for c in cat_codes if c in DOCREF_CATEGORY_KINDS), None
            )
        title = string(dref.get("description")) or concept_text(dref.get("type")) or "Clinical note"
        texts: list[str] = []
        pdfs: list[bytes] = []
        unreadable = 0
        for content in objs(dref.get("content")):
            decoded = decode_attachment(obj(content.get("attachment")), self.index)
            if decoded is None:
                unreadable += 1
                continue
            ctype, payload = decoded
            if "pdf" in ctype or payload[:5] == b"%PDF-":
                pdfs.append(payload)
                continue
            t = attachment_text(ctype, payload)
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
                    kind or RecordKind.CLINICAL_NOTE,
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
                    kind or RecordKind.CORRESPONDENCE,
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

    def _loose_observations(self, day: date | None, is_lab: bool, g: Group) -> DocumentDraft:
        kind = RecordKind.LAB if is_lab else RecordKind.OTHER
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

    def _clinical_summary(self, g: Group) -> DocumentDraft:
        members = [*g.conditions, *g.procedures, *g.medications, *g.allergies]
        days = [d for d in (self._date_of(r) for r in members) if d]
        day = max(days) if days else None
        main = members[0]
        return self._draft(
            main,
            RecordKind.CLINICAL_SUMMARY,
            "Clinical summary: problems, procedures, medications, allergies",
            members[1:],
            [("As of", format_date(day))],
            self._list_sections(g),
            day=day,
            key=f"fhir:summary:{self.patient.source_key}",
        )
