"""vault.fields: encrypted columns hold no plaintext, open on access, and refuse plaintext in SQL."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction

from recordroom.vault.blind_index import IndexKind, blind_index
from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.fields import Sealed
from recordroom.vault.tests.factories import make_patient
from recordroom.vault.tests.sample_records.models import SamplePatient

pytestmark = pytest.mark.django_db


def _row(patient):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM sample_records_samplepatient WHERE id = %s", [patient.pk])
        return [bytes(v) if isinstance(v, memoryview) else v for v in cursor.fetchone()]


def test_every_identifier_is_stored_sealed_and_read_back():
    patient = make_patient(
        given_name="Marguerite",
        family_name="Okonkwo-Lindqvist",
        ssn="123-45-6789",
        mrn="MRN-55501",
        phone="+1 555 0100",
        address="12 Elm Street, Springfield",
        date_of_birth=date(1961, 7, 4),
        insurance={"member_id": "ZX99887766"},
    )
    stored = repr(_row(patient))
    for plain in ("Marguerite", "Okonkwo", "123-45-6789", "MRN-55501", "0100", "Elm Street", "1961-07-04", "ZX998"):
        assert plain not in stored
    again = SamplePatient.objects.get(pk=patient.pk)
    assert again.given_name == "Marguerite"
    assert again.family_name == "Okonkwo-Lindqvist"
    assert again.ssn == "123-45-6789"
    assert again.date_of_birth == date(1961, 7, 4)
    assert again.insurance == {"member_id": "ZX99887766"}
    assert again.birth_year == 1961


def test_lookup_by_blind_index():
    make_patient(mrn="A-0001")
    wanted = make_patient(mrn="A-0002", ssn="222-33-4444", date_of_birth=date(1990, 2, 3))
    assert SamplePatient.objects.get(mrn_index=blind_index(IndexKind.MRN, "a 0002")).pk == wanted.pk
    assert SamplePatient.objects.get(ssn_index=blind_index(IndexKind.SSN, "222334444")).pk == wanted.pk
    assert SamplePatient.objects.get(dob_index=blind_index(IndexKind.DOB, "1990-02-03")).pk == wanted.pk


def test_changed_value_is_resealed_and_reindexed():
    patient = make_patient(mrn="OLD-1")
    patient.mrn = "NEW-2"
    patient.save()
    assert not SamplePatient.objects.filter(mrn_index=blind_index(IndexKind.MRN, "OLD-1")).exists()
    assert SamplePatient.objects.get(mrn_index=blind_index(IndexKind.MRN, "NEW-2")).mrn == "NEW-2"


def test_unchanged_row_saves_without_reencrypting():
    patient = make_patient()
    loaded = SamplePatient.objects.get(pk=patient.pk)
    before = _row(loaded)
    loaded.birth_year = 1999
    loaded.save()
    after = _row(loaded)
    columns = [
        c.name
        for c in connection.introspection.get_table_description(connection.cursor(), "sample_records_samplepatient")
    ]
    changed = {columns[i] for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
    assert changed == {"birth_year"}


def test_null_stays_null():
    patient = make_patient(ssn=None, phone=None, date_of_birth=None)
    again = SamplePatient.objects.get(pk=patient.pk)
    assert (again.ssn, again.phone, again.date_of_birth, again.ssn_index) == (None, None, None, None)


@pytest.mark.parametrize(
    "query",
    [
        lambda: SamplePatient.objects.filter(family_name="Smith").count(),
        lambda: SamplePatient.objects.update(family_name="Smith"),
        lambda: SamplePatient.objects.bulk_update(list(SamplePatient.objects.all()), ["family_name"]),
    ],
)
def test_plaintext_in_sql_is_refused_and_changes_nothing(query):
    patient = make_patient(family_name="Original")
    patient_row = _row(patient)
    patient.family_name = "Changed"
    with pytest.raises(VaultError) as caught, transaction.atomic():
        query()
    assert caught.value.code is VaultErrorCode.PLAINTEXT_QUERY_REFUSED
    assert "Smith" not in str(caught.value)
    assert _row(patient) == patient_row


def test_values_gives_sealed_bytes_not_plaintext():
    make_patient(family_name="Quietly")
    value = SamplePatient.objects.values_list("family_name", flat=True).get()
    assert isinstance(value, Sealed)
    assert bytes(value).find(b"Quietly") == -1
    assert repr(value).startswith("<Sealed ")


def test_truncated_column_value_is_named():
    patient = make_patient()
    sealed = _row(patient)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sample_records_samplepatient SET ssn = %s WHERE id = %s", [b"\x01abc", patient.pk])
    with pytest.raises(VaultError) as caught:
        _ = SamplePatient.objects.get(pk=patient.pk).ssn
    assert caught.value.code is VaultErrorCode.CIPHERTEXT_TRUNCATED
    assert SamplePatient.objects.get(pk=patient.pk).family_name is not None
    assert len(sealed) == len(_row(patient))


def test_wrong_type_is_refused_before_anything_is_written():
    with pytest.raises(TypeError), transaction.atomic():
        make_patient(date_of_birth="1970-01-01", birth_year=1970)
    assert SamplePatient.objects.count() == 0
