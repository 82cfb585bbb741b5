"""The dated vocabulary behind redaction proposals, and the matcher compiled from it.

The vocabulary is *data* (``vocabulary.json`` beside this module, dated by its
``version``): ICD-10-CM codes and blocks, medications by generic and brand name, lab tests,
procedure and obstetric shorthand, counselling and program names, section headings, and
what marks a whole record as protected. A site administrator extends it with a JSON file
of the same shape; :func:`load_vocabulary` appends the site's lists to the shipped ones.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from roi_desk.errors import ValidationError

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.json")
FamilyPolicy = Literal["genetic_only", "always", "never"]
_LISTS = ("icd10cm", "medications", "labs", "phrases", "patterns", "headings")
_RECORD_LISTS = ("document_types", "departments", "markers", "loinc", "security_labels")
#: an ICD-10-CM-shaped token (letter, two characters, optional dot and up to four more)
ICD_TOKEN = re.compile(
    r"(?<![A-Za-z0-9.])([A-TV-Z][0-9][0-9AB](?:\.[0-9A-Z]{1,4})?)(?![A-Za-z0-9])"
)
_ABBREVIATION = re.compile(r"^[A-Z0-9&/+-]{2,6}$")


@dataclasses.dataclass(frozen=True, slots=True)
class RecordMarkers:
    document_types: tuple[str, ...]
    departments: tuple[str, ...]
    markers: tuple[str, ...]
    loinc: tuple[str, ...]
    security_labels: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class CategoryVocabulary:
    code: str
    label: str
    #: a negated mention ("denies", "negative for") is not proposed — for findings and
    #: screens; test-result categories keep negative results (the test itself is protected)
    negation_releases: bool
    icd10cm: tuple[str, ...]
    medications: tuple[str, ...]
    labs: tuple[str, ...]
    phrases: tuple[str, ...]
    patterns: tuple[str, ...]
    headings: tuple[str, ...]
    record: RecordMarkers


@dataclasses.dataclass(frozen=True, slots=True)
class Vocabulary:
    version: str
    categories: Mapping[str, CategoryVocabulary]
    lookalikes: tuple[str, ...]
    general_headings: tuple[str, ...]
    family_history: FamilyPolicy

    def codes(self) -> tuple[str, ...]:
        return tuple(self.categories)


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"In the vocabulary, {where} must be a list of words.")
    return list(value)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    cats: dict[str, Any] = base.setdefault("categories", {})
    extra_cats = extra.get("categories", {})
    if not isinstance(extra_cats, dict):
        raise ValidationError("The vocabulary file must map category codes to word lists.")
    for code, entry in extra_cats.items():
        if not isinstance(entry, dict):
            raise ValidationError(f"The vocabulary for {code!r} is not in the expected shape.")
        into = cats.setdefault(str(code), {"label": str(code), "record": {}})
        for key in ("label", "negation_releases"):
            if key in entry:
                into[key] = entry[key]
        for key in _LISTS:
            into[key] = _strings(into.get(key), f"{code}.{key}") + _strings(
                entry.get(key), f"{code}.{key}"
            )
        record = entry.get("record", {})
        into_record = into.setdefault("record", {})
        for key in _RECORD_LISTS:
            into_record[key] = _strings(into_record.get(key), f"{code}.record.{key}") + _strings(
                record.get(key) if isinstance(record, dict) else None, f"{code}.record.{key}"
            )
    for key in ("lookalikes", "general_headings"):
        base[key] = _strings(base.get(key), key) + _strings(extra.get(key), key)
    if "family_history" in extra:
        base["family_history"] = extra["family_history"]
    if "version" in extra:
        base["version"] = f"{base.get('version', '')}+{extra['version']}"
    return base


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(
            f"The vocabulary file {path.name} cannot be read; check that it is JSON."
        ) from exc
    if not isinstance(data, dict):
        raise ValidationError(f"The vocabulary file {path.name} is not in the expected shape.")
    return data


def _build(data: Mapping[str, Any]) -> Vocabulary:
    cats: dict[str, CategoryVocabulary] = {}
    for code, e in data["categories"].items():
        rec = e.get("record", {})
        cats[code] = CategoryVocabulary(
            code=code,
            label=str(e.get("label", code)),
            negation_releases=bool(e.get("negation_releases", True)),
            **{k: tuple(_strings(e.get(k), f"{code}.{k}")) for k in _LISTS},
            record=RecordMarkers(**{k: tuple(_strings(rec.get(k), k)) for k in _RECORD_LISTS}),
        )
        for pattern in cats[code].patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValidationError(
                    f"The vocabulary pattern {pattern!r} of {code} is not valid."
                ) from exc
    policy = str(data.get("family_history", "genetic_only"))
    if policy not in ("genetic_only", "always", "never"):
        raise ValidationError(
            "family_history in the vocabulary must be 'genetic_only', 'always' or 'never'."
        )
    return Vocabulary(
        version=str(data.get("version", "")),
        categories=cats,
        lookalikes=tuple(_strings(data.get("lookalikes"), "lookalikes")),
        general_headings=tuple(_strings(data.get("general_headings"), "general_headings")),
        family_history=policy,  # type: ignore[arg-type]
    )


@lru_cache(maxsize=1)
def _shipped() -> Vocabulary:
    return _build(_read(VOCABULARY_FILE))


def load_vocabulary(extra: Path | None = None) -> Vocabulary:
    """The shipped vocabulary, with a site's file (same shape) appended when given."""
    if extra is None:
        return _shipped()
    return _build(_merge(_read(VOCABULARY_FILE), _read(extra)))


# -- ICD-10-CM ----------------------------------------------------------------------------------


def _code_key(code: str) -> str:
    return code.upper().replace(".", "")


def icd_matches(code: str, entry: str) -> bool:
    """Whether ICD-10-CM ``code`` falls under ``entry`` (a code, a category or a block A-B)."""
    c = _code_key(code)
    if "-" in entry:
        lo, hi = (_code_key(x) for x in entry.split("-", 1))
        return lo <= c[: len(lo)] <= hi
    return c.startswith(_code_key(entry))


def icd_category(code: str, vocab: Vocabulary) -> str | None:
    """The category whose ICD-10-CM list holds ``code`` (the most specific entry wins)."""
    best: tuple[int, str] | None = None
    for cat in vocab.categories.values():
        for entry in cat.icd10cm:
            if icd_matches(code, entry):
                weight = len(_code_key(entry.split("-")[0])) + (0 if "-" in entry else 10)
                if best is None or weight > best[0]:
                    best = (weight, cat.code)
    return None if best is None else best[1]


# -- the term matcher ------------------------------------------------------------------------


def _term_regex(term: str) -> str:
    words = [re.escape(w) for w in term.split()]
    body = r"\s+".join(words)
    return rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])"


@dataclasses.dataclass(frozen=True, slots=True)
class Matcher:
    """One pass over a page's text finds every term of every wanted category."""

    vocab: Vocabulary
    wanted: tuple[str, ...]
    #: folded term -> categories (a term may point at more than one)
    terms: Mapping[str, tuple[str, ...]]
    #: folded term -> the term as the vocabulary writes it (shown as the trigger)
    canonical: Mapping[str, str]
    insensitive: re.Pattern[str] | None
    sensitive: re.Pattern[str] | None
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    lookalikes: re.Pattern[str] | None
    headings: Mapping[str, str | None]  # heading key -> category (None: a general heading)
    markers: tuple[tuple[str, re.Pattern[str]], ...]


def heading_key(line: str) -> str:
    """ "3. HIV STATUS:" and "Hiv status" are the same heading."""
    line = re.sub(r"^\s*(?:[0-9]+[.)]|[IVX]+\.)\s*", "", line)
    return re.sub(r"\s+", " ", line.strip().rstrip(":").strip()).lower()


def _trie_regex(words: Iterable[list[str]]) -> str:
    """One pattern for many terms, their common prefixes shared: Python's ``re`` tries
    the alternatives of a plain alternation one by one at every position, a trie once."""
    trie: dict[str, Any] = {}
    for tokens in words:
        node = trie
        for tok in tokens:
            node = node.setdefault(tok, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        end = "" in node
        branches = [k for k in node if k]
        alts = [k + emit(node[k]) for k in sorted(branches, key=len, reverse=True)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        # a term ends here and longer ones go on: the longer is tried first, and the
        # closing word-boundary check backtracks to the shorter when it must
        return f"(?:{body})?" if end else body

    return emit(trie)


def _tokens(term: str, fold: bool) -> list[str]:
    out: list[str] = []
    for n, word in enumerate(term.split()):
        if n:
            out.append(r"\s+")
        for ch in word.casefold() if fold else word:
            out.append(re.escape(ch))
    return out


def _alternation(terms: Iterable[str], flags: int) -> re.Pattern[str] | None:
    fold = bool(flags & re.IGNORECASE)
    parts = {t.strip() for t in terms if t.strip()}
    if not parts:
        return None
    body = _trie_regex(_tokens(t, fold) for t in parts)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", flags)


def build_matcher(vocab: Vocabulary, wanted: Iterable[str]) -> Matcher:
    wanted_t = tuple(dict.fromkeys(wanted))
    unknown = [c for c in wanted_t if c not in vocab.categories]
    if unknown:
        raise ValidationError(f"Unknown sensitive category: {', '.join(unknown)}.")
    terms: dict[str, list[str]] = {}
    canonical: dict[str, str] = {}
    sensitive: list[str] = []
    insensitive: list[str] = []
    for code in wanted_t:
        cat = vocab.categories[code]
        for term in (*cat.medications, *cat.labs, *cat.phrases):
            term = term.strip()
            if not term:
                continue
            # short capitals (TAB, SAB, MAT, HIV) are abbreviations: "tab" is a tablet
            if _ABBREVIATION.match(term):
                sensitive.append(term)
            else:
                insensitive.append(term)
            canonical.setdefault(term.casefold(), term)
            terms.setdefault(term.casefold(), [])
            if code not in terms[term.casefold()]:
                terms[term.casefold()].append(code)
    headings: dict[str, str | None] = {heading_key(h): None for h in vocab.general_headings}
    for cat in vocab.categories.values():
        for h in cat.headings:
            headings[heading_key(h)] = cat.code
    markers = tuple(
        (code, re.compile("|".join(_term_regex(m) for m in marks), re.IGNORECASE))
        for code in wanted_t
        if (marks := vocab.categories[code].record.markers)
    )
    return Matcher(
        vocab=vocab,
        wanted=wanted_t,
        terms={k: tuple(v) for k, v in terms.items()},
        canonical=canonical,
        insensitive=_alternation(insensitive, re.IGNORECASE),
        sensitive=_alternation(sensitive, 0),
        patterns=tuple(
            (code, re.compile(p)) for code in wanted_t for p in vocab.categories[code].patterns
        ),
        lookalikes=_alternation(vocab.lookalikes, re.IGNORECASE),
        headings=headings,
        markers=markers,
    )


def check_icd_entries(vocab: Vocabulary) -> list[str]:
    """Entries of the vocabulary that are not ICD-10-CM codes, categories or blocks.

    Uses simple-icd-10-cm (the CMS code set, offline); slow to load (~2 s), so it is for
    checking a vocabulary file, not for reading pages.
    """
    import simple_icd_10_cm as cm  # type: ignore[import-untyped]

    bad: list[str] = []
    for cat in vocab.categories.values():
        for entry in cat.icd10cm:
            if not cm.is_valid_item(entry):
                bad.append(f"{cat.code}: {entry}")
    return bad
