"""``roi-desk redact``: input PDF + boxes (JSON) → redacted PDF + log, verified.

The boxes file is a JSON list of boxes (or ``{"boxes": [...]}``), each
``{"page": 0, "rect": [x0, y0, x1, y1], "reason": "...", "proposed_by": "...",
"confirmed_by": "...", "confirmed_at": "..."}`` — pages count from 0, rectangles are in
PDF user space of the unrotated page (see :mod:`roi_desk.redaction.model`). Boxes without
``confirmed_by`` are refused unless ``--confirmed-by NAME`` accepts them.

Exit codes: 0 done and verified; 1 a problem the user can fix (message on stderr);
3 the output failed verification (nothing written).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from roi_desk.cli.support import read_input_pdf, run_steps
from roi_desk.errors import RoiError, ValidationError
from roi_desk.redaction.engine import VerificationFailed, redact_steps
from roi_desk.redaction.model import RedactionSet

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_NOT_VERIFIED = 3


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``redact`` sub-command to the ``roi-desk`` command line."""
    p = subparsers.add_parser(
        "redact",
        help="remove boxed regions from a PDF for real, sanitize it and verify the result",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("input", type=Path, help="the PDF to redact (it is never modified)")
    p.add_argument("--boxes", type=Path, required=True, help="JSON file with the boxes")
    p.add_argument("--output", "-o", type=Path, required=True, help="where to write the PDF")
    p.add_argument("--log", type=Path, help="where to write the redaction log (JSON)")
    p.add_argument("--password-file", type=Path, help="file whose first line is the PDF's password")
    p.add_argument("--confirmed-by", help="accept unconfirmed boxes in this person's name")
    p.add_argument(
        "--force-raster", action="store_true", help="rasterize every page that has boxes"
    )
    p.add_argument("--dpi", type=int, default=200, help="raster resolution (at least 200)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)


def _read_boxes(path: Path, confirmed_by: str | None) -> RedactionSet:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(f"The boxes file {path.name} cannot be read as JSON.") from exc
    items = data.get("boxes") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationError("The boxes file must hold a list of boxes.")
    boxes = RedactionSet.from_list(items)
    if confirmed_by:
        for box in boxes.unconfirmed():
            box.confirm(confirmed_by)
    return boxes


def run(args: argparse.Namespace) -> int:
    """Handle ``roi-desk redact``; returns the process exit code."""
    try:
        if args.output.resolve() == args.input.resolve():
            raise ValidationError("The output must be a new file; the original is never changed.")
        src, password = read_input_pdf(args.input, args.password_file)
        boxes = _read_boxes(args.boxes, args.confirmed_by)
        steps = redact_steps(
            src, boxes, password=password, force_raster=args.force_raster, raster_dpi=args.dpi
        )
        result = run_steps(steps, quiet=args.quiet)
        args.output.write_bytes(result.output)
        if args.log is not None:
            args.log.write_text(json.dumps(result.log, indent=2), encoding="utf-8")
        raster = [p.page + 1 for p in result.pages if p.method == "raster"]
        if not args.quiet:
            print(
                f"Redacted {len(boxes)} box(es) on {len(result.pages)} page(s); verified.",
                file=sys.stderr,
            )
            if raster:
                pages = ", ".join(map(str, raster))
                print(f"Pages turned into images (no searchable text): {pages}", file=sys.stderr)
        return EXIT_OK
    except VerificationFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.detail:
            print(f"detail: {exc.detail}", file=sys.stderr)
        return EXIT_NOT_VERIFIED
    except RoiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m roi_desk.cli.redact redact ...``)."""
    parser = argparse.ArgumentParser(prog="roi-desk")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
