"""The inbox's search box: what one line of text finds, as SQL over indexed columns.

A request is found by its number (whole, or the digits heard on the phone), by its
patient's MRN (whole, its digits, or their first digits read off a fax), date of birth,
or name prefix ("smith", "smith, jo", "o'kee", "john smith", "da silva").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from roi_desk.models import Patient, Request
from roi_desk.text import fold, prefix_upper_bound

_REQUEST_NUMBER = re.compile(r"^\d{4}-\d{1,6}$")
_DIGITS = re.compile(r"^\d{1,10}$")
#: request numbers are "YYYY-NNNNNN" per year since the desk's first year (intake)
FIRST_YEAR = 2000
#: an MRN's digits: the MRN without its leading letters ("MRN200451" → "200451"), as the
#: triggers that keep ``requests.mrn_digits`` (0021) spell it
MRN_LETTERS = "'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #-'"
#: digits this long or longer also find MRNs that start with them (a fax's partial MRN);
#: shorter ones would match thousands of patients
MRN_PREFIX_DIGITS = 4
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y", "%m/%d/%y")


@dataclass(frozen=True)
class Search:
    """What a search text finds: ``clause`` over the requests. For a name prefix (a search
    that reads only the patient sort key), ``walk`` is the same condition written so that
    no index on the sort key can serve it: a common name's newest matches are then read in
    date order off the received-date index, which holds the sort key, instead of reading
    every match by name and sorting them (see inbox._walks). ``names``: the name ranges
    the clause is the OR of, which no request matches two of (each is counted on its own:
    an OR of two ranges made PostgreSQL read the table to count them)."""

    clause: ColumnElement[bool]
    walk: ColumnElement[bool] | None = None
    names: tuple[ColumnElement[bool], ...] = ()
    #: the clause's alternatives when it is an OR of several (an MRN's digits or a request
    #: number; a patient's birth date or an unmatched request's), each of which an index
    #: of its own answers — see inbox._page_stmt
    branches: tuple[ColumnElement[bool], ...] = ()

    @property
    def by_name(self) -> bool:
        return self.walk is not None


def parse_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class _PatientIn(ColumnElement[bool]):
    """``requests.patient_id IN (patients matching …)``.

    PostgreSQL plans ``IN (subquery)`` as a semi-join and, at a million requests, chose a
    sequential scan of them for one MRN (6.8 s); ``= ANY(ARRAY(subquery))`` runs the
    subquery first and probes ix_requests_patient per patient (1.7 ms). SQLite's IN is
    already a probe per patient."""

    inherit_cache = True
    # the subquery is part of the statement's cache key (and its parameters are found)
    _traverse_internals = [("patients", InternalTraversal.dp_clauseelement)]  # noqa: RUF012
    type = Boolean()
    # a comparison, not a boolean column: SQLite must not get "… = 1" after it (which hid
    # the IN from the planner: it scanned every request)
    _is_implicitly_boolean = True

    def __init__(self, patients: Select[Any]) -> None:
        self.patients = patients.scalar_subquery()


@compiles(_PatientIn)
def _patient_in(element: _PatientIn, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(Request.__table__.c.patient_id, **kw)
    patients = compiler.process(element.patients.element, asfrom=False, **kw)
    return f"{column} IN ({patients})"


@compiles(_PatientIn, "postgresql")
def _patient_in_pg(element: _PatientIn, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(Request.__table__.c.patient_id, **kw)
    return (
        f"{column} = ANY(ARRAY({compiler.process(element.patients.element, asfrom=False, **kw)}))"
    )


def _patients(where: ColumnElement[bool]) -> ColumnElement[bool]:
    return _PatientIn(select(Patient.id).where(where))


def _name_range(key: str, *, indexed: bool = True) -> ColumnElement[bool]:
    # the sort key is "family given", so a prefix range on it is an index range scan;
    # ``|| ''`` keeps the same values from any index (SQLite and PostgreSQL alike)
    sort_key: Any = Request.patient_sort if indexed else Request.patient_sort + ""
    return and_(sort_key >= key, sort_key < prefix_upper_bound(key))


def search_for(text: str) -> Search | None:
    """The :class:`Search` for a search box's text (``None`` when it is blank)."""
    text = text.strip()
    if not text:
        return None
    if _REQUEST_NUMBER.match(text):
        year, num = text.split("-")
        return Search(Request.number == f"{year}-{int(num):06d}")
    if _DIGITS.match(text):
        return _either(_digits_clauses(text))
    dob = parse_date(text)
    if dob is not None:
        return _either(
            [
                _patients(Patient.date_of_birth == dob),
                and_(Request.patient_id.is_(None), Request.stated_dob == dob),
            ]
        )
    compact = text.replace(" ", "").upper()
    keys: list[str] = []
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
    elif " " in text:
        given, family = text.rsplit(" ", 1)  # "John Smith"
        # ... or a family name of two words ("Da Silva", "Le Blanc"): fold drops the space
        if whole := fold(text):
            keys.append(whole)
    else:
        family, given = text, ""
    key = f"{fold(family)} {fold(given)}".strip() if given else fold(family)
    if key:
        keys.append(key)
    # "Jo Smith": "josmith" and "smith jo" — disjoint ranges, as the second has a space
    # where the first has a letter; the same key twice only when the given name folds away
    keys = list(dict.fromkeys(keys))
    names = tuple(_name_range(k) for k in keys)
    if any(ch.isdigit() for ch in compact):
        return _either([_patients(Patient.mrn == compact), *names])
    if not keys:
        return Search(Request.id.is_(None))
    walk = or_(*(_name_range(k, indexed=False) for k in keys))
    return Search(or_(*names), walk=walk, names=names, branches=names if len(names) > 1 else ())


def _either(clauses: list[ColumnElement[bool]]) -> Search:
    return Search(or_(*clauses), branches=tuple(clauses) if len(clauses) > 1 else ())


def _digits_clauses(digits: str) -> list[ColumnElement[bool]]:
    """Digits alone: a request number heard on the phone ("93", "000093", "2026000093")
    or an MRN's digits read off a fax ("200451", or its first digits)."""
    numbers: list[str] = []
    if len(digits) <= 6:
        # "request 93": every year's number 93 — one probe of the unique index per year
        this_year = date.today().year
        numbers = [f"{y}-{int(digits):06d}" for y in range(FIRST_YEAR, this_year + 2)]
    elif len(digits) == 10:
        numbers = [f"{digits[:4]}-{digits[4:]}"]
    # the request's own copy of its patient's MRN digits (0021, kept by triggers): a
    # prefix's requests are one range of ix_requests_mrn_digits, dates included, where
    # going through the patients probed the requests' index once per patient ("5012":
    # 1,000 probes, p95 cold 42 ms on SQLCipher)
    mrn = Request.mrn_digits == digits
    if len(digits) >= MRN_PREFIX_DIGITS:
        mrn = and_(Request.mrn_digits >= digits, Request.mrn_digits < prefix_upper_bound(digits))
    clauses: list[ColumnElement[bool]] = [mrn]
    if numbers:
        clauses.append(Request.number.in_(numbers))
    return clauses


def stale_mrn_digits(session: Session) -> int:
    """How many requests' copy of their patient's MRN digits (``requests.mrn_digits``, kept
    by the triggers of 0021) differs from the digits joined from the patient (NULL for an
    unmatched request): 0 unless a trigger is missing. Tests and the inbox benchmark
    check it."""
    digits = func.ltrim(Patient.mrn, literal_column(MRN_LETTERS))
    stmt = (
        select(func.count())
        .select_from(Request)
        .outerjoin(Patient, Patient.id == Request.patient_id)
        .where(Request.mrn_digits.is_distinct_from(digits))
    )
    return int(session.scalar(stmt) or 0)
