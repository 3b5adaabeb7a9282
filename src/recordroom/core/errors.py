"""The base of every app's error (STYLE R15: ``<App>Error`` with a ``<App>ErrorCode`` enum).

A message names the problem and never carries PHI, a secret or a plaintext value (DESIGN invariant 3).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

CodeT = TypeVar("CodeT", bound=StrEnum)


class RecordroomError(Exception, Generic[CodeT]):
    def __init__(self, code: CodeT, message: str) -> None:
        super().__init__(message)
        self.code: CodeT = code
        self.message = message
