"""PDF import: index a PDF as one document, or a scanned chart split at clerk-marked pages.

Type and date of service are *suggested* from the text layer (pypdfium2) and flagged
``needs_review``; image-only scans have no text, so the clerk sets them. All work is in
memory: a patient's PDF is never written to disk here (PHI).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.records.kinds import (
    DocumentSource,
    RecordDocument,
    RecordKind,
)
from roi_desk.work import Progress

#: keyword -> kind, weighted; the best score wins. Order breaks ties (more specific first).
_KIND_WORDS: list[tuple[RecordKind, tuple[tuple[str, int], ...]]] = [
    (RecordKind.DISCHARGE_SUMMARY, (("discharge summary", 5), ("discharge diagnosis", 3))),
    (RecordKind.IMMUNIZATION, (("immunization", 3), ("vaccine", 2), ("vaccination", 2))),
    (RecordKind.CONSULT, (("consultation", 3), ("consult note", 4), ("reason for consult", 4))),
    (
        RecordKind.RADIOLOGY,
        (
            ("radiology", 3),
            ("impression:", 2),
            ("x-ray", 2),
            ("ct scan", 2),
            ("mri", 2),
            ("ultrasound", 2),
            ("mammogra", 2),
            ("radiograph", 2),
        ),
    ),
    (
        RecordKind.LAB,
        (
            ("laboratory", 3),
            ("reference range", 3),
            ("specimen", 2),
            ("lab results", 3),
            ("collected", 1),
        ),
    ),
    (
        RecordKind.OFFICE_VISIT,
        (
            ("office visit", 4),
            ("progress note", 3),
            ("chief complaint", 3),
            ("history of present illness", 3),
            ("assessment and plan", 2),
        ),
    ),
    (RecordKind.CORRESPONDENCE, (("dear ", 2), ("sincerely", 2), ("to whom it may concern", 3))),
]

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_RE = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # noqa: E501
_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b"), "mdy"),
    (re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), "Mdy"),
    (re.compile(rf"\b(\d{{1,2}})\s+{_MONTH_RE}\s+(\d{{4}})\b", re.I), "dMy"),
]
_SERVICE_LABEL = re.compile(
    r"(date of service|service date|\bdos\b|visit date|date of visit|exam date|"
    r"date of exam|collection date|collected|report date|encounter date|admission date|"
    r"\bdate\b)\s*[:#]?\s*$",
    re.I,
)
_BIRTH_LABEL = re.compile(r"(dob|d\.o\.b|birth|born)\W{0,3}$", re.I)


@dataclass(frozen=True, slots=True)
class PdfImportFailure:
    """A file that could not be imported, with a message for the clerk (no PHI)."""

    source_name: str
    message: str


@dataclass(slots=True)
class PdfImportResult:
    documents: list[RecordDocument] = field(default_factory=list)
    failures: list[PdfImportFailure] = field(default_factory=list)


def looks_like_pdf(data: bytes) -> bool:
    """True when ``data`` starts like a PDF (readers accept the header within 1 KB)."""
    return b"%PDF-" in data[:1024]


def _open(data: bytes, password: str | None) -> Any:
    import pikepdf

    if not looks_like_pdf(data):
        # decided by content: a file named .pdf that is really a Word file, an image or a
        # web page must not be reported as damaged JSON or a damaged PDF
        raise DocumentError(
            "This is not a PDF: its name ends in .pdf, but the file holds something else "
            "(perhaps a Word file, an image or a web page). Save it as a PDF and try again.",
        )
    try:
        return pikepdf.open(io.BytesIO(data), password=password or "")
    except pikepdf.PasswordError:
        if password:
            raise DocumentError(
                "The password for this PDF is not right. Check it (capital letters count), "
                "or ask the sender for the password or an unprotected copy.",
            ) from None
        raise DocumentError(
            "This PDF is protected by a password. Enter the password, or ask the sender "
            "for an unprotected copy.",
        ) from None
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        raise DocumentError(
            "This PDF is damaged and cannot be read.",
            detail=f"The PDF library reported: {type(exc).__name__}.",
        ) from None


def open_pdf_bytes(data: bytes, password: str | None = None) -> tuple[bytes, int]:
    """Check that ``data`` is a usable PDF: returns (bytes to keep, page count).

    Encrypted files (even with an empty user password) and files qpdf had to repair are
    re-saved in memory without encryption, so later steps (assembly, redaction) work on a
    clean copy; at rest the document store encrypts it.
    """
    pdf = _open(data, password)
    with pdf:
        try:
            pages = len(pdf.pages)
        except Exception:  # a page tree qpdf opened but cannot walk
            raise DocumentError("This PDF is damaged: its pages cannot be found.") from None
        if pages == 0:
            raise DocumentError("This PDF has no pages.")
        if not pdf.is_encrypted and not pdf.get_warnings():
            return data, pages
        buf = io.BytesIO()
        try:
            with warnings.catch_warnings():
                # the source's own orphaned form widgets: kept as they are, nothing to do
                warnings.simplefilter("ignore", UserWarning)
                pdf.save(buf, encryption=False, deterministic_id=True)
        except Exception:
            raise DocumentError("This PDF is damaged and cannot be repaired.") from None
        return buf.getvalue(), pages


@pdfium_serialized
def page_texts(data: bytes, pages: Iterable[int] | None = None) -> dict[int, str]:
    """Text of the given 0-based pages (all when None), via pypdfium2; "" when none."""
    import pypdfium2 as pdfium

    out: dict[int, str] = {}
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return out
    try:
        wanted = range(len(doc)) if pages is None else pages
        for i in wanted:
            if not 0 <= i < len(doc):
                continue
            page = doc[i]
            try:
                textpage = page.get_textpage()
                out[i] = textpage.get_text_range()
                textpage.close()
            except pdfium.PdfiumError:
                out[i] = ""
            finally:
                page.close()
    finally:
        doc.close()
    return out


def suggest_kind(text: str) -> RecordKind | None:
    low = " ".join(text.lower().split())
    best: tuple[int, int, RecordKind] | None = None
    for order, (kind, words) in enumerate(_KIND_WORDS):
        score = sum(weight for word, weight in words if word in low)
        if score and (best is None or (score, -order) > (best[0], best[1])):
            best = (score, -order, kind)
    return best[2] if best else None


def _make_date(kind: str, m: re.Match[str]) -> date | None:
    g = m.groups()
    try:
        if kind == "ymd":
            y, mo, d = int(g[0]), int(g[1]), int(g[2])
        elif kind == "mdy":
            mo, d, y = int(g[0]), int(g[1]), int(g[2])
            if y < 100:  # two-digit years on old forms: 00-29 -> 2000s, else 1900s
                y += 2000 if y < 30 else 1900
        elif kind == "Mdy":
            mo, d, y = _MONTHS[g[0].lower().rstrip(".")], int(g[1]), int(g[2])
        else:
            d, mo, y = int(g[0]), _MONTHS[g[1].lower().rstrip(".")], int(g[2])
        if not 1900 <= y <= 2100:
            return None
        return date(y, mo, d)
    except (ValueError, KeyError):
        return None


def suggest_date(text: str) -> date | None:
    """The date of service a page states: a labelled one ("Date of service: ...") first,
    else the first date that is not a date of birth."""
    labelled: date | None = None
    first: date | None = None
    found: list[tuple[int, date, bool]] = []
    for pattern, kind in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            d = _make_date(kind, m)
            if d is None:
                continue
            before = text[max(0, m.start() - 30) : m.start()]
            if _BIRTH_LABEL.search(before):
                continue
            found.append((m.start(), d, bool(_SERVICE_LABEL.search(before))))
    found.sort(key=lambda t: t[0])
    for _pos, d, is_labelled in found:
        if is_labelled and labelled is None:
            labelled = d
        if first is None:
            first = d
    return labelled or first


def _title_from(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= 4 and any(c.isalpha() for c in line):
            return line[:80]
    return fallback


def _check_boundaries(boundaries: Sequence[int] | None, pages: int) -> list[int]:
    if not boundaries:
        return [1]
    starts = sorted(set(boundaries) | {1})
    bad = [b for b in starts if not 1 <= b <= pages]
    if bad:
        raise ValidationError(
            f"A document boundary is outside the PDF's {pages} pages.",
            fields={"boundaries": f"page {bad[0]} does not exist"},
        )
    return starts


def import_pdf(
    data: bytes,
    *,
    source_name: str,
    password: str | None = None,
    boundaries: Sequence[int] | None = None,
    kind: RecordKind | None = None,
    date_of_service: date | None = None,
) -> list[RecordDocument]:
    """Index one PDF: one document, or one per clerk-marked part.

    ``boundaries`` are the 1-based first pages of the documents in a scanned chart
    (page 1 is always a start). ``kind``/``date_of_service`` given by the clerk win over
    the suggestions from the text. Raises :class:`DocumentError` for an unreadable PDF.
    """
    import pikepdf

    clean, pages = open_pdf_bytes(data, password)
    starts = _check_boundaries(boundaries, pages)
    ends = [s - 1 for s in starts[1:]] + [pages]
    texts = page_texts(clean, [p - 1 for s in starts for p in (s, s + 1)])
    digest = hashlib.sha256(data).hexdigest()[:32]
    docs: list[RecordDocument] = []
    src = pikepdf.open(io.BytesIO(clean)) if len(starts) > 1 else None
    try:
        for start, end in zip(starts, ends, strict=True):
            if src is None:
                part = clean
            else:
                out = pikepdf.new()
                # add_pages_from keeps filled-in form fields working in the part
                out.add_pages_from(src, range(start - 1, end))
                buf = io.BytesIO()
                out.save(buf, deterministic_id=True)
                part = buf.getvalue()
            text = "\n".join(texts.get(p - 1, "") for p in (start, min(start + 1, end)))
            s_kind = kind or suggest_kind(text)
            s_date = date_of_service or suggest_date(text)
            label = source_name if len(starts) == 1 else f"{source_name}, pages {start}–{end}"
            docs.append(
                RecordDocument(
                    source_key=f"pdf:{digest}:{start}-{end}",
                    kind=s_kind or RecordKind.OTHER,
                    title=_title_from(text, label),
                    date_of_service=s_date,
                    source=DocumentSource.PDF,
                    source_name=source_name,
                    pdf=part,
                    page_count=end - start + 1,
                    needs_review=kind is None or date_of_service is None,
                )
            )
    finally:
        if src is not None:
            src.close()
    return docs


def import_pdfs(
    files: Iterable[tuple[str, bytes]],
    *,
    passwords: dict[str, str] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, PdfImportResult]:
    """Import several PDFs; a bad file is reported and the others go on."""
    items = list(files)
    result = PdfImportResult()
    for i, (name, data) in enumerate(items):
        if cancel is not None and cancel():
            break
        yield (i, len(items), f"Importing PDF {i + 1} of {len(items)}")
        try:
            result.documents += import_pdf(
                data, source_name=name, password=(passwords or {}).get(name)
            )
        except (DocumentError, ValidationError) as exc:
            result.failures.append(PdfImportFailure(name, exc.message))
    yield (len(items), len(items), "Imported")
    return result
