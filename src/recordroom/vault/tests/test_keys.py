"""vault.services.keys: envelope encryption, rotation, retirement and crypto-shredding."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.keyring import FileKeyring, forget_keyring, get_keyring
from recordroom.vault.models import DataKey
from recordroom.vault.services import (
    clear_key_cache,
    create_data_keys,
    destroy_data_key,
    key_status,
    read_document,
    retire_key_version,
    rotate_keys,
    seal,
    unseal,
)
from recordroom.vault.tests.factories import make_document, make_patient
from recordroom.vault.tests.sample_records.models import SamplePatient

pytestmark = pytest.mark.django_db


def _raw(patient: SamplePatient, column: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM sample_records_samplepatient WHERE id = %s", [patient.pk])
        return bytes(cursor.fetchone()[0])


def test_seal_creates_one_wrapped_data_key_per_subject():
    subject = uuid.uuid4()
    first = seal(b"one", subject_id=subject, context="t.c|1")
    second = seal(b"two", subject_id=subject, context="t.c|2")
    key = DataKey.objects.get(subject=subject)
    assert key.kek_version == get_keyring().active_version
    assert len(bytes(key.wrapped or b"")) == 12 + 32 + 16
    assert unseal(first, subject_id=subject, context="t.c|1") == b"one"
    assert unseal(second, subject_id=subject, context="t.c|2") == b"two"
    assert DataKey.objects.count() == 1


def test_value_of_one_subject_does_not_open_as_another():
    alice, bob = uuid.uuid4(), uuid.uuid4()
    sealed = seal(b"alice", subject_id=alice, context="t.c|1")
    seal(b"bob", subject_id=bob, context="t.c|1")
    with pytest.raises(VaultError) as caught:
        unseal(sealed, subject_id=bob, context="t.c|1")
    assert caught.value.code is VaultErrorCode.CIPHERTEXT_TAMPERED


def test_unseal_without_a_data_key_is_named():
    with pytest.raises(VaultError) as caught:
        unseal(b"\x01" + b"\x00" * 40, subject_id=uuid.uuid4(), context="t.c|1")
    assert caught.value.code is VaultErrorCode.DATA_KEY_MISSING
    assert DataKey.objects.count() == 0


def test_ciphertext_swapped_between_rows_is_detected_and_changes_nothing():
    first, second = make_patient(family_name="Alpha"), make_patient(family_name="Beta")
    stolen = _raw(first, "family_name")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sample_records_samplepatient SET family_name = %s WHERE id = %s", [stolen, second.pk])
    with pytest.raises(VaultError) as caught:
        _ = SamplePatient.objects.get(pk=second.pk).family_name
    assert caught.value.code is VaultErrorCode.CIPHERTEXT_TAMPERED
    assert SamplePatient.objects.get(pk=first.pk).family_name == "Alpha"


def test_wrong_key_version_is_named(own_keyring):
    patient = make_patient()
    DataKey.objects.filter(subject=patient.vault_subject).update(kek_version=9)
    clear_key_cache()
    with pytest.raises(VaultError) as caught:
        _ = SamplePatient.objects.get(pk=patient.pk).family_name
    assert caught.value.code is VaultErrorCode.UNKNOWN_KEY_VERSION


def test_wrong_keyring_gives_a_clear_error_never_garbage(own_keyring):
    patient = make_patient(family_name="Gamma")
    own_keyring.unlink()
    FileKeyring.generate(own_keyring)
    forget_keyring()
    clear_key_cache()
    with pytest.raises(VaultError) as caught:
        _ = SamplePatient.objects.get(pk=patient.pk).family_name
    assert caught.value.code is VaultErrorCode.WRONG_KEY
    assert DataKey.objects.filter(subject=patient.vault_subject, wrapped__isnull=False).count() == 1


def test_rotation_rewraps_every_key_without_touching_data(own_keyring):
    patients = [make_patient(family_name=f"Rot{i}") for i in range(5)]
    before_data = [_raw(p, "family_name") for p in patients]
    before_keys = {k.subject: bytes(k.wrapped or b"") for k in DataKey.objects.all()}
    result = rotate_keys(batch_size=2)
    assert result.new_version == 2
    assert result.rewrapped == 5
    assert set(DataKey.objects.values_list("kek_version", flat=True)) == {2}
    assert all(bytes(k.wrapped or b"") != before_keys[k.subject] for k in DataKey.objects.all())
    assert [_raw(p, "family_name") for p in patients] == before_data
    clear_key_cache()
    forget_keyring()
    assert [SamplePatient.objects.get(pk=p.pk).family_name for p in patients] == [f"Rot{i}" for i in range(5)]


def test_retire_is_refused_while_a_key_uses_the_version(own_keyring):
    make_patient()
    get_keyring().add_version()
    with pytest.raises(VaultError) as caught:
        retire_key_version(1)
    assert caught.value.code is VaultErrorCode.RETIRE_REFUSED
    assert get_keyring().versions() == {1: None, 2: None}


def test_retire_after_rotation_erases_the_old_version(own_keyring):
    patient = make_patient(family_name="Delta")
    rotate_keys()
    retire_key_version(1)
    status = key_status()
    assert status["active_version"] == 2
    assert [v["data_keys"] for v in status["versions"]] == [0, 1]
    assert status["versions"][0]["retired_at"] is not None
    forget_keyring()
    clear_key_cache()
    assert SamplePatient.objects.get(pk=patient.pk).family_name == "Delta"


def test_crypto_shredding_makes_fields_and_documents_unrecoverable():
    doomed, kept = make_patient(family_name="Shred"), make_patient(family_name="Keep")
    document = make_document(doomed, note="narrative", body=b"scan of the chart")
    assert destroy_data_key(subject_id=doomed.vault_subject) is True
    row = DataKey.objects.get(subject=doomed.vault_subject)
    assert row.wrapped is None
    assert row.destroyed_at is not None
    for read in (
        lambda: SamplePatient.objects.get(pk=doomed.pk).family_name,
        lambda: SamplePatient.objects.get(pk=doomed.pk).ssn,
        lambda: type(document).objects.get(pk=document.pk).note,
        lambda: read_document(document.blob_address),
    ):
        with pytest.raises(VaultError) as caught:
            read()
        assert caught.value.code is VaultErrorCode.DATA_KEY_DESTROYED
    assert SamplePatient.objects.get(pk=kept.pk).family_name == "Keep"
    assert destroy_data_key(subject_id=doomed.vault_subject) is False


def test_rotation_leaves_destroyed_keys_destroyed(own_keyring):
    patient = make_patient()
    destroy_data_key(subject_id=patient.vault_subject)
    assert rotate_keys().rewrapped == 0
    assert DataKey.objects.get(subject=patient.vault_subject).wrapped is None


def test_bulk_created_keys_seal_like_single_ones():
    subjects = [uuid.uuid4() for _ in range(3)]
    assert create_data_keys(subjects) == 3
    sealed = seal(b"bulk", subject_id=subjects[1], context="t.c|1")
    assert DataKey.objects.count() == 3
    assert unseal(sealed, subject_id=subjects[1], context="t.c|1") == b"bulk"


def test_bulk_creation_with_an_existing_subject_creates_nothing():
    existing = make_patient().vault_subject
    with pytest.raises(IntegrityError), transaction.atomic():
        create_data_keys([uuid.uuid4(), existing])
    assert DataKey.objects.count() == 1
