"""Is every released page this patient's? The wrong-patient check QA runs before approval.

A page from another patient's chart is the costliest ROI error: an impermissible
disclosure (45 CFR 164.502(a)) and a breach to report (164.402). Each page's text (or its
footer) should show this patient's name, MRN or date of birth, and no page may show
*another* patient's MRN or name another patient in a "Patient:" field.

The check is fast by design: each page's text is scanned with an MRN *pattern*, and the few
candidate tokens of the whole document are looked up in one indexed ``IN`` query on
``patients.mrn``; names are compared only where the page labels a field as the patient's
name, looked up by the folded family name (indexed) — never a scan of every name in the
master patient index against every page.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.dates import US, DateFormat
from roi_desk.errors import DocumentError
from roi_desk.models import Patient, PatientAlias
from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.services import settings as site_settings
from roi_desk.text import fold

__all__ = [
    "PageFinding",
    "PatientIdentity",
    "check_pages",
    "dob_forms",
    "page_texts",
    "patient_identity",
]


@pdfium_serialized
def page_texts(pdf: bytes) -> list[str]:
    """The text of every page (pypdfium2, ~2 ms a page; GROUND.md)."""
    try:
        doc = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise DocumentError("The release PDF cannot be read for the QA checks.") from exc
    try:
        out = []
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            out.append(str(textpage.get_text_range()))
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


#: an MRN-like token: a short letter prefix and 5-12 digits ("MRN100042", "A-1234567")
_MRN_TOKEN = re.compile(r"\b([A-Z]{0,4})[- ]?(\d{5,12})\b")
#: a field that names the patient: "Patient: Doe, Jane", "Patient name: Jane Doe"
#: letters of any script (José, Meléndez, Þóra), apostrophes, hyphens and spaces: an
#: ASCII-only class cut "José" to "Jos" and called the page someone else's
_NAME_WORDS = r"[^\W\d_](?:[^\W\d_]|['’\- ]){0,40}"
_NAME_FIELD = re.compile(
    rf"\b(?:patient(?:\s+name)?|name)\s*:\s*({_NAME_WORDS}(?:,\s*{_NAME_WORDS})?)",
    re.IGNORECASE,
)
#: a field that states the page's MRN: "MRN MRN100042", "MRN: e8c2a98e-…", "MRN# 100042"
_MRN_FIELD = re.compile(r"\bMRN\b[\s:#.]*([A-Za-z0-9][A-Za-z0-9\-]{2,63})", re.IGNORECASE)
_NAME_STOP = re.compile(r"\s+(?:DOB|MRN|Date|Sex|Age)\b.*$", re.IGNORECASE)


def _norm_mrn(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def _mrn_candidates(text: str) -> set[str]:
    out: set[str] = set()
    for prefix, digits in _MRN_TOKEN.findall(text.upper()):
        out.update({prefix + digits, digits})
    return out


def _bare_mrn(norm: str) -> str:
    """A normalized MRN without an "MRN" prefix: "MRN100042" and "100042" are one number."""
    return norm[3:] if norm.startswith("MRN") and len(norm) > 3 else norm


def _wrong_mrn(text: str, own_mrn: str) -> bool:
    """The page states an MRN that is not this patient's: another patient's, another
    facility's, or a source system's id (a FHIR resource id is not our MRN)."""
    if not own_mrn:
        return False
    own = _bare_mrn(own_mrn)
    return any(_bare_mrn(_norm_mrn(value)) != own for value in _MRN_FIELD.findall(text))


def dob_forms(day: dt.date | None, fmt: DateFormat = US) -> tuple[str, ...]:
    """How a page may print this date of birth: in the site's order (``fmt``: a day-first
    site reads 31/12/1961 where a US one reads 12/31/1961), with or without leading
    zeros, separated by "/", "-" or ".", and ISO (1961-12-31), which reads the same
    everywhere. The other order is not accepted: 03/07 would be another day."""
    if day is None:
        return ()
    parts = {
        "y": (str(day.year), str(day.year)),
        "m": (f"{day.month:02d}", str(day.month)),
        "d": (f"{day.day:02d}", str(day.day)),
    }
    forms = {day.isoformat()}
    for separator in "/-.":
        for padded in (0, 1):
            forms.add(separator.join(parts[kind][padded] for kind in fmt.order.value))
    return tuple(sorted(forms))


@dataclass(frozen=True)
class PatientIdentity:
    patient_id: uuid.UUID
    mrn: str
    #: (family, given) folded pairs: the legal name and any aliases
    names: tuple[tuple[str, str], ...]
    dob: tuple[str, ...]


def patient_identity(
    session: Session, patient: Patient, fmt: DateFormat | None = None
) -> PatientIdentity:
    """Who the pages must be: MRN, names (aliases too), the date of birth as this site
    writes it (``fmt``, else the site's date format) and in ISO."""
    fmt = fmt or site_settings.date_format(session)
    names = [(fold(patient.family_name), fold(patient.given_name))]
    for alias in session.scalars(select(PatientAlias).where(PatientAlias.patient_id == patient.id)):
        names.append((fold(alias.family_name), fold(alias.given_name or patient.given_name)))
    return PatientIdentity(
        patient.id, _norm_mrn(patient.mrn), tuple(names), dob_forms(patient.date_of_birth, fmt)
    )


def _words(text: str) -> set[str]:
    """Folded words of ``text``, plus each pair run together ("Van Dyke" → "vandyke",
    which is how a folded two-word family name looks)."""
    tokens = [t for t in (fold(w) for w in re.split(r"[\s,;:|/·]+", text)) if t]
    return set(tokens) | {a + b for a, b in itertools.pairwise(tokens)}


def _has_name(words: set[str], names: Iterable[tuple[str, str]]) -> bool:
    return any(family in words and (not given or given in words) for family, given in names)


def _field_names(text: str) -> list[tuple[str, str]]:
    """(family, given) folded from every "Patient: …" field on the page."""
    out = []
    for raw in _NAME_FIELD.findall(text):
        value = _NAME_STOP.sub("", raw).strip(" ,")
        if not value:
            continue
        if "," in value:
            family, given = (p.strip() for p in value.split(",", 1))
        else:
            parts = value.split()
            if len(parts) < 2:
                continue
            family, given = parts[-1], parts[0]
        given = given.split()[0] if given.split() else ""
        out.append((fold(family), fold(given)))
    return out


@dataclass(frozen=True)
class PageFinding:
    page: int
    own: bool
    #: ids of other patients whose MRN the page shows
    other_mrn_patients: tuple[uuid.UUID, ...] = ()
    #: (family, given) from a patient-name field that is not this patient
    other_names: tuple[tuple[str, str], ...] = ()
    #: those other names match a patient in the index
    other_name_known: bool = False
    has_text: bool = True
    #: the page's MRN field states an MRN that is not this patient's
    wrong_mrn: bool = False


def check_pages(
    session: Session, texts: Sequence[str], pages: Sequence[int], identity: PatientIdentity
) -> list[PageFinding]:
    """Check the 1-based ``pages`` of a document whose page texts are ``texts``."""
    per_page: dict[int, set[str]] = {}
    everything: set[str] = set()
    for n in pages:
        cands = _mrn_candidates(texts[n - 1])
        per_page[n] = cands
        everything |= cands
    everything.discard(identity.mrn)
    owners: dict[str, uuid.UUID] = {}
    candidates = sorted(everything)
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        for pid, mrn in session.execute(
            select(Patient.id, Patient.mrn).where(Patient.mrn.in_(chunk))
        ):
            if pid != identity.patient_id:
                owners[_norm_mrn(mrn)] = pid
    out = []
    for n in pages:
        text = texts[n - 1]
        own = (
            (identity.mrn != "" and identity.mrn in per_page[n])
            or _has_name(_words(text), identity.names)
            or any(form in text for form in identity.dob)
        )
        others = tuple(sorted({owners[c] for c in per_page[n] if c in owners}, key=str))
        strangers = tuple(
            (family, given)
            for family, given in _field_names(text)
            if not _has_name({family, given}, identity.names)
        )
        known = bool(strangers) and _known_names(session, strangers, identity.patient_id)
        out.append(
            PageFinding(
                n,
                own,
                others,
                strangers,
                known,
                bool(text.strip()),
                _wrong_mrn(text, identity.mrn),
            )
        )
    return out


def _known_names(session: Session, names: Sequence[tuple[str, str]], patient_id: uuid.UUID) -> bool:
    for family, given in names:
        hit = session.scalar(
            select(Patient.id)
            .where(Patient.family_folded == family, Patient.id != patient_id)
            .where(Patient.given_folded.startswith(given[:1]) if given else Patient.id.is_not(None))
            .limit(1)
        )
        if hit is not None:
            return True
    return False
