"""Errors raised by the accounts services, with a stable code per problem (STYLE R14/R15)."""

from __future__ import annotations

from enum import StrEnum


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


class AccountsError(Exception):
    def __init__(self, code: AccountsErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
