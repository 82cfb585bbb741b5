"""What a chart import takes (files, whose chart) and gives back (a report, no PHI in
its messages)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from roi_desk.errors import ValidationError
from roi_desk.records.kinds import (
    RecordKind,
)


class PatientMismatchError(ValidationError):
    """The file's patient is not the chosen one (name or date of birth differ).

    The message holds no PHI; ``bundle_patient`` (name, date of birth as the source
    states them) is for the confirmation dialog on the clerk's own screen only.
    """

    def __init__(self, message: str, *, bundle_patient: str = "") -> None:
        super().__init__(message, fields={"patient": "does not match"})
        self.bundle_patient = bundle_patient


@dataclass(frozen=True)
class PatientTarget:
    """Whose chart the import goes into.

    ``patient_id`` (the request's patient) or ``mrn`` (typed by the clerk) name the
    patient; with neither, a FHIR bundle's patient is matched by name and date of birth.
    ``accept_mismatch`` is the clerk's "yes, import it anyway" after a mismatch warning.
    """

    patient_id: uuid.UUID | None = None
    mrn: str | None = None
    accept_mismatch: bool = False


@dataclass(frozen=True)
class ImportFile:
    """One file to import; PDF options are ignored for FHIR bundles."""

    name: str
    data: bytes = field(repr=False)
    password: str | None = field(default=None, repr=False)
    #: 1-based first pages of the documents in a scanned chart (page 1 always starts one)
    boundaries: tuple[int, ...] | None = None
    kind: RecordKind | None = None
    date_of_service: date | None = None

    @property
    def is_pdf(self) -> bool:
        # by content, or by name: a ".pdf" that is not one is told "this is not a PDF"
        return b"%PDF-" in self.data[:1024] or self.name.lower().endswith(".pdf")


# ------------------------------------------------------------------------------ report


@dataclass(frozen=True)
class SkippedItem:
    """A document or resource not imported (or imported with a caveat), and why. No PHI."""

    source_name: str
    key: str
    reason: str


@dataclass(frozen=True)
class FailedFile:
    source_name: str
    message: str
    #: set when the file is another patient's (name, date of birth as the file states
    #: them): shown on the clerk's screen to confirm "import anyway", never logged
    bundle_patient: str = ""


@dataclass
class ImportReport:
    """What an import did, per item, for the clerk (and counts for the audit trail)."""

    files: int = 0
    patient_id: uuid.UUID | None = None
    patient_created: bool = False
    imported: int = 0
    imported_pages: int = 0
    by_kind: dict[RecordKind, int] = field(default_factory=dict)
    skipped: list[SkippedItem] = field(default_factory=list)
    warnings: list[SkippedItem] = field(default_factory=list)
    failed: list[FailedFile] = field(default_factory=list)
    #: resource type -> (count, reason) left out on purpose (billing data ...)
    ignored: dict[str, tuple[int, str]] = field(default_factory=dict)
    cancelled: bool = False

    def summary(self) -> str:
        if self.cancelled:
            return "Import cancelled: nothing was imported."
        parts = [f"{self.imported} document{'s' if self.imported != 1 else ''} imported"]
        if self.by_kind:
            kinds = sorted(self.by_kind.items(), key=lambda kv: (-kv[1], kv[0].value))
            named = (f"{n} {k.plural if n != 1 else k.singular}" for k, n in kinds)
            parts[0] += " (" + ", ".join(named) + ")"
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.failed:
            parts.append(f"{len(self.failed)} file{'s' if len(self.failed) != 1 else ''} failed")
        if self.warnings:
            parts.append(f"{len(self.warnings)} to check")
        return "; ".join(parts) + "."

    def lines(self) -> list[str]:
        """One line per item, for the report dialog and the command line."""
        out = [f"{f.source_name}: {f.message}" for f in self.failed]
        out += [f"skipped {s.key}: {s.reason}" for s in self.skipped]
        out += [f"check {w.key}: {w.reason}" for w in self.warnings]
        out += [f"not imported: {n} {t} ({why})" for t, (n, why) in self.ignored.items()]
        return out
