"""`recordroom keys` and `recordroom backup`: thin commands with --json and named failures."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from recordroom.core.management.base import CommandFailed
from recordroom.vault.tests.factories import make_patient

PASSPHRASE = "a long synthetic passphrase"


def _json(*args, **options):
    out = StringIO()
    call_command(*args, json=True, stdout=out, **options)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_keys_status_rotate_and_retire(own_keyring):
    make_patient()
    assert _json("keys", "status")["active_version"] == 1
    rotated = _json("keys", "rotate")
    assert (rotated["ok"], rotated["new_version"], rotated["rewrapped"]) == (True, 2, 1)
    assert _json("keys", "retire", "1")["retired"] == 1
    versions = _json("keys", "status")["versions"]
    assert [(v["version"], v["data_keys"], v["retired_at"] is not None) for v in versions] == [
        (1, 0, True),
        (2, 1, False),
    ]


@pytest.mark.django_db
def test_keys_retire_in_use_fails_with_the_reason(own_keyring):
    make_patient()
    call_command("keys", "rotate", stdout=StringIO())
    make_patient()
    with pytest.raises(CommandFailed, match="retire_refused"):
        call_command("keys", "retire", "2", stdout=StringIO())


@pytest.mark.django_db
def test_keys_init_writes_a_new_keyring_once(own_keyring):
    created = _json("keys", "init")
    assert own_keyring.exists()
    assert created["path"] == str(own_keyring)
    with pytest.raises(CommandFailed, match="already exists"):
        call_command("keys", "init", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_backup_create_and_verify(tmp_path, monkeypatch):
    make_patient()
    monkeypatch.setenv("RECORDROOM_BACKUP_PASSPHRASE", PASSPHRASE)
    made = _json("backup", "create", str(tmp_path))
    assert made["path"].startswith(str(tmp_path))
    assert made["row_counts"]["sample_records_samplepatient"] == 1
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n")
    monkeypatch.delenv("RECORDROOM_BACKUP_PASSPHRASE")
    verified = _json("backup", "verify", made["path"], passphrase_file=str(secret))
    assert verified["ok"] is True
    assert verified["documents"] == 0


@pytest.mark.django_db
def test_backup_without_a_passphrase_fails(tmp_path, monkeypatch):
    monkeypatch.delenv("RECORDROOM_BACKUP_PASSPHRASE", raising=False)
    with pytest.raises(CommandFailed, match="passphrase"):
        call_command("backup", "create", str(tmp_path), stdout=StringIO())
    assert list(tmp_path.iterdir()) == []
