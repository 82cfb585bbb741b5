"""Fax numbers: NANP validation, the directory, and the keyed-twice rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roi_desk.delivery import (
    DirectoryEntry,
    FaxDirectory,
    format_fax_number,
    normalize_fax_number,
    verify_fax_number,
)
from roi_desk.errors import ValidationError


@pytest.mark.parametrize(
    "text",
    ["(617) 555-0123", "617.555.0123", "+1 617 555 0123", "1-617-555-0123", "6175550123"],
)
def test_formats_normalise_to_ten_digits(text: str) -> None:
    assert normalize_fax_number(text) == "6175550123"
    assert format_fax_number("6175550123") == "(617) 555-0123"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "Enter the fax number"),
        ("617-555-012", "9"),
        ("617-555-01234", "11"),
        ("(017) 555-0123", "cannot start with 0 or 1"),
        ("617 155 0123", "cannot start with 0 or 1"),
        ("617-555-0123; rm -rf", "only digits"),
        ("fax me", "only digits"),
    ],
)
def test_invalid_numbers_say_why(text: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        normalize_fax_number(text)


def test_directory_number_needs_no_second_entry() -> None:
    directory = FaxDirectory([DirectoryEntry("Records", "(617) 555-0123", "Example LLP")])
    verified = verify_fax_number(directory, "617.555.0123")
    assert verified.how == "directory" and verified.entry is not None
    assert verified.display == "(617) 555-0123"


def test_unknown_number_must_be_keyed_twice_identically() -> None:
    directory = FaxDirectory()
    with pytest.raises(ValidationError, match="second time"):
        verify_fax_number(directory, "617 555 0123")
    with pytest.raises(ValidationError, match="do not match"):
        verify_fax_number(directory, "617 555 0123", "617 555 0132")  # transposed
    with pytest.raises(ValidationError, match="second entry is not a valid"):
        verify_fax_number(directory, "617 555 0123", "555 0123")
    verified = verify_fax_number(directory, "617 555 0123", "(617) 555-0123")
    assert verified.digits == "6175550123" and verified.how == "keyed twice"


def test_directory_file(tmp_path: Path) -> None:
    path = tmp_path / "fax-directory.json"
    assert len(FaxDirectory.load(path)) == 0  # none kept yet
    path.write_text(
        json.dumps({"entries": [{"name": "Records", "fax": "413-555-0199"}, {"name": "x"}]})
    )
    directory = FaxDirectory.load(path)
    assert len(directory) == 1 and directory.contains("(413) 555-0199")
    assert directory.lookup("not a number") is None
    path.write_text("{broken")
    with pytest.raises(ValidationError, match="cannot be read"):
        FaxDirectory.load(path)
