"""vault.checks: production refuses to start without a usable keyring."""

from __future__ import annotations

from recordroom.vault.checks import vault_keyring
from recordroom.vault.keyring import FileKeyring


def test_production_without_a_keyring_is_an_error(own_keyring, settings):
    settings.RECORDROOM_ENV = "production"
    problems = vault_keyring()
    assert [p.id for p in problems] == ["recordroom.vault.E001"]
    assert "keyring_missing" in problems[0].msg
    assert not own_keyring.exists()


def test_production_with_a_keyring_file_passes(own_keyring, settings):
    FileKeyring.generate(own_keyring)
    settings.RECORDROOM_ENV = "production"
    assert vault_keyring() == []


def test_production_with_an_open_keyring_file_is_an_error(own_keyring, settings):
    FileKeyring.generate(own_keyring)
    own_keyring.chmod(0o640)
    settings.RECORDROOM_ENV = "production"
    assert "keyring_permissions" in vault_keyring()[0].msg


def test_dev_and_test_are_not_checked(own_keyring):
    assert vault_keyring() == []
