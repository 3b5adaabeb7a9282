"""Username rules.

Usernames are unique identifiers for one person (HIPAA 164.312(a)(2)(i)). They are ASCII only,
lower case, 3-64 characters of ``a-z 0-9 . _ -``: a username that looks like another (a Cyrillic
U+0430 for a Latin "a", a full-width letter, a zero-width joiner) is refused rather than normalized, so
two accounts can never look alike in an audit report (Unicode TR 39, confusable detection).
"""

from __future__ import annotations

import re

USERNAME_MAX = 64
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class UsernameError(ValueError):
    """The username breaks the rules; the message says which."""


def canonical_username(raw: str) -> str:
    """Lower-case and strip ``raw``; raise :class:`UsernameError` unless it then follows the rules."""
    if len(raw) > USERNAME_MAX * 4:
        raise UsernameError(f"a username has at most {USERNAME_MAX} characters")
    value = raw.strip().lower()
    if not value.isascii():
        raise UsernameError(
            "a username may contain only the letters a-z, digits and . _ - (no accents or look-alike letters)"
        )
    if len(value) > USERNAME_MAX:
        raise UsernameError(f"a username has at most {USERNAME_MAX} characters")
    if not USERNAME_PATTERN.fullmatch(value):
        raise UsernameError(
            "a username has 3-64 characters: a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
        )
    return value
