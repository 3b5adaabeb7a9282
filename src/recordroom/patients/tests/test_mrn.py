"""MRNs: Luhn check digits (ISO/IEC 7812-1 Annex B), the site prefix, and refusal of a mistyped MRN."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.mrn import first_number, format_mrn, looks_like_mrn, luhn_check_digit, luhn_valid, parse_mrn


def test_check_digit_matches_the_standard_worked_example():
    # ISO/IEC 7812-1 Annex B's classic example: 7992739871 -> check digit 3
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


def test_every_single_digit_error_and_adjacent_transposition_is_caught():
    mrn = format_mrn(1_234_567, prefix="")
    for position in range(len(mrn)):
        for digit in "0123456789":
            if digit != mrn[position]:
                assert not luhn_valid(mrn[:position] + digit + mrn[position + 1 :])
    for position in range(len(mrn) - 1):
        a, b = mrn[position], mrn[position + 1]
        if a != b and {a, b} != {"0", "9"}:
            assert not luhn_valid(mrn[:position] + b + a + mrn[position + 2 :])


def test_format_adds_prefix_and_check_digit(settings):
    settings.RECORDROOM_MRN_PREFIX = "rr"
    assert format_mrn(1_000_000) == "RR10000008"
    assert format_mrn(1_000_001, prefix="") == "10000016"


def test_parse_accepts_spacing_and_prefix_and_refuses_a_typo(settings):
    settings.RECORDROOM_MRN_PREFIX = "RR"
    assert parse_mrn(" rr 1000-0008 ") == "RR10000008"
    assert parse_mrn("10000008") == "RR10000008"
    with pytest.raises(PatientsError) as caught:
        parse_mrn("RR10000009")
    assert caught.value.code is PatientsErrorCode.INVALID_MRN
    assert caught.value.message == (
        "That MRN's check digit does not match: it has a typo. Check the number and try again."
    )
    assert "10000009" not in caught.value.message


def test_looks_like_mrn_tells_numbers_from_names(settings):
    settings.RECORDROOM_MRN_PREFIX = "RR"
    assert looks_like_mrn("RR 1000 0008")
    assert looks_like_mrn("10000008")
    assert not looks_like_mrn("Rr Smith")
    assert not looks_like_mrn("John 12")


def test_a_bad_prefix_setting_is_refused(settings):
    settings.RECORDROOM_MRN_PREFIX = "R1"
    with pytest.raises(ImproperlyConfigured, match="RECORDROOM_MRN_PREFIX"):
        format_mrn(5)


def test_the_mrn_width_is_configured_and_numbers_are_zero_padded(settings):
    settings.RECORDROOM_MRN_LENGTH = 10
    settings.RECORDROOM_MRN_PREFIX = ""
    assert first_number() == 100_000_000
    assert len(format_mrn(first_number())) == 10
    assert format_mrn(42) == "000000042" + luhn_check_digit("000000042")
    assert luhn_valid(format_mrn(42))
    settings.RECORDROOM_MRN_LENGTH = 30
    with pytest.raises(ImproperlyConfigured):
        format_mrn(42)
