"""Whose chart a file is: the people a bundle names, matched against the chosen patient
or found / created by MRN, name and date of birth."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.errors import NotFoundError, ValidationError
from roi_desk.models import Patient
from roi_desk.records.fhir import bundle_patients, resource_key
from roi_desk.records.fhir_values import JsonObj, obj, objs, string
from roi_desk.records.kinds import (
    PatientInfo,
)
from roi_desk.services.records.batch import (
    ImportReport,
    PatientMismatchError,
    PatientTarget,
)
from roi_desk.text import fold

#: Patient.mrn is a String(32): a longer foreign MRN cannot become ours
_MAX_MRN = 32


@dataclass(frozen=True)
class Person:
    """A patient as a file or the database states it, for matching."""

    family: str
    given: str
    birth_date: date | None
    mrn: str | None = None
    gender: str | None = None
    deceased: date | None = None
    key: str | None = None
    display: str = ""

    def matches(self, other: Person) -> bool:
        """Same person: same date of birth and the same last or first name (folded, so
        accents, case and apostrophes do not matter; a changed last name still matches)."""
        if self.birth_date is None or other.birth_date is None:
            return False
        if self.birth_date != other.birth_date:
            return False
        fam = fold(self.family) and fold(self.family) == fold(other.family)
        giv = fold(self.given) and fold(self.given) == fold(other.given)
        return bool(fam or giv)


def bundle_people(bundle: JsonObj) -> list[Person]:
    infos = {p.source_key: p for p in bundle_patients(bundle)}
    out: list[Person] = []
    for entry in objs(bundle.get("entry")):
        res = obj(entry.get("resource"))
        if res.get("resourceType") != "Patient":
            continue
        key = resource_key(res, string(entry.get("fullUrl")))
        info: PatientInfo | None = infos.get(key)
        names = objs(res.get("name"))
        chosen = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
        given = " ".join(g for g in (string(x) for x in chosen.get("given") or []) if g)
        family = string(chosen.get("family")) or ""
        if info is None:  # pragma: no cover - bundle_patients lists every Patient
            continue
        out.append(
            Person(
                family=family,
                given=given,
                birth_date=info.birth_date,
                mrn=info.mrn,
                gender=info.gender,
                deceased=info.deceased,
                key=key,
                display=f"{info.name}, born {info.birth_date or 'date not recorded'}",
            )
        )
    return out


def _person_of(p: Patient) -> Person:
    return Person(
        family=p.family_name,
        given=p.given_name,
        birth_date=p.date_of_birth,
        mrn=p.mrn,
        key=str(p.id),
        display=p.display_name,
    )


def target_person(session: Session, target: PatientTarget) -> tuple[uuid.UUID, Person] | None:
    """The patient the clerk named, if they exist; raises when a given id is unknown."""
    if target.patient_id is not None:
        p = session.get(Patient, target.patient_id)
        if p is None:
            raise NotFoundError("The chosen patient is not in ROI Desk.")
        return p.id, _person_of(p)
    if target.mrn:
        p = session.scalar(select(Patient).where(Patient.mrn == target.mrn.strip()))
        if p is not None:
            return p.id, _person_of(p)
    return None


def _exact_matches(session: Session, person: Person) -> list[Patient]:
    if person.birth_date is None:
        return []
    stmt = select(Patient).where(Patient.date_of_birth == person.birth_date)
    return [p for p in session.scalars(stmt.limit(500)) if _person_of(p).matches(person)]


def choose_bundle_person(
    people: list[Person], known: Person | None, target: PatientTarget
) -> Person | None:
    """Which of the bundle's patients to import; raises with a clear message if unclear."""
    if not people:
        return None
    if known is not None:
        same = [p for p in people if p.matches(known)]
        if len(same) == 1:
            return same[0]
        if len(people) == 1:
            if target.accept_mismatch:
                return people[0]
            raise PatientMismatchError(
                "The patient in this FHIR file does not match the chosen patient (name or "
                "date of birth differ). Check that it is the right chart.",
                bundle_patient=people[0].display,
            )
        raise ValidationError(
            f"This FHIR file holds records of {len(people)} patients and "
            + ("several" if same else "none")
            + " of them match the chosen patient. Export this patient's records on their own.",
            fields={"patient": f"{len(people)} patients in the file"},
        )
    if len(people) > 1:
        raise ValidationError(
            f"This FHIR file holds records of {len(people)} patients. Import it from the "
            "request of the patient you want (or give the MRN), so ROI Desk knows whose "
            "records to take.",
            fields={"patient": f"{len(people)} patients in the file"},
        )
    return people[0]


def resolve_patient(
    session: Session,
    target: PatientTarget,
    first_person: Person | None,
    report: ImportReport,
) -> Patient | None:
    """Find the chart's patient, or create them from the bundle (clerk MRN first)."""
    found = target_person(session, target)
    if found is not None:
        return session.get(Patient, found[0])
    if first_person is None:
        return None
    if target.mrn is None:
        matches = _exact_matches(session, first_person)
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValidationError(
                f"{len(matches)} patients in ROI Desk have this name and date of birth. "
                "Give the MRN of the right one.",
                fields={"mrn": "several patients match"},
            )
    else:
        # the clerk typed a new MRN: refuse to make a second record of a known patient
        if _exact_matches(session, first_person):
            raise ValidationError(
                "A patient with this name and date of birth is already in ROI Desk under "
                "another MRN. Use that MRN instead of creating a new patient.",
                fields={"mrn": "patient exists under another MRN"},
            )
    mrn = (target.mrn or "").strip() or (first_person.mrn or "").strip()
    if not mrn or len(mrn) > _MAX_MRN:
        raise ValidationError(
            "This patient is not in ROI Desk yet. Enter the patient's MRN to add them with "
            "their chart.",
            fields={"mrn": "required for a new patient"},
        )
    if session.scalar(select(Patient.id).where(Patient.mrn == mrn)) is not None:
        raise ValidationError(
            "The MRN in this file belongs to another patient in ROI Desk. Enter the right MRN.",
            fields={"mrn": "already used"},
        )
    if first_person.birth_date is None:
        raise ValidationError(
            "This file gives no date of birth, so the patient cannot be added from it. "
            "Log the patient first, then import the chart from their request.",
            fields={"date_of_birth": "missing"},
        )
    patient = Patient(
        mrn=mrn,
        date_of_birth=first_person.birth_date,
        sex=(first_person.gender or "")[:16],
        deceased=first_person.deceased is not None,
        date_of_death=first_person.deceased,
    )
    patient.set_names(first_person.family or "Unknown", first_person.given)
    session.add(patient)
    session.flush()
    report.patient_created = True
    return patient
