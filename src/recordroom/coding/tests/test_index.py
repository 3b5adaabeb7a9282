"""The in-memory index: ancestors, 7th-character tables, prefix and typo-tolerant word matching."""

from __future__ import annotations

from datetime import date

import pytest

from recordroom.coding.services.codesets import code_set_for
from recordroom.coding.services.index import _within, index_for, tokens

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_sets")]


@pytest.fixture
def cm():
    return index_for(code_set_for("icd10cm", date(2026, 3, 5)))


def test_ancestors_up_to_the_chapter(cm):
    assert [e.code for e in cm.ancestors("E119")] == ["E11", "E08-E13", "CHAPTER4"]


def test_seventh_character_table_is_inherited(cm):
    assert cm.seventh_characters("S72001")["A"] == "initial encounter for closed fracture"
    assert cm.seventh_characters("E119") is None


def test_word_matching_prefix_and_typos(cm):
    assert "diabetes" in cm.matching_tokens("diab")
    assert "diabetes" in cm.matching_tokens("diabtes")
    assert "pneumonia" in cm.matching_tokens("pneumonai")  # a transposition


def test_edit_distance_and_tokens():
    assert _within("migrane", "migraine", 1)
    assert not _within("cat", "dog", 1)
    assert tokens("Type 2 diabetes mellitus without complications") == [
        "type",
        "2",
        "diabetes",
        "mellitus",
        "without",
        "complications",
    ]
