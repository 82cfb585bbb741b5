"""What each role may do, as data, and the checks the services make before acting.

Permissions are enforced in the core services, not by hiding buttons (a script, a
second window or a future server calls the same functions). The table follows the desk's
division of work (DOMAIN.md, "The people") and the minimum-necessary standard: mail-room
staff print and hand over what was approved, clerks do the desk work, a supervisor adds
the second look (approval, fee waivers, audit and reports), an administrator runs the
program (45 CFR 164.308(a)(4) access authorization; 164.312(a)(1) access control).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

from roi_desk.errors import PermissionDeniedError
from roi_desk.models import DeliveryMethod, Role

__all__ = [
    "ROLE_LABELS",
    "ROLE_PERMISSIONS",
    "Actor",
    "Permission",
    "delivery_permission",
    "has_permission",
    "permissions_for",
    "require",
    "require_not_builder",
]


class Permission(StrEnum):
    LOG_REQUEST = "log_request"
    EDIT_REQUEST = "edit_request"
    REVIEW_AUTHORIZATION = "review_authorization"
    WAIVE_FEE = "waive_fee"
    #: undo a payment or a waiver, reopen a settled fee (a correction)
    CORRECT_FEE = "correct_fee"
    BUILD_RELEASE = "build_release"
    REDACT = "redact"
    BUILD_PACKET = "build_packet"
    APPROVE_RELEASE = "approve_release"
    DELIVER_MAIL = "deliver_mail"
    DELIVER_PICKUP = "deliver_pickup"
    DELIVER_FAX = "deliver_fax"
    DELIVER_ELECTRONIC = "deliver_electronic"
    PRINT_BATCH = "print_batch"
    MANAGE_USERS = "manage_users"
    EDIT_FEE_SCHEDULES = "edit_fee_schedules"
    EDIT_TEMPLATES = "edit_templates"
    VIEW_AUDIT = "view_audit"
    RUN_REPORTS = "run_reports"
    BACKUP_RESTORE = "backup_restore"


P = Permission

#: what a permission lets someone do, finishing "Only … can ___."
ACTION_TEXT: dict[Permission, str] = {
    P.LOG_REQUEST: "log a request",
    P.EDIT_REQUEST: "change a request",
    P.REVIEW_AUTHORIZATION: "check an authorization",
    P.WAIVE_FEE: "waive a fee",
    P.CORRECT_FEE: "undo a payment or a waiver",
    P.BUILD_RELEASE: "build a release",
    P.REDACT: "redact records",
    P.BUILD_PACKET: "build a release packet",
    P.APPROVE_RELEASE: "approve a release",
    P.DELIVER_MAIL: "mail a release",
    P.DELIVER_PICKUP: "hand over a release at the desk",
    P.DELIVER_FAX: "fax a release",
    P.DELIVER_ELECTRONIC: "send an electronic copy",
    P.PRINT_BATCH: "print the mail batch",
    P.MANAGE_USERS: "manage user accounts",
    P.EDIT_FEE_SCHEDULES: "edit fee schedules",
    P.EDIT_TEMPLATES: "edit letter templates",
    P.VIEW_AUDIT: "view the audit trail",
    P.RUN_REPORTS: "run reports",
    P.BACKUP_RESTORE: "back up or restore the database",
}

_MAILROOM = frozenset({P.PRINT_BATCH, P.DELIVER_MAIL, P.DELIVER_PICKUP})
_CLERK = _MAILROOM | {
    P.LOG_REQUEST,
    P.EDIT_REQUEST,
    P.REVIEW_AUTHORIZATION,
    P.BUILD_RELEASE,
    P.REDACT,
    P.BUILD_PACKET,
    P.DELIVER_FAX,
    P.DELIVER_ELECTRONIC,
}
# the second look: approval, fee exceptions, oversight (DOMAIN.md "Supervisor")
_SUPERVISOR = _CLERK | {P.APPROVE_RELEASE, P.WAIVE_FEE, P.CORRECT_FEE, P.VIEW_AUDIT, P.RUN_REPORTS}

#: the role → permissions table (data: review it here, test it as a matrix)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MAILROOM: _MAILROOM,
    Role.CLERK: frozenset(_CLERK),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.ADMIN: frozenset(Permission),
}

ROLE_LABELS: dict[Role, str] = {
    Role.MAILROOM: "mail-room staff",
    Role.CLERK: "a clerk",
    Role.SUPERVISOR: "a supervisor",
    Role.ADMIN: "an administrator",
}

#: from the narrowest role to the widest: who to name in a refusal
_ORDER = (Role.MAILROOM, Role.CLERK, Role.SUPERVISOR, Role.ADMIN)

_DELIVERY: dict[DeliveryMethod, Permission] = {
    DeliveryMethod.MAIL: P.DELIVER_MAIL,
    DeliveryMethod.PICKUP: P.DELIVER_PICKUP,
    DeliveryMethod.FAX: P.DELIVER_FAX,
    DeliveryMethod.ELECTRONIC: P.DELIVER_ELECTRONIC,
}


class Actor(Protocol):
    """What a check needs from a user (a ``User`` row, or a test double)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def role(self) -> str: ...

    @property
    def active(self) -> bool: ...


def _role(value: object) -> Role | None:
    try:
        return Role(str(value))
    except ValueError:
        return None


def permissions_for(role: Role | str) -> frozenset[Permission]:
    """Everything ``role`` may do (nothing for an unknown role)."""
    known = _role(role)
    return ROLE_PERMISSIONS.get(known, frozenset()) if known else frozenset()


def has_permission(role: Role | str, permission: Permission) -> bool:
    """For the UI, to grey out what the core would refuse anyway."""
    return Permission(permission) in permissions_for(role)


def delivery_permission(method: DeliveryMethod | str) -> Permission:
    return _DELIVERY[DeliveryMethod(method)]


def _who(permission: Permission) -> str:
    holders = [r for r in _ORDER if permission in ROLE_PERMISSIONS[r]]
    # an administrator can do everything; naming them on every refusal is noise
    named = [r for r in holders if r is not Role.ADMIN] or holders
    labels = [ROLE_LABELS[r] for r in named]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def denial_message(permission: Permission) -> str:
    return f"Only {_who(permission)} can {ACTION_TEXT[permission]}."


def require(user: Actor | None, permission: Permission) -> None:
    """Raise ``PermissionDeniedError`` with a sentence unless ``user`` may do ``permission``."""
    if user is None:
        raise PermissionDeniedError("Sign in first.")
    if not user.active:
        raise PermissionDeniedError("This account is disabled. Ask an administrator to enable it.")
    if not has_permission(user.role, permission):
        raise PermissionDeniedError(denial_message(Permission(permission)))


def require_not_builder(
    user: Actor | None, built_by_id: uuid.UUID | Iterable[uuid.UUID | None] | None
) -> None:
    """Nobody approves a release they built themselves: approval is a second look by
    someone else (45 CFR 164.530(c) safeguards against an unintended disclosure).

    ``built_by_id`` is one builder or every user who worked on the release.
    """
    if user is None:
        raise PermissionDeniedError("Sign in first.")
    builders = {built_by_id} if isinstance(built_by_id, uuid.UUID) else set(built_by_id or ())
    if user.id in builders:
        raise PermissionDeniedError(
            "You prepared this release, so another supervisor must approve it: approval "
            "is a second look by someone else."
        )
