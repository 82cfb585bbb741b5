"""``roi-desk import``: FHIR R4 bundles and PDFs into a patient's chart.

    roi-desk import --patient-mrn MRN bundle.json scan.pdf ...

The same import generator as the window's Records tab (one transaction for the batch:
all or nothing; re-importing adds nothing), driven by a text progress line on stderr. A
file that cannot be used is reported and the others go on.

Exit codes: 0 done (possibly with files reported as failed — see the report);
1 a problem the user can fix (message on stderr); 2 every file failed; 130 cancelled.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from roi_desk.cli.support import open_for_script, read_input_file, read_password_file, run_steps
from roi_desk.errors import RoiError, ValidationError
from roi_desk.records.kinds import RecordKind

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_ALL_FAILED = 2
EXIT_CANCELLED = 130


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``import`` sub-command to the ``roi-desk`` command line."""
    p = subparsers.add_parser(
        "import",
        help="import FHIR R4 bundles and PDFs into a patient's chart",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("files", nargs="+", type=Path, help="FHIR bundles (.json) and PDFs")
    who = p.add_mutually_exclusive_group()
    who.add_argument(
        "--patient-mrn",
        help="the patient's MRN here; a new patient is created with it from a FHIR bundle",
    )
    who.add_argument(
        "--match",
        action="store_true",
        help="no MRN: find the patient by the bundle's name and date of birth",
    )
    p.add_argument(
        "--accept-mismatch",
        action="store_true",
        help="import even when the bundle's name or date of birth differ from the patient's",
    )
    p.add_argument(
        "--kind",
        choices=[k.value for k in RecordKind],
        help="document type of the PDFs (default: suggested from their text)",
    )
    p.add_argument(
        "--date", type=date.fromisoformat, help="date of service of the PDFs (YYYY-MM-DD)"
    )
    p.add_argument(
        "--boundaries",
        help="first pages of the documents in a scanned chart PDF, e.g. 1,4,9",
    )
    p.add_argument("--password-file", type=Path, help="file whose first line is the PDFs' password")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress line")
    p.set_defaults(func=run, handler=run)


def _boundaries(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        return tuple(int(x) for x in text.replace(" ", "").split(",") if x)
    except ValueError:
        raise ValidationError(
            "Boundaries are page numbers separated by commas, e.g. 1,4,9."
        ) from None


def run(args: argparse.Namespace) -> int:
    """Handle ``roi-desk import``; returns the process exit code."""
    # imported here: `roi-desk --help` must not pay for the PDF stack or the database
    from roi_desk.services.records import ImportFile, PatientTarget, import_files
    from roi_desk.services.users import current_user

    try:
        if not args.patient_mrn and not args.match:
            raise ValidationError(
                "Say whose chart this is: --patient-mrn MRN, or --match to find the patient "
                "by the bundle's name and date of birth."
            )
        password = read_password_file(args.password_file)
        bounds = _boundaries(args.boundaries)
        files: list[ImportFile] = []
        for path in args.files:
            files.append(
                ImportFile(
                    path.name,
                    read_input_file(path),
                    password=password,
                    boundaries=bounds,
                    kind=RecordKind(args.kind) if args.kind else None,
                    date_of_service=args.date,
                )
            )
        target = PatientTarget(mrn=args.patient_mrn, accept_mismatch=args.accept_mismatch)
        db = open_for_script(args)
        try:
            with db.transaction() as session:
                user_id = current_user(session, getattr(args, "user", None)).id
            report = run_steps(import_files(db, files, target, user_id=user_id), quiet=args.quiet)
        except KeyboardInterrupt:
            # closing the generator rolled the storing transaction back: nothing imported
            print("Cancelled: nothing was imported.", file=sys.stderr)
            return EXIT_CANCELLED
        finally:
            db.close()
        print(report.summary())
        for line in report.lines():
            print(f"  {line}")
        if report.failed and len(report.failed) == len(files):
            return EXIT_ALL_FAILED
        return EXIT_OK
    except RoiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m roi_desk.cli.chart_import import ...``)."""
    from roi_desk.cli.main import build_parser

    args = build_parser(command="import").parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
