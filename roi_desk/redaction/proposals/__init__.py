"""Redaction proposals a clerk can trust: every passage of every category the patient did
not initial, at the level a reviewer redacts, and nothing else.

``propose_steps`` reads a PDF page by page (OCR for pages without a text layer) and
returns :class:`~.analyze.Passage` objects: whole documents and pages for protected records
(42 CFR Part 2 programs, psychotherapy notes, genetic reports, reproductive-health visits,
sexual-assault and domestic-violence counselling), sections by heading, list items and
table rows, sentences — each with its category, trigger and group. A category the patient
initialed is never asked for, so it is never proposed.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Generator, Iterable, Mapping
from pathlib import Path

import pypdfium2 as pdfium

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.redaction.model import Progress, Proposal, drive
from roi_desk.redaction.proposals.analyze import (
    LEVEL_WORDS,
    Level,
    PageAnalysis,
    PageState,
    Passage,
    page_level_to_document,
)
from roi_desk.redaction.proposals.layout import PageText, PdfiumPageText, ocr_page
from roi_desk.redaction.proposals.vocabulary import (
    FamilyPolicy,
    Vocabulary,
    build_matcher,
    load_vocabulary,
)
from roi_desk.redaction.provenance import NoteKind, PageNote

__all__ = [
    "LEGACY_CODES",
    "LEVEL_WORDS",
    "DocumentFacts",
    "Level",
    "Passage",
    "ProposalResult",
    "describe",
    "expand_categories",
    "passages_to_proposals",
    "propose",
    "propose_steps",
    "record_categories",
]

#: a code that once covered two checklist categories: asking for it asks for both
LEGACY_CODES: Mapping[str, tuple[str, ...]] = {
    "sexual_assault_dv": ("sexual_assault", "domestic_violence"),
}


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentFacts:
    """What the record system says about a document (FHIR DocumentReference and the like)."""

    title: str = ""
    document_type: str = ""
    department: str = ""
    source: str = ""
    type_codes: tuple[str, ...] = ()  # LOINC document-type codes
    security_labels: tuple[str, ...] = ()  # HL7 ActCode confidentiality / sensitivity


@dataclasses.dataclass(slots=True)
class ProposalResult:
    passages: list[Passage]
    notes: list[PageNote]
    vocabulary_version: str


def expand_categories(codes: Iterable[str], vocab: Vocabulary) -> dict[str, str]:
    """Vocabulary category -> the code it is reported under (a legacy code maps to two)."""
    out: dict[str, str] = {}
    for code in codes:
        for part in LEGACY_CODES.get(code, (code,)):
            if part not in vocab.categories:
                raise ValidationError(f"Unknown sensitive category: {code}.")
            out.setdefault(part, code)
    return out


def _contains(haystack: str, needles: Iterable[str]) -> str | None:
    low = haystack.casefold()
    for n in needles:
        if n and n.casefold() in low:
            return n
    return None


def record_categories(
    facts: DocumentFacts, vocab: Vocabulary, wanted: Iterable[str]
) -> dict[str, str]:
    """Categories whose protected record this document is, with the reason in words."""
    out: dict[str, str] = {}
    labels = {s.upper() for s in facts.security_labels}
    codes = set(facts.type_codes)
    for code in wanted:
        rec = vocab.categories[code].record
        why: str | None = None
        if hit := labels & {s.upper() for s in rec.security_labels}:
            why = f"security label {sorted(hit)[0]}"
        elif hit := codes & set(rec.loinc):
            why = f"document type LOINC {sorted(hit)[0]}"
        elif found := _contains(f"{facts.document_type} {facts.title}", rec.document_types):
            why = f"document type “{found}”"
        elif found := _contains(f"{facts.department} {facts.source}", rec.departments):
            why = f"department “{found}”"
        elif found := _contains(f"{facts.title} {facts.source}", rec.markers):
            why = f"title “{found}”"
        if why:
            out[code] = why
    return out


def _metadata_facts(doc: pdfium.PdfDocument) -> DocumentFacts:
    try:
        meta = doc.get_metadata_dict(skip_empty=True)
    except Exception:
        return DocumentFacts()
    return DocumentFacts(
        title=f"{meta.get('Title', '')} {meta.get('Subject', '')}",
        source=str(meta.get("Keywords", "")),
    )


@pdfium_serialized
def propose_steps(
    data: bytes,
    not_consented: Iterable[str],
    *,
    facts: DocumentFacts | None = None,
    vocabulary: Vocabulary | None = None,
    vocabulary_file: Path | None = None,
    family_history: FamilyPolicy | None = None,
    password: str | None = None,
    ocr: bool = True,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, ProposalResult]:
    """Yield progress per page; return the passages of the categories *not consented*."""
    vocab = vocabulary or load_vocabulary(vocabulary_file)
    report_as = expand_categories(not_consented, vocab)
    matcher = build_matcher(vocab, report_as)
    policy: FamilyPolicy = family_history or vocab.family_history
    tesseract = shutil.which("tesseract") if ocr else None
    try:
        doc = pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as exc:
        raise DocumentError("This PDF cannot be read to look for sensitive text.") from exc
    passages: list[Passage] = []
    notes: list[PageNote] = []
    try:
        protected = record_categories(facts or DocumentFacts(), vocab, report_as)
        for cat, why in record_categories(_metadata_facts(doc), vocab, report_as).items():
            protected.setdefault(cat, why)
        state = PageState()
        total = len(doc)
        for index in range(total):
            if cancel is not None and cancel():
                break
            page = doc[index]
            try:
                crop = page.get_cropbox()
                page_rect = (float(crop[0]), float(crop[1]), float(crop[2]), float(crop[3]))
                textpage = page.get_textpage()
                try:
                    text_layer = PdfiumPageText(textpage, page_rect)
                    source: PageText | None = text_layer if text_layer.text.strip() else None
                    if source is None:
                        state = PageState()  # OCR text has no reliable running sections
                        if tesseract is None:
                            notes.append(PageNote.of(index, NoteKind.NO_TEXT_NO_OCR))
                        else:
                            source = ocr_page(page, tesseract)
                            read = source is not None
                            kind = NoteKind.READ_BY_OCR if read else NoteKind.OCR_FAILED
                            notes.append(PageNote.of(index, kind))
                    if source is not None:
                        analysis = PageAnalysis(
                            source, index, matcher, state, family_policy=policy, protected=protected
                        )
                        passages += analysis.passages()
                    elif protected:
                        passages += [
                            Passage(index, (page_rect,), c, "document", why, f"doc:{c}")
                            for c, why in protected.items()
                        ]
                finally:
                    textpage.close()
            finally:
                page.close()
            yield index + 1, total, f"page {index + 1} read"
    finally:
        doc.close()
    passages = page_level_to_document(passages, total)
    passages = [
        dataclasses.replace(p, category=report_as.get(p.category, p.category)) for p in passages
    ]
    return ProposalResult(passages, notes, vocab.version)


def propose(data: bytes, not_consented: Iterable[str], **kwargs: object) -> ProposalResult:
    """:func:`propose_steps` run to its end."""
    return drive(propose_steps(data, not_consented, **kwargs))  # type: ignore[arg-type]


def describe(level: str, category_label: str, trigger: str) -> str:
    """The reason in plain words, e.g. "Sentence — HIV/AIDS test results: Biktarvy"."""
    return f"{LEVEL_WORDS.get(level, level)} — {category_label}: {trigger}"


def passages_to_proposals(passages: Iterable[Passage]) -> list[Proposal]:
    """One engine :class:`Proposal` per rectangle; ``matched`` carries level, group, trigger."""
    out: list[Proposal] = []
    for p in passages:
        for rect in p.rects:
            out.append(Proposal(p.page, rect, p.category, p.level, f"{p.group}|{p.trigger}"))
    return out
