"""Access errors. ``AccessDenied`` carries the decision; its message never names a patient."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from recordroom.access.decisions import Decision


class AccessErrorCode(StrEnum):
    DENIED = "denied"
    INVALID_REQUEST = "invalid_request"


class AccessError(Exception):
    def __init__(self, code: AccessErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class AccessDeniedError(AccessError):
    def __init__(self, decision: Decision) -> None:
        super().__init__(AccessErrorCode.DENIED, f"Access denied: {decision.reason}")
        self.decision = decision
