"""Invented people for the demo desk: names, streets, towns, requesting organizations.

Drawn at random from small lists (no real person's data); the same seed gives the same desk.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from roi_desk.models import PartyRole, Patient, RequestKind

FAMILY = [
    "Alvarez",
    "Brennan",
    "Chen",
    "Da Silva",
    "Dubois",
    "Fitzgerald",
    "García",
    "Haddad",
    "Ibrahim",
    "Johansson",
    "Kowalski",
    "Le",
    "Mbeki",
    "Meléndez",
    "Nakamura",
    "Nguyen",
    "O'Brien",
    "O'Keefe",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Santos",
    "Schmidt",
    "Sullivan",
    "Tanaka",
    "Thompson",
    "Urquhart",
    "Vasquez",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zielinski",
    "Murphy",
    "Kelly",
    "Carvalho",
    "Pereira",
    "Boateng",
    "Haines",
    "Lindqvist",
]
GIVEN = [
    "Aisha",
    "Ana",
    "Brendan",
    "Carlos",
    "Chloe",
    "Daniel",
    "Deirdre",
    "Elena",
    "Farah",
    "Gabriel",
    "Grace",
    "Hiroshi",
    "Ingrid",
    "James",
    "José",
    "Kwame",
    "Laila",
    "Liam",
    "María",
    "Mei",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Samuel",
    "Siobhan",
    "Thomas",
    "Valentina",
    "Wei",
    "Yusuf",
    "Zoe",
    "Patrick",
    "Fiona",
]
STREETS = [
    "Main St",
    "Beacon St",
    "Washington St",
    "Elm St",
    "Harbor Rd",
    "Centre St",
    "Commonwealth Ave",
    "Pleasant St",
    "Highland Ave",
    "River Rd",
]
TOWNS = [
    ("Boston", "02118"),
    ("Cambridge", "02139"),
    ("Quincy", "02169"),
    ("Somerville", "02143"),
    ("Brookline", "02445"),
    ("Newton", "02458"),
    ("Worcester", "01608"),
    ("Lowell", "01852"),
    ("Salem", "01970"),
]
ORGS: list[tuple[str, PartyRole, RequestKind, str]] = [
    ("Hale & Whitcomb LLP", PartyRole.ATTORNEY, RequestKind.THIRD_PARTY, "Personal injury claim"),
    ("Marsh Legal Group", PartyRole.ATTORNEY, RequestKind.THIRD_PARTY, "Litigation"),
    (
        "Bay State Mutual Insurance",
        PartyRole.INSURER,
        RequestKind.THIRD_PARTY,
        "Life insurance application",
    ),
    (
        "Commonwealth Disability Determination Services",
        PartyRole.GOVERNMENT,
        RequestKind.THIRD_PARTY,
        "Social Security disability claim",
    ),
    ("Harborview Family Medicine", PartyRole.PROVIDER, RequestKind.PROVIDER, "Continuity of care"),
    (
        "North Shore Orthopedics",
        PartyRole.PROVIDER,
        RequestKind.TRANSFER,
        "Transfer of care — patient relocating",
    ),
    (
        "Granite Employers Workers' Comp",
        PartyRole.EMPLOYER,
        RequestKind.THIRD_PARTY,
        "Workers' compensation claim",
    ),
]
INFO_CHOICES = [
    ["abstract"],
    ["full_chart"],
    ["visit_notes", "lab"],
    ["radiology"],
    ["immunizations"],
    ["lab", "radiology", "visit_notes"],
    ["discharge"],
]


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FAMILY), rng.choice(GIVEN)


def address(rng: random.Random) -> tuple[str, str, str]:
    town, zip_code = rng.choice(TOWNS)
    return f"{rng.randint(1, 999)} {rng.choice(STREETS)}", town, zip_code


def phone(rng: random.Random) -> str:
    return f"(617) 555-{rng.randint(0, 9999):04d}"


def make_patient(rng: random.Random, mrn: str) -> Patient:
    family, given = person(rng)
    dob = date(1930, 1, 1) + timedelta(days=rng.randint(0, 33000))
    line1, town, zip_code = address(rng)
    p = Patient(
        mrn=mrn,
        date_of_birth=dob,
        sex=rng.choice(["female", "male"]),
        phone=phone(rng),
        address=f"{line1}, {town}, MA {zip_code}",
    )
    p.set_names(family, given)
    if rng.random() < 0.04:
        p.deceased = True
        p.date_of_death = dob + timedelta(days=rng.randint(20000, 30000))
    return p
