"""Errors raised by the accounts services, with a stable code per problem (STYLE R14/R15)."""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.errors import RecordroomError


class AccountsErrorCode(StrEnum):
    PERMISSION_DENIED = "permission_denied"
    INVALID_USERNAME = "invalid_username"
    USERNAME_TAKEN = "username_taken"
    INVALID_PASSWORD = "invalid_password"
    UNKNOWN_ROLE = "unknown_role"
    LAST_SYSADMIN = "last_sysadmin"
    INVALID_TOKEN_REQUEST = "invalid_token_request"
    NOT_FOUND = "not_found"
    MFA_INVALID = "mfa_invalid"


class AccountsError(RecordroomError[AccountsErrorCode]):
    """An error of this app; ``code`` is stable, ``message`` is for people."""
