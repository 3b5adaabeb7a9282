"""Medical record numbers: a sequential number with a Luhn (mod 10) check digit, after an optional
site prefix. The scheme is configured: ``RECORDROOM_MRN_PREFIX`` (0-6 letters, default none) and
``RECORDROOM_MRN_LENGTH`` (digits including the check digit, 4-18, default 8): numbering starts at the
first number of that width (10^(length-2)) and the number is zero-padded to it, so every MRN of a site
has the same width until the width is used up (then numbers grow, never wrap or repeat).

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

DEFAULT_LENGTH = 8
FIRST_NUMBER = 10 ** (DEFAULT_LENGTH - 2)
_PREFIX = re.compile(r"^[A-Z]{0,6}$")
_SEPARATORS = re.compile(r"[\s\-./]+")
_DIGITS = re.compile(r"^\d{2,20}$")


def mrn_prefix() -> str:
    prefix = str(getattr(settings, "RECORDROOM_MRN_PREFIX", "") or "").upper()
    if not _PREFIX.fullmatch(prefix):
        raise ImproperlyConfigured("RECORDROOM_MRN_PREFIX is 0-6 letters A-Z")
    return prefix


def mrn_length() -> int:
    length = getattr(settings, "RECORDROOM_MRN_LENGTH", DEFAULT_LENGTH)
    if not isinstance(length, int) or not 4 <= length <= 18:
        raise ImproperlyConfigured("RECORDROOM_MRN_LENGTH is 4-18 digits (check digit included)")
    return length


def first_number() -> int:
    """The counter's first value under the configured width (1,000,000 for 8-digit MRNs)."""
    return int(10 ** (mrn_length() - 2))


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
    payload = str(number).zfill(mrn_length() - 1)
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
