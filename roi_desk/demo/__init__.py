"""Synthetic demo data: made-up patients, requesters and requests in every state.

Everything here is invented by this generator (names drawn from small lists, random dates)
— no real person's data. ``seed_demo`` builds a realistic working day through the real
services (so histories and audit trails are what the program would write);
``bulk_requests`` inserts many rows fast for benchmarks.

The demo obeys the invariants of real data: a request waiting for approval has a checked
authorization, a fee decision and a packet built from its patient's record pages; an
approved one carries the supervisor's signature over that packet (so it can be released);
a released or closed one has its delivery and its disclosure row (45 CFR 164.528). Most
items in the approval queue pass QA; a few hold the problems a supervisor must catch (a
page from another patient's chart, an expired authorization, a scanned page with no text).
"""

from roi_desk.demo.bulk import bulk_requests
from roi_desk.demo.desk import DEMO_USER_PASSWORD, DEMO_USERS, request_letter_pdf, seed_demo
from roi_desk.demo.people import make_patient
from roi_desk.demo.release_side import PROBLEMS, records_pdf

__all__ = [
    "DEMO_USERS",
    "DEMO_USER_PASSWORD",
    "PROBLEMS",
    "bulk_requests",
    "make_patient",
    "records_pdf",
    "request_letter_pdf",
    "seed_demo",
]
