"""Access errors. ``AccessDenied`` carries the decision; its message never names a patient."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from recordroom.core.errors import RecordroomError

if TYPE_CHECKING:
    from recordroom.access.decisions import Decision


class AccessErrorCode(StrEnum):
    DENIED = "denied"
    INVALID_REQUEST = "invalid_request"


class AccessError(RecordroomError[AccessErrorCode]):
    """An error of this app; ``code`` is stable, ``message`` is for people."""


class AccessDeniedError(AccessError):
    def __init__(self, decision: Decision) -> None:
        super().__init__(AccessErrorCode.DENIED, f"Access denied: {decision.reason}")
        self.decision = decision
