"""Username rules, including look-alike characters (Unicode TR 39)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordroom.accounts.usernames import UsernameError, canonical_username


@pytest.mark.parametrize(("raw", "expected"), [("J.Doe", "j.doe"), ("  coder_01 ", "coder_01"), ("a-b", "a-b")])
def test_canonical_form(raw, expected):
    assert canonical_username(raw) == expected


@pytest.mark.parametrize(
    "raw", ["ab", "-start", ".dot", "with space", "tab\tname", "x" * 65, "", "émile", "\u0430dmin"]
)
def test_refused(raw):
    with pytest.raises(UsernameError):
        canonical_username(raw)


@given(st.text(max_size=80))
def test_any_accepted_name_is_plain_ascii_and_stable(raw):
    try:
        name = canonical_username(raw)
    except UsernameError:
        return
    assert name.isascii()
    assert name == name.lower()
    assert canonical_username(name) == name
    assert 3 <= len(name) <= 64
