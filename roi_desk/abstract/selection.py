"""Which chart documents go into an abstract, a full release, or a custom selection.

DOMAIN.md, "The abstract": all immunizations plus three years of office-visit notes, lab
results and radiology/diagnostic reports, counted back from the *request* date (not from
today: a request is answered as of the day it was made). Both the document types and the
look-back are settings (:class:`AbstractRules`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar

from roi_desk.dates import ISO, DateFormat
from roi_desk.errors import ValidationError
from roi_desk.records.kinds import RecordKind


class Selectable(Protocol):
    """What selection needs of a document: RecordDocument and the ORM row both fit."""

    @property
    def source_key(self) -> str: ...
    @property
    def kind(self) -> RecordKind: ...
    @property
    def title(self) -> str: ...
    @property
    def date_of_service(self) -> date | None: ...


D = TypeVar("D", bound=Selectable)


@dataclass(frozen=True, slots=True)
class AbstractRules:
    """The abstract's rule set (a site setting)."""

    #: kinds taken whatever their date
    all_kinds: frozenset[RecordKind] = frozenset({RecordKind.IMMUNIZATION})
    #: kinds taken when dated inside the look-back window
    windowed_kinds: frozenset[RecordKind] = frozenset(
        {RecordKind.OFFICE_VISIT, RecordKind.LAB, RecordKind.RADIOLOGY}
    )
    lookback_years: int = 3

    def __post_init__(self) -> None:
        if not 0 < self.lookback_years <= 100:
            raise ValidationError(
                "The look-back must be between 1 and 100 years.",
                fields={"lookback_years": str(self.lookback_years)},
            )


@dataclass(frozen=True, slots=True)
class Selection(Generic[D]):
    """The documents chosen, in release (chronological) order, and why."""

    documents: tuple[D, ...]
    summary: str
    counts: dict[RecordKind, int]
    since: date | None
    until: date | None
    #: documents of a windowed kind that have no date of service and so were not taken
    undated_left_out: int = 0


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


_KIND_ORDER = {k: i for i, k in enumerate(RecordKind)}


def chronological_key(doc: Selectable) -> tuple[date, int, str, str]:
    """Oldest first; undated documents last; ties by type, title, key (stable output)."""
    return (
        doc.date_of_service or date.max,
        _KIND_ORDER.get(doc.kind, 99),
        doc.title,
        doc.source_key,
    )


def _summary(counts: dict[RecordKind, int], order: Sequence[RecordKind], tail: str) -> str:
    parts = [
        f"{counts[k]} {k.plural if counts[k] != 1 else k.singular}" for k in order if counts.get(k)
    ]
    text = ", ".join(parts) if parts else "no documents"
    return f"{text}{tail}"


def _count(counts: Mapping[RecordKind, int], kind: RecordKind) -> str:
    n = counts[kind]
    return f"{n} {kind.plural if n != 1 else kind.singular}"


def _none_of(kinds: Sequence[RecordKind]) -> str:
    names = [k.plural for k in kinds]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"no {listed}"


def window_words(
    since: date | None, until: date | None, request_date: date | None, fmt: DateFormat = ISO
) -> str:
    """ " since 12/04/2023", or " from A to B" when the window does not end at the request;
    dates in the site's format ``fmt``."""
    if since and until and until != request_date:
        return f" from {fmt.format(since)} to {fmt.format(until)}"
    if since:
        return f" since {fmt.format(since)}"
    if until:
        return f" up to {fmt.format(until)}"
    return ""


def abstract_summary(counts: Mapping[RecordKind, int], rules: AbstractRules, window: str) -> str:
    """The abstract's rule in truthful words: the kinds taken whatever their date are
    counted on their own ("13 immunizations (all dates)"), and only the windowed kinds
    carry the window ("9 visits, 23 labs since 2023-12-04", or "no visits, labs or
    radiology reports since …" when the window holds none). Kinds added by hand follow."""
    always = [k for k in RecordKind if k in rules.all_kinds]
    windowed = [k for k in RecordKind if k in rules.windowed_kinds and k not in rules.all_kinds]
    first = ", ".join(_count(counts, k) for k in always if counts.get(k))
    first = f"{first} (all dates)" if first else (_none_of(always) if always else "")
    taken = [_count(counts, k) for k in windowed if counts.get(k)]
    second = (", ".join(taken) if taken else _none_of(windowed)) + window if windowed else ""
    others = [
        _count(counts, k)
        for k in RecordKind
        if counts.get(k) and k not in rules.all_kinds and k not in rules.windowed_kinds
    ]
    return "; ".join(part for part in (first, second, ", ".join(others)) if part)


def window_is_empty(counts: Mapping[RecordKind, int], rules: AbstractRules) -> bool:
    """No document of a windowed kind was taken: the look-back window holds none."""
    return not any(counts.get(k) for k in rules.windowed_kinds if k not in rules.all_kinds)


def select_abstract(
    documents: Iterable[D],
    request_date: date,
    rules: AbstractRules | None = None,
    fmt: DateFormat = ISO,
) -> Selection[D]:
    """Apply the abstract rules as of ``request_date``.

    A windowed document is taken when ``since <= date_of_service <= request_date``, both
    ends inclusive, where ``since`` is the same day ``lookback_years`` earlier.
    """
    rules = rules or AbstractRules()
    since = years_before(request_date, rules.lookback_years)
    chosen: list[D] = []
    undated = 0
    for doc in documents:
        if doc.kind in rules.all_kinds:
            chosen.append(doc)
        elif doc.kind in rules.windowed_kinds:
            day = doc.date_of_service
            if day is None:
                undated += 1
            elif since <= day <= request_date:
                chosen.append(doc)
    chosen.sort(key=chronological_key)
    counts = dict(Counter(d.kind for d in chosen))
    summary = abstract_summary(counts, rules, f" since {fmt.format(since)}")
    if undated:
        summary += f" ({undated} undated not included)"
    return Selection(tuple(chosen), summary, counts, since, request_date, undated)


def select_range(
    documents: Iterable[D],
    start: date | None = None,
    end: date | None = None,
    fmt: DateFormat = ISO,
) -> Selection[D]:
    """A full release: every document dated in ``[start, end]`` (open ends allowed).

    With no range at all, undated documents are included too (the whole chart).
    """
    if start and end and start > end:
        raise ValidationError(
            "The start of the date range is after its end.", fields={"start": start.isoformat()}
        )
    chosen: list[D] = []
    undated = 0
    for doc in documents:
        day = doc.date_of_service
        if day is None:
            if start is None and end is None:
                chosen.append(doc)
            else:
                undated += 1
        elif (start is None or day >= start) and (end is None or day <= end):
            chosen.append(doc)
    chosen.sort(key=chronological_key)
    counts = dict(Counter(d.kind for d in chosen))
    if start and end:
        tail = f" from {fmt.format(start)} to {fmt.format(end)}"
    elif start:
        tail = f" since {fmt.format(start)}"
    elif end:
        tail = f" up to {fmt.format(end)}"
    else:
        tail = " (whole chart)"
    summary = _summary(counts, list(RecordKind), tail)
    return Selection(tuple(chosen), summary, counts, start, end, undated)


def select_custom(documents: Iterable[D], keys: Iterable[str]) -> Selection[D]:
    """The clerk's own pick, by source key, put in chronological order."""
    wanted = set(keys)
    chosen = sorted((d for d in documents if d.source_key in wanted), key=chronological_key)
    counts = dict(Counter(d.kind for d in chosen))
    summary = _summary(counts, list(RecordKind), " (chosen by hand)")
    return Selection(tuple(chosen), summary, counts, None, None)
