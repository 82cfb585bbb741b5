"""The approval gate: may this request's release go out, as far as redaction goes?"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roi_desk.models.redaction import SetStatus
from roi_desk.services.redaction.sets import (
    find_source_document,
    latest_set,
    obligations_of,
)


def is_release_redaction_verified(session: Session, request_id: uuid.UUID) -> bool:
    """May the release of this request be approved, as far as redaction goes?

    True when the newest redaction set is verified, was made from the document that would
    be released now (a release rebuilt after redaction needs redacting again), *and* covered
    every category the patient did not initial — a checklist saved after the set was opened
    may have added one, and those sections must not go out. With no set at all, true only
    when the request has no redaction obligations.
    """
    newest = latest_set(session, request_id)
    obligations = set(obligations_of(session, request_id))
    if newest is None:
        return not obligations
    if newest.status != SetStatus.VERIFIED or newest.output_document_id is None:
        return False
    if not obligations <= set(newest.categories or ()):
        return False
    return find_source_document(session, request_id) == newest.source_document_id


def verified_output(session: Session, request_id: uuid.UUID) -> uuid.UUID | None:
    """The Document id of the verified redacted PDF to release, if there is one."""
    if not is_release_redaction_verified(session, request_id):
        return None
    newest = latest_set(session, request_id)
    return newest.output_document_id if newest is not None else None
