"""How many requests share a status, due date, assignee and match state — kept by the
database itself.

The inbox's side panel and its unfiltered row count read these few thousand rows instead
of counting a million requests. Triggers on ``requests`` (migration 0017) keep them in the
same transaction as every insert, status change and deletion — whether it comes from the
ORM, a bulk insert or a synchronisation bundle — so a count is never stale or ahead of the
data it counts. ``services.inbox.recount`` rebuilds them from the requests (tests compare).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Boolean, Date, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from roi_desk.models.base import Base

#: ``assignee_id`` of the rows counting unassigned requests (a key column cannot be NULL:
#: NULLs never conflict in a unique key, so an upsert could not find the row)
NO_ASSIGNEE = uuid.UUID(int=0)


class RequestTally(Base):
    __tablename__ = "request_tally"

    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    assignee_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    unmatched: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
