"""Sign-in errors: sentences a clerk understands, never naming a password."""

from __future__ import annotations

from datetime import datetime

from roi_desk.errors import RoiError


class SignInError(RoiError):
    """Wrong user name or password, or an account that cannot sign in now."""

    title = "Sign in"


class AccountLockedError(SignInError):
    """Too many wrong passwords in a row; ``until`` is when the lock ends (UTC)."""

    title = "Account locked"

    def __init__(self, message: str, *, until: datetime) -> None:
        super().__init__(message)
        self.until = until
