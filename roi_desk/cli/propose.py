"""``roi-desk propose``: a PDF + the categories not consented → the boxes file for review.

Writes the JSON that ``roi-desk redact --boxes`` takes: every box unconfirmed (a person
confirms, e.g. with ``redact --confirmed-by``), with ``reason`` in plain words ("Sentence —
HIV/AIDS test results: Biktarvy") and ``proposed_by`` = ``rule:CATEGORY:LEVEL:GROUP|TRIGGER``.
Nothing of the page's text is printed: the summary counts boxes per category and level.

Exit codes: 0 written; 1 a problem the user can fix (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from roi_desk.cli.support import read_input_pdf, run_steps
from roi_desk.errors import RoiError, ValidationError

EXIT_OK = 0
EXIT_USER_ERROR = 1

#: short names for the command line (the checklist's codes work too)
ALIASES = {
    "sud": "substance_use",
    "part2": "substance_use",
    "mh": "mental_health",
    "bh": "mental_health",
    "psychotherapy": "psychotherapy_notes",
    "sti": "std",
    "repro": "reproductive",
    "abortion": "reproductive",
    "sa": "sexual_assault",
    "dv": "domestic_violence",
}


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``propose`` sub-command to the ``roi-desk`` command line."""
    p = subparsers.add_parser(
        "propose",
        help="propose redaction boxes for the sensitive categories the patient did not initial",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("input", type=Path, nargs="?", help="the PDF to look through")
    p.add_argument(
        "--not-consented",
        default="",
        help="comma-separated categories the patient did not initial (e.g. hiv,sud,dv)",
    )
    p.add_argument("--boxes", "-o", type=Path, help="where to write the boxes file (JSON)")
    p.add_argument("--vocabulary", type=Path, help="a site's vocabulary file, added to ours")
    p.add_argument(
        "--family-history",
        choices=("genetic_only", "always", "never"),
        help="redact family history: only genetic results (default), always, or never",
    )
    p.add_argument("--document-type", default="", help="the record's document type")
    p.add_argument("--department", default="", help="the author's department")
    p.add_argument("--type-code", action="append", default=[], help="LOINC document code")
    p.add_argument(
        "--security-label", action="append", default=[], help="FHIR security label (e.g. PSY)"
    )
    p.add_argument("--password-file", type=Path, help="file whose first line is the PDF's password")
    p.add_argument("--no-ocr", action="store_true", help="do not read scanned pages with OCR")
    p.add_argument(
        "--check-vocabulary",
        action="store_true",
        help="only check the vocabulary (with --vocabulary: the site's file too) and exit",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)


def _categories(text: str) -> list[str]:
    out: list[str] = []
    for part in text.split(","):
        code = part.strip().lower().replace("-", "_")
        if code:
            out.append(ALIASES.get(code, code))
    return list(dict.fromkeys(out))


def _check(vocabulary: Path | None) -> int:
    from roi_desk.redaction.proposals.vocabulary import check_icd_entries, load_vocabulary

    vocab = load_vocabulary(vocabulary)
    bad = check_icd_entries(vocab)
    for entry in bad:
        print(f"not an ICD-10-CM code, category or block: {entry}", file=sys.stderr)
    if not bad:
        print(f"Vocabulary {vocab.version}: {len(vocab.categories)} categories, all codes valid.")
    return EXIT_USER_ERROR if bad else EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Handle ``roi-desk propose``; returns the process exit code."""
    try:
        if args.check_vocabulary:
            return _check(args.vocabulary)
        if args.input is None or args.boxes is None:
            raise ValidationError("Give the PDF and --boxes FILE to write the proposals to.")
        categories = _categories(args.not_consented)
        if not categories:
            raise ValidationError(
                "Say which categories the patient did not initial, e.g. --not-consented hiv,sud."
            )
        data, password = read_input_pdf(args.input, args.password_file)
        # heavy imports here, not at start-up: every roi-desk command loads this module
        from roi_desk.redaction.proposals import DocumentFacts, describe, propose_steps
        from roi_desk.redaction.proposals.vocabulary import load_vocabulary

        vocab = load_vocabulary(args.vocabulary)
        facts = DocumentFacts(
            document_type=args.document_type,
            department=args.department,
            type_codes=tuple(args.type_code),
            security_labels=tuple(args.security_label),
        )
        steps = propose_steps(
            data,
            categories,
            facts=facts,
            vocabulary=vocab,
            family_history=args.family_history,
            password=password,
            ocr=not args.no_ocr,
        )
        result = run_steps(steps, quiet=args.quiet, line=lambda d, t, _m: f"[{d}/{t}] pages read")
        labels = {c: v.label for c, v in vocab.categories.items()}
        boxes = [
            {
                "page": p.page,
                "rect": list(rect),
                "reason": describe(p.level, labels.get(p.category, p.category), p.trigger),
                "proposed_by": f"rule:{p.category}:{p.level}:{p.group}|{p.trigger}",
                "category": p.category,
                "confirmed_by": None,
                "confirmed_at": None,
            }
            for p in result.passages
            for rect in p.rects
        ]
        out = {
            "vocabulary_version": result.vocabulary_version,
            "not_consented": categories,
            "notes": [{"page": n.page, "message": n.message} for n in result.notes],
            "boxes": boxes,
        }
        try:
            args.boxes.write_text(json.dumps(out, indent=2), encoding="utf-8")
        except OSError as exc:
            raise ValidationError(f"The boxes file {args.boxes.name} cannot be written.") from exc
        if not args.quiet:
            counts = Counter((p.category, p.level) for p in result.passages)
            for (cat, level), n in sorted(counts.items()):
                print(f"  {cat:<20} {level:<9} {n}", file=sys.stderr)
            print(
                f"{len(boxes)} box(es) proposed on {len({b['page'] for b in boxes})} page(s); "
                "a person must confirm them (roi-desk redact --confirmed-by NAME).",
                file=sys.stderr,
            )
            for note in result.notes:
                print(f"  page {note.page + 1}: {note.message}", file=sys.stderr)
        return EXIT_OK
    except RoiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
