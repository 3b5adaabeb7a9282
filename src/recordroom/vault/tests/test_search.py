"""vault.services.search: name search over blind-index tokens, exact matches first."""

from __future__ import annotations

import pytest

from recordroom.vault.models import SearchToken
from recordroom.vault.services import forget_name, index_name, search_name
from recordroom.vault.tests.factories import NAME_SCOPE, make_patient

pytestmark = pytest.mark.django_db


def test_exact_tokens_rank_before_sound_alikes():
    smith = make_patient(given_name="Ann", family_name="Smith")
    smyth = make_patient(given_name="Anne", family_name="Smyth")
    make_patient(given_name="Bob", family_name="Jones")
    matches = search_name(scope=NAME_SCOPE, query="Ann Smith")
    assert [m.row_id for m in matches] == [smith.public_id, smyth.public_id]
    assert (matches[0].exact_tokens, matches[1].exact_tokens) == (2, 0)
    assert matches[1].phonetic_tokens >= 2


def test_exact_only_search_ignores_sound_alikes():
    make_patient(given_name="Anne", family_name="Smyth")
    assert search_name(scope=NAME_SCOPE, query="Ann Smith", phonetic=False) == []


def test_tokens_hold_no_name_and_are_replaced_on_reindex():
    patient = make_patient(given_name="Quintus", family_name="Aurelian")
    digests = list(SearchToken.objects.filter(row_id=patient.public_id).values_list("digest", flat=True))
    assert all(len(d) == 32 and "QUINTUS" not in d.upper() for d in digests)
    index_name(scope=NAME_SCOPE, row_id=patient.public_id, names=["Quintus Marcellus"])
    assert [m.row_id for m in search_name(scope=NAME_SCOPE, query="Marcellus")] == [patient.public_id]
    assert search_name(scope=NAME_SCOPE, query="Aurelian", phonetic=False) == []


def test_scopes_are_separate_and_forget_removes_a_row():
    patient = make_patient(family_name="Scoped")
    assert search_name(scope="other.scope", query="Scoped") == []
    assert forget_name(scope=NAME_SCOPE, row_id=patient.public_id) > 0
    assert search_name(scope=NAME_SCOPE, query="Scoped") == []


def test_query_without_letters_finds_nothing():
    make_patient()
    assert search_name(scope=NAME_SCOPE, query="1234 !!") == []
