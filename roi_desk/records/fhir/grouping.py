"""Grouping a bundle's resources into documents (the rules are in the package docstring):
entries read, the patient chosen, resources of another patient or entered in error skipped,
reports claiming their observations and studies, the rest folded into encounters."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date

from roi_desk.errors import ValidationError
from roi_desk.records.fhir.bundle import BundleIndex, patient_info
from roi_desk.records.fhir.codes import (
    IGNORED_REASONS,
    IMAGING_SECTIONS,
    IMAGING_SECTIONS_LOWER,
    LAB_SECTIONS,
    LAB_SECTIONS_LOWER,
    SUPPORT_TYPES,
    SUPPORTED_TYPES,
)
from roi_desk.records.fhir.documents import DocumentBuilder, Group
from roi_desk.records.fhir.drafts import (
    DocumentDraft,
    FhirImport,
    ImportIssue,
)
from roi_desk.records.fhir_values import (
    JsonObj,
    concept_codes,
    concept_text,
    obj,
    objs,
    string,
)
from roi_desk.records.kinds import PatientInfo, SensitivityCategory


def status_skipped(resource: JsonObj) -> str | None:
    status = string(resource.get("status"))
    if status == "entered-in-error":
        return "marked entered-in-error by the source"
    vstatus = concept_codes(resource.get("verificationStatus"))
    if "entered-in-error" in vstatus:
        return "marked entered-in-error by the source"
    return None


def section_codes(resource: JsonObj) -> tuple[set[str], set[str]]:
    upper: set[str] = set()
    lower: set[str] = set()
    for code in concept_codes(resource.get("category")):
        upper.add(code.upper())
        lower.add(code.lower())
    return upper, lower


class Importer(DocumentBuilder):
    """Reads one bundle's entries, chooses its patient and groups its resources."""

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
        self.index = BundleIndex()
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
                    return patient_info(p, patient_key), p
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
        return patient_info(p, self.index.key(p)), p

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

    # -- classification ----------------------------------------------------------------

    def _dr_class(self, dr: JsonObj) -> str:
        upper, lower = section_codes(dr)
        if upper & LAB_SECTIONS or lower & LAB_SECTIONS_LOWER:
            return "lab"
        if upper & IMAGING_SECTIONS or lower & IMAGING_SECTIONS_LOWER or dr.get("imagingStudy"):
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
            reason = status_skipped(res) or self._belongs(res)
            if reason:
                self._skip(res, reason)
                continue
            by_type[rtype].append(res)

        encounters: dict[int, Group] = {id(e): Group(e) for e in by_type["Encounter"]}
        valid_encounters = {id(e) for e in by_type["Encounter"]}

        def enc_group(res: JsonObj) -> Group | None:
            enc = self._encounter_of(res)
            return (
                encounters.get(id(enc)) if enc is not None and id(enc) in valid_encounters else None
            )

        drafts: list[DocumentDraft] = []
        consumed_obs: set[int] = set()
        consumed_studies: set[int] = set()
        summary = Group({})

        # reports first: they claim their Observations and ImagingStudies
        report_groups: list[tuple[str, Group]] = []
        for dr in by_type["DiagnosticReport"]:
            cls = self._dr_class(dr)
            if cls == "note":
                text = self._dr_note_text(dr)
                group = enc_group(dr)
                if text and group is not None:
                    self._add_note(group, concept_text(dr.get("code")) or "Clinical note", text, dr)
                    continue
                report_groups.append(("note", Group(dr)))
                continue
            g = Group(dr)
            for ref in objs(dr.get("result")):
                o = self.index.resolve(ref)
                if o is None or o.get("resourceType") != "Observation":
                    self._warn(dr, "a result it lists is not in the bundle")
                    continue
                if status_skipped(o):
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

        loose: dict[tuple[date | None, bool], Group] = {}
        for o in by_type["Observation"]:
            if id(o) in consumed_obs:
                continue
            g_enc = enc_group(o)
            if g_enc is not None:
                g_enc.observations.append(o)
                continue
            is_lab = "laboratory" in {c.lower() for c in concept_codes(o.get("category"))}
            day = self._date_of(o)
            bucket = loose.setdefault((day, is_lab), Group({}))
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
            t: (n, IGNORED_REASONS.get(t, "this resource type is not imported"))
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
