"""``roi-desk checklist REQUEST``: the authorization decision on one request, for scripts.

    roi-desk checklist R-2025-000123 [--as-of YYYY-MM-DD] [--json]

Runs the one decision (:func:`roi_desk.authorization.decide`) on the request as its
checklist was saved, and prints each line with the rule it cites — the same lines the
checklist panel and the approval screen show. Read-only: nothing is saved.

Exit codes: 0 the records may go out now; 3 not yet (defective, revoked, rejected, lines
to check, or a blocking hold); 1 a problem the user can fix (message on stderr).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

EXIT_RELEASABLE = 0
EXIT_USER_ERROR = 1
EXIT_NOT_YET = 3


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "checklist",
        help="print the authorization decision on a request (read-only)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("request", help="the request number, e.g. R-2025-000123")
    p.add_argument("--as-of", type=dt.date.fromisoformat, help="decide as of this day")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run, handler=run)


def _as_json(decision: Any) -> dict[str, Any]:
    return {
        "verdict": decision.verdict.value,
        "basis": decision.basis.value,
        "releasable": decision.releasable,
        "redact": list(decision.redaction_obligations),
        "holds": [{"code": h.code, "blocking": h.blocking} for h in decision.holds],
        "letter": decision.letter,
        "due_on": decision.due_on.isoformat(),
        "fee": {
            "kind": decision.fee.kind,
            "total": str(decision.fee.quote.total) if decision.fee.quote else None,
        },
        "lines": [
            {"topic": ln.topic, "effect": ln.effect.value, "citation": ln.citation}
            for ln in decision.lines
        ],
    }


def run(args: argparse.Namespace) -> int:
    # heavy modules only when the command runs
    from sqlalchemy import select

    from roi_desk.cli.support import open_for_script
    from roi_desk.errors import RoiError
    from roi_desk.models import Request
    from roi_desk.services.authorization import decision_for

    try:
        db = open_for_script(args)
        try:
            with db.transaction() as session:
                rid = session.scalar(select(Request.id).where(Request.number == args.request))
                if rid is None:
                    print(f"No request numbered {args.request}.", file=sys.stderr)
                    return EXIT_USER_ERROR
                decision = decision_for(session, rid, args.as_of or dt.date.today())
        finally:
            db.close()
    except RoiError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USER_ERROR
    if args.json:
        # codes and citations only: the sentences may name people (PHI stays off pipes)
        print(json.dumps(_as_json(decision), indent=2))
    else:
        print(f"{args.request}: {decision.verdict.value.replace('_', ' ').upper()}")
        for ln in decision.lines:
            cite = f"  [{ln.citation}]" if ln.citation else ""
            print(f"  {ln.effect.value:<7} {ln.topic}: {ln.text}{cite}")
    return EXIT_RELEASABLE if decision.releasable else EXIT_NOT_YET
