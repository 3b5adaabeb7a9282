"""Factories for the patients tests: patients are registered through the real service, by a real clerk,
so every row a test sees was sealed, indexed and audited the way production does it (STYLE R10)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.core.vocabulary import Purpose
from recordroom.patients.models import Patient
from recordroom.patients.services import register_patient

_counter = itertools.count(1)
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "be", "do")


def synthetic_name(n: int) -> str:
    """A pronounceable, letters-only name unique per ``n`` (names must hold letters to be indexed)."""
    return "".join(_SYLLABLES[int(digit)] for digit in f"{n:03d}").capitalize()


def make_patient(*, actor: User | None = None, **overrides: Any) -> Patient:
    """Register a synthetic patient (a unique name and date of birth unless overridden), by ``actor`` or by
    a new HIM clerk."""
    n = next(_counter)
    values: dict[str, Any] = {
        "given_name": f"Given{synthetic_name(n)}",
        "family_name": f"Family{synthetic_name(n)}",
        "date_of_birth": date(1950, 1, 1).replace(year=1950 + n % 60, day=1 + n % 28),
        "administrative_sex": "F" if n % 2 else "M",
        "accept_possible_duplicates": True,
    }
    values.update(overrides)
    return register_patient(actor=actor or make_user([Role.HIM_CLERK]).user, purpose=Purpose.OPERATIONS, **values)
