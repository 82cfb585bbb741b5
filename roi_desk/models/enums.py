"""Vocabularies stored in the database as short stable strings."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    MAILROOM = "mailroom"


class Status(StrEnum):
    """A request's life (DOMAIN.md, "A request's life")."""

    RECEIVED = "received"
    LOGGED = "logged"
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    QA = "qa"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    RELEASED = "released"
    CLOSED = "closed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REDIRECTED = "redirected"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "Received",
    Status.LOGGED: "Logged",
    Status.PENDING: "Pending",
    Status.IN_PROGRESS: "In progress",
    Status.QA: "QA",
    Status.AWAITING_APPROVAL: "Awaiting approval",
    Status.APPROVED: "Approved",
    Status.RELEASED: "Released",
    Status.CLOSED: "Closed",
    Status.REJECTED: "Rejected",
    Status.CANCELLED: "Cancelled",
    Status.REDIRECTED: "Redirected",
}

#: The one set of "open" statuses: the request is still the desk's work, its clock runs,
#: and a packet may be built, a letter or referral sent for it. Received through approved
#: are open; released, closed, rejected, cancelled and redirected are not. A redirected
#: request was handed to another custodian (DOMAIN.md, "A request's life"), so it gets no
#: packet and no letter from this desk, just as a released or rejected one doesn't. The
#: inbox, reports, letters, the checklist's actions and the packet build all read this set.
OPEN_STATUSES: frozenset[Status] = frozenset(
    {
        Status.RECEIVED,
        Status.LOGGED,
        Status.PENDING,
        Status.IN_PROGRESS,
        Status.QA,
        Status.AWAITING_APPROVAL,
        Status.APPROVED,
    }
)


class PendingReason(StrEnum):
    MISSING_ELEMENT = "missing_element"
    AWAITING_PAYMENT = "awaiting_payment"
    CLINICIAN_APPROVAL = "clinician_approval"
    SENT_TO_DEPARTMENT = "sent_to_department"
    UNMATCHED_PATIENT = "unmatched_patient"
    AWAITING_PROOF = "awaiting_proof"
    OTHER = "other"

    @property
    def label(self) -> str:
        return PENDING_LABELS[self]


PENDING_LABELS: dict[PendingReason, str] = {
    PendingReason.MISSING_ELEMENT: "Authorization incomplete",
    PendingReason.AWAITING_PAYMENT: "Awaiting payment",
    PendingReason.CLINICIAN_APPROVAL: "Awaiting clinician approval",
    PendingReason.SENT_TO_DEPARTMENT: "Sent to another department",
    PendingReason.UNMATCHED_PATIENT: "Patient not yet matched",
    PendingReason.AWAITING_PROOF: "Awaiting proof of authority",
    PendingReason.OTHER: "Other",
}


class Channel(StrEnum):
    FAX = "fax"
    MAIL = "mail"
    WALK_IN = "walk_in"
    PORTAL = "portal"
    EMAIL = "email"

    @property
    def label(self) -> str:
        return {"walk_in": "Walk-in"}.get(self.value, self.value.capitalize())


class RequestKind(StrEnum):
    """Who asks and on what footing (DOMAIN.md, "Request kinds")."""

    PATIENT = "patient"
    PERSONAL_REPRESENTATIVE = "personal_representative"
    THIRD_PARTY = "third_party"
    PROVIDER = "provider"
    LEGAL = "legal"
    AUTOPSY = "autopsy"
    TRANSFER = "transfer"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[RequestKind, str] = {
    RequestKind.PATIENT: "Patient (self)",
    RequestKind.PERSONAL_REPRESENTATIVE: "Personal representative",
    RequestKind.THIRD_PARTY: "Third party (authorized)",
    RequestKind.PROVIDER: "Provider (continuity of care)",
    RequestKind.LEGAL: "Subpoena / court order",
    RequestKind.AUTOPSY: "Autopsy report",
    RequestKind.TRANSFER: "Transfer of care",
}


class DeliveryMethod(StrEnum):
    MAIL = "mail"
    FAX = "fax"
    PICKUP = "pickup"
    ELECTRONIC = "electronic"

    @property
    def label(self) -> str:
        return {"pickup": "Pick-up"}.get(self.value, self.value.capitalize())


class PartyKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"


class PartyRole(StrEnum):
    PATIENT = "patient"
    PARENT = "parent"
    GUARDIAN = "guardian"
    HEALTH_CARE_PROXY = "health_care_proxy"
    ATTORNEY_IN_FACT = "attorney_in_fact"
    EXECUTOR = "executor"
    ATTORNEY = "attorney"
    INSURER = "insurer"
    EMPLOYER = "employer"
    PROVIDER = "provider"
    GOVERNMENT = "government"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class DocumentKind(StrEnum):
    REQUEST_SCAN = "request_scan"
    AUTHORIZATION = "authorization"
    PROOF_OF_AUTHORITY = "proof_of_authority"
    LETTER = "letter"
    RECORD = "record"
    PACKET = "packet"
    REDACTED = "redacted"  # a verified redacted PDF (roi_desk.models.redaction)
    RELEASE = "release"  # an assembled abstract / full release (roi_desk.models.chart)


#: the kinds of information a request may ask for (intake's check boxes)
INFO_TYPES: dict[str, str] = {
    "abstract": "Abstract (immunizations + 3 years)",
    "full_chart": "Complete medical record",
    "visit_notes": "Office visit notes",
    "lab": "Laboratory results",
    "radiology": "Radiology reports",
    "immunizations": "Immunizations",
    "discharge": "Discharge summaries",
    "operative": "Operative reports",
    "medications": "Medication list",
    "billing": "Itemized bill (billing office)",
    "images": "Radiology images / films / CDs",
    "other": "Other (see notes)",
}
