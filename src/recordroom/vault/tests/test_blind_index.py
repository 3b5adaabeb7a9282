"""vault.blind_index: normalization, keyed digests, phonetic codes."""

from __future__ import annotations

from datetime import date

import pytest

from recordroom.vault.blind_index import (
    IndexKind,
    blind_index,
    forget_derived_keys,
    name_digests,
    name_tokens,
    normalize,
    phonetic_codes,
)
from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.keyring import FileKeyring, forget_keyring


@pytest.mark.parametrize(
    ("kind", "value", "canonical"),
    [
        (IndexKind.MRN, " a-12 34 ", "A1234"),
        (IndexKind.MEMBER_ID, "zx.99/88", "ZX9988"),
        (IndexKind.SSN, "123-45-6789", "123456789"),
        (IndexKind.SSN, "123 45 6789", "123456789"),
        (IndexKind.DOB, date(1961, 7, 4), "1961-07-04"),
        (IndexKind.DOB, " 1961-07-04 ", "1961-07-04"),
        (IndexKind.PHONE, "+1 (555) 010-0199", "5550100199"),
        (IndexKind.EMAIL, " Jane.Doe@Example.ORG ", "jane.doe@example.org"),
        (IndexKind.NAME, "Zoë  O'Brien-Núñez", "ZOE O BRIEN NUNEZ"),
    ],
)
def test_normalization(kind, value, canonical):
    assert normalize(kind, value) == canonical


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (IndexKind.SSN, "12-345-678"),
        (IndexKind.SSN, "12345678X"),
        (IndexKind.DOB, "07/04/1961"),
        (IndexKind.MRN, "   "),
        (IndexKind.PHONE, "12"),
        (IndexKind.EMAIL, "nobody"),
        (IndexKind.NAME, "1234"),
    ],
)
def test_malformed_value_is_refused_without_echoing_it(kind, value):
    with pytest.raises(VaultError) as caught:
        blind_index(kind, value)
    assert caught.value.code is VaultErrorCode.INVALID_INDEX_VALUE
    assert value.strip() == "" or value not in str(caught.value)


def test_digest_is_keyed_truncated_and_separate_per_kind():
    mrn = blind_index(IndexKind.MRN, "123456789")
    assert len(mrn) == 32
    assert int(mrn, 16) >= 0
    assert mrn == blind_index(IndexKind.MRN, "123-456-789")
    assert mrn != blind_index(IndexKind.SSN, "123456789")
    assert mrn != blind_index(IndexKind.MEMBER_ID, "123456789")


def test_another_keyring_gives_other_digests(own_keyring, tmp_path, settings):
    first = blind_index(IndexKind.MRN, "A1")
    settings.RECORDROOM_VAULT_KEYRING_PATH = tmp_path / "other.json"
    FileKeyring.generate(settings.RECORDROOM_VAULT_KEYRING_PATH)
    forget_keyring()
    forget_derived_keys()
    assert blind_index(IndexKind.MRN, "A1") != first


def test_name_tokens_fold_accents_and_punctuation():
    assert name_tokens("  José  de la Cruz-Müller ") == ["JOSE", "DE", "LA", "CRUZ", "MULLER"]


def test_name_tokens_fold_latin_letters_without_a_decomposition():
    assert name_tokens("Søren Łukasz Æbelø") == ["SOREN", "LUKASZ", "AEBELO"]
    assert name_tokens("Weiß") == ["WEISS"]


def test_name_tokens_keep_letters_of_other_scripts():
    assert name_tokens("王 小明") == ["王", "小明"]
    assert name_tokens("Иванова-Петрова") == ["ИВАНОВА", "ПЕТРОВА"]
    assert name_tokens("Νίκος") == ["ΝΙΚΟΣ"]
    assert name_tokens("محمد") == ["محمد"]
    assert name_tokens("देवनागरी") == ["देवनागरी"]
    assert name_tokens("O'Brien 3rd") == ["O", "BRIEN", "RD"]


def test_sound_alike_names_share_a_phonetic_code():
    assert phonetic_codes("SMITH") & phonetic_codes("SMYTH")
    assert phonetic_codes("CATHERINE") & phonetic_codes("KATHRYN")
    assert not phonetic_codes("SMITH") & phonetic_codes("JONES")


def test_name_digests_are_exact_and_phonetic():
    exact, phonetic = name_digests("Ann Smith")
    assert len(exact) == 2
    assert len(phonetic) >= 2
    assert exact.isdisjoint(phonetic)
