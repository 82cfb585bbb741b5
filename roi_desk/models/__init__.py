"""The typed ORM (SQLAlchemy 2.x). No logic that needs Qt, no I/O beyond the Session."""

import roi_desk.models.approval  # registers the approval-signature table
import roi_desk.models.chart  # registers the chart and release-set tables
import roi_desk.models.checklist  # registers the checklist and fee tables
import roi_desk.models.redaction  # registers the redaction-set tables
import roi_desk.models.settings  # registers the administrator's site settings table
import roi_desk.models.sync  # registers the satellite synchronisation tables
import roi_desk.models.tally  # noqa: F401 -- registers the inbox counts kept by triggers (0017)
from roi_desk.models.audit import AuditEvent
from roi_desk.models.base import Base
from roi_desk.models.document import Document, DocumentContent
from roi_desk.models.enums import (
    Channel,
    DeliveryMethod,
    DocumentKind,
    PartyKind,
    PartyRole,
    PendingReason,
    RequestKind,
    Role,
    Status,
)
from roi_desk.models.keywrap import KeyWrap
from roi_desk.models.packet import DeliveryAttempt, Disclosure, Packet  # noqa: F401
from roi_desk.models.people import Party, Patient, PatientAlias, User
from roi_desk.models.request import Counter, Request, RequestEvent

__all__ = [
    "AuditEvent",
    "Base",
    "Channel",
    "Counter",
    "DeliveryMethod",
    "Document",
    "DocumentContent",
    "DocumentKind",
    "KeyWrap",
    "Party",
    "PartyKind",
    "PartyRole",
    "Patient",
    "PatientAlias",
    "PendingReason",
    "Request",
    "RequestEvent",
    "RequestKind",
    "Role",
    "Status",
    "User",
]
