"""vault.keyring: the key file, its permissions, versions, and clear errors for lost or wrong keys."""

from __future__ import annotations

import json
import stat

import pytest

from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.keyring import FileKeyring, get_keyring, reload_keyring


def test_first_use_in_test_generates_an_owner_only_keyring(own_keyring):
    keyring = get_keyring()
    assert own_keyring.exists()
    assert stat.S_IMODE(own_keyring.stat().st_mode) == 0o600
    data = json.loads(own_keyring.read_text())
    assert data["format"] == "recordroom-keyring/1"
    assert data["active"] == 1
    assert keyring.versions() == {1: None}
    assert reload_keyring().keyring_id == keyring.keyring_id


def test_missing_keyring_outside_dev_and_test_is_a_clear_error(own_keyring, settings):
    settings.RECORDROOM_ENV = "production"
    with pytest.raises(VaultError) as caught:
        reload_keyring()
    assert caught.value.code is VaultErrorCode.KEYRING_MISSING
    assert "recordroom keys init" in str(caught.value)
    assert not own_keyring.exists()


def test_keyring_readable_by_others_is_refused(own_keyring):
    get_keyring()
    own_keyring.chmod(0o644)
    with pytest.raises(VaultError) as caught:
        reload_keyring()
    assert caught.value.code is VaultErrorCode.KEYRING_PERMISSIONS


@pytest.mark.parametrize(
    "content",
    [b"not json", b"{}", json.dumps({"format": "recordroom-keyring/1", "active": 1}).encode()],
)
def test_malformed_keyring_is_refused(own_keyring, content):
    own_keyring.parent.mkdir(parents=True, exist_ok=True)
    own_keyring.write_bytes(content)
    own_keyring.chmod(0o600)
    with pytest.raises(VaultError) as caught:
        reload_keyring()
    assert caught.value.code is VaultErrorCode.KEYRING_INVALID


def test_keyring_from_the_environment_is_read_only(own_keyring, monkeypatch):
    exported = FileKeyring.generate(None).export()
    monkeypatch.setenv("RECORDROOM_VAULT_KEYRING", exported.decode())
    keyring = reload_keyring()
    assert keyring.keyring_id == json.loads(exported)["keyring_id"]
    assert not own_keyring.exists()
    with pytest.raises(VaultError) as caught:
        keyring.add_version()
    assert caught.value.code is VaultErrorCode.KEYRING_PERMISSIONS
    assert keyring.active_version == 1


def test_new_version_becomes_active_and_old_stays_usable(own_keyring):
    keyring = get_keyring()
    _, wrapped = keyring.wrap(b"k" * 32, b"aad")
    assert keyring.add_version() == 2
    assert keyring.active_version == 2
    assert keyring.unwrap(1, wrapped, b"aad") == b"k" * 32
    assert reload_keyring().active_version == 2


def test_retired_version_is_erased_and_named(own_keyring):
    keyring = get_keyring()
    _, wrapped = keyring.wrap(b"k" * 32, b"aad")
    keyring.add_version()
    keyring.retire(1)
    assert "key" not in json.loads(own_keyring.read_text())["versions"]["1"]
    with pytest.raises(VaultError) as caught:
        reload_keyring().unwrap(1, wrapped, b"aad")
    assert caught.value.code is VaultErrorCode.KEY_VERSION_RETIRED


def test_active_version_cannot_be_retired(own_keyring):
    keyring = get_keyring()
    with pytest.raises(VaultError) as caught:
        keyring.retire(1)
    assert caught.value.code is VaultErrorCode.RETIRE_REFUSED
    assert keyring.versions() == {1: None}


def test_unknown_version_and_wrong_key_are_named(own_keyring):
    keyring = get_keyring()
    _, wrapped = keyring.wrap(b"k" * 32, b"aad")
    with pytest.raises(VaultError) as unknown:
        keyring.unwrap(7, wrapped, b"aad")
    assert unknown.value.code is VaultErrorCode.UNKNOWN_KEY_VERSION
    other = FileKeyring.generate(None)
    with pytest.raises(VaultError) as wrong:
        other.unwrap(1, wrapped, b"aad")
    assert wrong.value.code is VaultErrorCode.WRONG_KEY
