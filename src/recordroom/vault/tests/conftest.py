"""Vault test fixtures: each test starts with empty key caches and its own document store."""

from __future__ import annotations

import pytest

from recordroom.vault.blind_index import forget_derived_keys
from recordroom.vault.keyring import forget_keyring
from recordroom.vault.services import clear_key_cache


@pytest.fixture(autouse=True)
def _fresh_vault(settings, tmp_path):
    settings.RECORDROOM_DOCUMENT_STORE = tmp_path / "documents"
    settings.RECORDROOM_BACKUP_SCRYPT_LOG2N = 14  # the floor: tests need the format, not the cost
    clear_key_cache()
    yield
    clear_key_cache()
    forget_derived_keys()
    forget_keyring()


@pytest.fixture
def own_keyring(settings, tmp_path):
    """A keyring of this test's own (a file under tmp_path), so a test can rotate, retire or swap it."""
    settings.RECORDROOM_VAULT_KEYRING_PATH = tmp_path / "keys" / "vault-keyring.json"
    forget_keyring()
    forget_derived_keys()
    return settings.RECORDROOM_VAULT_KEYRING_PATH
