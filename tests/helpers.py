"""Paths and small helpers shared by every test package."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: test data written by others lives beside the clone (see ../shared/data/SOURCES.md);
#: it is used from there, never copied into the repository.
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()
SHARED_PDFS = SHARED_DATA / "pdfs"
SHARED_FHIR = SHARED_DATA / "fhir"
