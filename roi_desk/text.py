"""Text normalisation used for matching and searching names."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: "O'Keefe" and "okeefe" match,
    "Meléndez" and "melendez" too (requests arrive typed by people and faxed forms)."""
    decomposed = unicodedata.normalize("NFKD", text)
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub("", no_marks.casefold())


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``, so a prefix
    search becomes an indexed range ``prefix <= col < bound`` (LIKE would scan)."""
    return prefix + "\uffff"
