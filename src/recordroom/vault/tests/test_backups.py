"""vault.services.backups: create, verify and restore; every kind of bad backup is named and nothing
half-restored is left behind (HIPAA 164.308(a)(7))."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.keyring import get_keyring
from recordroom.vault.models import DataKey
from recordroom.vault.services import create_backup, restore_backup, run_integrity_checks, verify_backup
from recordroom.vault.services.backups import scratch_dir
from recordroom.vault.services.documents import document_store
from recordroom.vault.tests.factories import make_document, make_patient
from recordroom.vault.tests.sample_records.models import SamplePatient

pytestmark = pytest.mark.django_db(transaction=True)

PASSPHRASE = "a long synthetic passphrase"


def passing_check():
    return True, "all good"


def failing_check():
    return False, "the chain is broken at entry 42"


def _leftovers() -> set[str]:
    return {p.name for p in scratch_dir().glob(".recordroom-*")}


@pytest.fixture
def archive(tmp_path):
    patient = make_patient(family_name="Backed")
    make_document(patient, note="kept safe", body=b"scanned page " * 1000)
    make_patient()
    return create_backup(tmp_path / "one.rrbackup", passphrase=PASSPHRASE)


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_backup_verifies_with_every_hash_count_and_check(archive, settings):
    settings.RECORDROOM_BACKUP_CHECKS = [f"{__name__}.passing_check"]
    before = _leftovers()
    result = verify_backup(archive.path, passphrase=PASSPHRASE)
    assert archive.path.stat().st_mode & 0o077 == 0
    assert result.documents == 1
    assert result.row_counts["sample_records_samplepatient"] == 2
    assert result.row_counts["vault_datakey"] == 2
    assert [c["name"] for c in result.checks] == ["vault.data_keys", "vault.blobs", f"{__name__}.passing_check"]
    assert all(c["ok"] for c in result.checks)
    assert _leftovers() == before


def test_backup_holds_no_plaintext(archive):
    data = archive.path.read_bytes()
    assert b"Backed" not in data
    assert b"scanned page" not in data
    assert get_keyring().keyring_id.encode() not in data


@pytest.mark.parametrize("where", ["header", "middle", "end"])
def test_one_flipped_byte_is_named_and_nothing_is_left(archive, where):
    size = archive.path.stat().st_size
    _flip(archive.path, {"header": 40, "middle": size // 2, "end": size - 3}[where])
    before = _leftovers()
    with pytest.raises(VaultError) as caught:
        verify_backup(archive.path, passphrase=PASSPHRASE)
    assert caught.value.code is VaultErrorCode.BACKUP_CORRUPT
    assert _leftovers() == before


def test_truncated_backup_is_named(archive):
    archive.path.write_bytes(archive.path.read_bytes()[: archive.size - 5000])
    with pytest.raises(VaultError) as caught:
        verify_backup(archive.path, passphrase=PASSPHRASE)
    assert caught.value.code is VaultErrorCode.BACKUP_CORRUPT


def test_wrong_passphrase_is_named(archive):
    with pytest.raises(VaultError) as caught:
        verify_backup(archive.path, passphrase="not the right passphrase")
    assert caught.value.code is VaultErrorCode.BACKUP_WRONG_KEY


def test_other_file_is_not_a_backup(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_bytes(b"hello, this is not a backup at all")
    with pytest.raises(VaultError) as caught:
        verify_backup(other, passphrase=PASSPHRASE)
    assert caught.value.code is VaultErrorCode.BACKUP_FORMAT


def test_short_passphrase_is_refused_before_writing(tmp_path):
    with pytest.raises(VaultError) as caught:
        create_backup(tmp_path / "x.rrbackup", passphrase="short")
    assert caught.value.code is VaultErrorCode.BACKUP_PASSPHRASE
    assert list(tmp_path.iterdir()) == []


def test_failing_integrity_check_fails_verification(archive, settings):
    settings.RECORDROOM_BACKUP_CHECKS = [f"{__name__}.failing_check"]
    with pytest.raises(VaultError) as caught:
        verify_backup(archive.path, passphrase=PASSPHRASE)
    assert caught.value.code is VaultErrorCode.BACKUP_CHECK_FAILED
    assert "the chain is broken at entry 42" in str(caught.value)


def test_blob_damaged_in_the_store_fails_the_live_check():
    patient = make_patient()
    document = make_document(patient, body=b"a page")
    path = document_store().path_for(document.blob_address)
    _flip(path, path.stat().st_size - 2)
    report = run_integrity_checks([])
    assert report["ok"] is False
    assert report["checks"][1]["name"] == "vault.blobs"
    assert document.blob_address in report["checks"][1]["message"]


def test_restore_into_a_machine_with_records_is_refused_and_changes_nothing(archive):
    make_patient(family_name="Newer")
    keys_before = DataKey.objects.count()
    with pytest.raises(VaultError) as caught:
        restore_backup(archive.path, passphrase=PASSPHRASE)
    assert caught.value.code is VaultErrorCode.RESTORE_REFUSED
    assert DataKey.objects.count() == keys_before
    assert SamplePatient.objects.count() == 3


def test_restore_with_the_wrong_key_is_named_and_changes_nothing(archive):
    keys_before = list(DataKey.objects.values_list("subject", "wrapped"))
    keyring_before = get_keyring().export()
    with pytest.raises(VaultError) as caught:
        restore_backup(archive.path, passphrase="the wrong passphrase!")
    assert caught.value.code is VaultErrorCode.BACKUP_WRONG_KEY
    assert list(DataKey.objects.values_list("subject", "wrapped")) == keys_before
    assert get_keyring().export() == keyring_before
