"""Keys that live in the database only in wrapped form (the department server's document
key, wrapped by the department passphrase: the server never holds it in the clear)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from roi_desk.models.base import Base, UtcDateTime, utcnow


class KeyWrap(Base):
    __tablename__ = "key_wraps"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kdf: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(Integer)
    r: Mapped[int] = mapped_column(Integer)
    p: Mapped[int] = mapped_column(Integer)
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
