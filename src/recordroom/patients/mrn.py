"""Medical record numbers: a sequential number with a Luhn (mod 10) check digit, after an optional
site prefix (setting ``RECORDROOM_MRN_PREFIX``, default none).

The check digit is the Luhn formula of ISO/IEC 7812-1:2017 Annex B: it catches every single-digit
mistake and every transposition of adjacent digits except 09/90, the commonest typing errors, so a
mistyped MRN is refused instead of opening the wrong chart. The prefix is letters only, so a number can
never be mistaken for part of it.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from recordroom.patients.errors import PatientsError, PatientsErrorCode

FIRST_NUMBER = 1_000_000
_PREFIX = re.compile(r"^[A-Z]{0,6}$")
_SEPARATORS = re.compile(r"[\s\-./]+")
_DIGITS = re.compile(r"^\d{2,20}$")


def mrn_prefix() -> str:
    prefix = str(getattr(settings, "RECORDROOM_MRN_PREFIX", "") or "").upper()
    if not _PREFIX.fullmatch(prefix):
        raise ImproperlyConfigured("RECORDROOM_MRN_PREFIX is 0-6 letters A-Z")
    return prefix


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass the Luhn check (ISO/IEC 7812-1 Annex B)."""
    if not payload.isdigit():
        raise ValueError("a Luhn payload is digits only")
    total = 0
    for position, char in enumerate(reversed(payload)):
        value = int(char)
        if position % 2 == 0:  # the digit next to the check digit is doubled
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_valid(digits: str) -> bool:
    """Whether a digit string ends in its correct Luhn check digit."""
    return len(digits) >= 2 and digits.isdigit() and luhn_check_digit(digits[:-1]) == digits[-1]


def format_mrn(number: int, prefix: str | None = None) -> str:
    """The MRN of counter value ``number``: prefix, the number, its check digit."""
    if number < 1:
        raise ValueError("MRN numbers start at 1")
    payload = str(number)
    return f"{mrn_prefix() if prefix is None else prefix}{payload}{luhn_check_digit(payload)}"


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def looks_like_mrn(text: str) -> bool:
    """True when ``text`` is digits (after the site prefix, spaces and dashes): a lookup by MRN, not by name."""
    compact = _compact(text)
    prefix = mrn_prefix()
    if prefix and compact.startswith(prefix):
        compact = compact[len(prefix) :]
    return bool(_DIGITS.fullmatch(compact))


def parse_mrn(text: str) -> str:
    """The canonical MRN typed as ``text``; a wrong check digit raises ``invalid_mrn`` (the value is not echoed)."""
    compact = _compact(text)
    prefix = mrn_prefix()
    if prefix and compact.startswith(prefix):
        compact = compact[len(prefix) :]
    if not _DIGITS.fullmatch(compact):
        raise PatientsError(PatientsErrorCode.INVALID_MRN, "An MRN is digits after the site prefix.", field="mrn")
    if not luhn_valid(compact):
        raise PatientsError(
            PatientsErrorCode.INVALID_MRN,
            "That MRN's check digit does not match: it has a typo. Check the number and try again.",
            field="mrn",
        )
    return f"{prefix}{compact}"
