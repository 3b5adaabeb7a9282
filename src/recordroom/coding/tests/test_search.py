"""Code search: prefix, words, typos, billable vs header, notes and 7th characters; deny by default."""

from __future__ import annotations

from datetime import date

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.coding.errors import CodingError
from recordroom.coding.services import find_codes, search_codes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_sets")]
DAY = date(2026, 3, 5)


@pytest.mark.parametrize("query", ["E11.9", "e119", " E11.9 "])
def test_prefix_search_dotted_or_not(query):
    results = find_codes(query=query, on=DAY)
    assert results[0].display == "E11.9"
    assert results[0].billable is True


def test_category_is_a_header_with_its_notes():
    first = find_codes(query="E11", on=DAY, system="icd10cm")[0]
    assert (first.display, first.billable, first.kind) == ("E11", False, "category")
    assert "type 1 diabetes mellitus (E10.-)" in first.notes["excludes1"]
    assert "insulin (Z79.4)" in first.notes["use_additional"]


def test_seventh_character_table_is_shown_on_the_leaf():
    result = find_codes(query="S72.001", on=DAY, limit=1)[0]
    assert result.billable is False
    assert result.seventh_characters is not None
    assert result.seventh_characters["A"] == "initial encounter for closed fracture"


def test_word_search_and_inclusion_terms():
    titles = [r.display for r in find_codes(query="type 2 diabetes without complications", on=DAY)]
    assert "E11.9" in titles[:3]
    assert "A00.0" in [r.display for r in find_codes(query="classical cholera", on=DAY)]


def test_typo_tolerant():
    assert "E11.9" in [r.display for r in find_codes(query="diabtes type 2 without complicatons", on=DAY)]


def test_procedure_search():
    assert find_codes(query="02703DZ", on=DAY)[0].system == "icd10pcs"
    found = find_codes(query="replacement right hip joint metal cemented", on=DAY, system="icd10pcs")
    assert "0SR9019" in [r.code for r in found]


def test_bad_queries_are_refused():
    with pytest.raises(CodingError):
        find_codes(query="   ", on=DAY)
    with pytest.raises(CodingError):
        find_codes(query="E11", on=DAY, system="icd9")


def test_search_needs_a_coding_role():
    clerk = make_user([Role.HIM_CLERK])
    with pytest.raises(AccessDeniedError):
        search_codes(actor=clerk.user, query="E11")
    coder = make_user([Role.CODER])
    assert search_codes(actor=coder.user, query="E11.9", on=DAY)[0].display == "E11.9"


def test_mce_flags_are_shown_for_a_code():
    assert "manifestation: never principal (MCE 6)" in find_codes(query="D63.1", on=DAY, limit=1)[0].mce
    assert "MCE age edit: newborn (age 0)" in find_codes(query="A33", on=DAY, limit=1)[0].mce
    assert "MCE age edit: maternity (age 9-64)" in find_codes(query="O80", on=DAY, limit=1)[0].mce
    assert find_codes(query="I21.4", on=DAY, limit=1)[0].mce == ()


def test_pcs_code_without_a_packaged_title_is_still_found():
    result = find_codes(query="00H033J", on=DAY, limit=1)[0]
    assert (result.display, result.billable, result.title) == ("00H033J", True, "")
    assert "no packaged source" in result.notes["notes"][0]


def test_default_date_is_today_and_falls_back_to_the_newest_release():
    from datetime import UTC, datetime

    from recordroom.core.clock import frozen

    with frozen(datetime(2026, 5, 1, 12, tzinfo=UTC)):
        assert find_codes(query="E11.9")[0].version == "FY2026"
    with frozen(datetime(2026, 11, 2, 12, tzinfo=UTC)):  # FY2027: not loaded, the newest release is searched
        assert find_codes(query="E11.9")[0].version == "FY2026"
    with pytest.raises(CodingError) as caught:
        find_codes(query="E11.9", on=date(2027, 1, 5))
    assert caught.value.code.value == "no_code_set"
