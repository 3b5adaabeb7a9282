"""The bulk writer leaves the rows registration leaves: same sealed values, blind indexes, name tokens,
address history and identifiers, and MRNs from the same counter."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.interop.services.bulk import NewPatient, commit_data_keys, insert_patients
from recordroom.patients.models import Patient, PatientAddress, PatientIdentifier
from recordroom.patients.mrn import luhn_valid
from recordroom.patients.services.demographics import clean_demographics
from recordroom.patients.services.identifiers import clean_identifier
from recordroom.patients.tests.factories import make_patient
from recordroom.vault.models import DataKey, SearchToken

pytestmark = pytest.mark.django_db(transaction=True)
FIELDS: dict[str, Any] = {
    "given_name": "Zoë", "middle_name": "K", "family_name": "Núñez-O'Brien", "date_of_birth": date(1984, 2, 29),
    "administrative_sex": "F", "ssn": "219-09-9999", "phone": "(217) 555-0142", "email": "zoe@example.org",
    "address": {"line": "12 Calle Alegría", "city": "Springfield", "state": "IL", "postal_code": "62704"},
    "preferred_language": "es", "race": ["2106-3"], "ethnicity": ["2135-2"],
}  # fmt: skip


def _columns(patient: Patient) -> dict[str, object]:
    keep = ("given_name", "middle_name", "family_name", "date_of_birth", "administrative_sex", "ssn", "phone",
            "email", "address", "preferred_language", "race", "ethnicity", "birth_year", "status", "restrictions",
            "ssn_index", "dob_index")  # fmt: skip
    return {name: getattr(patient, name) for name in keep}


def test_bulk_rows_equal_the_registration_rows():
    clerk = make_user([Role.HIM_CLERK]).user
    registered = make_patient(actor=clerk, **FIELDS)
    row = NewPatient(data=clean_demographics(**FIELDS),
                     identifiers=[clean_identifier(authority="CLINIC", type_code="PI", value="C-100")])  # fmt: skip
    commit_data_keys([row.vault_subject])
    with transaction.atomic():
        [bulk] = insert_patients([row], registered_by=clerk, today=date(2026, 1, 5))
    stored = Patient.objects.get(pk=bulk.pk)
    again = Patient.objects.get(pk=registered.pk)
    assert _columns(stored) == _columns(again)
    assert stored.vault_subject != again.vault_subject
    assert DataKey.objects.filter(subject=stored.vault_subject).exists()
    assert luhn_valid(stored.mrn)
    assert stored.mrn != again.mrn
    assert stored.mrn_index != again.mrn_index

    def tokens(patient: Patient) -> set[tuple[str, bool]]:
        return set(SearchToken.objects.filter(row_id=patient.public_id).values_list("digest", "phonetic"))

    assert tokens(stored) == tokens(again)
    assert PatientAddress.objects.get(patient=stored).address == PatientAddress.objects.get(patient=again).address
    identifier = PatientIdentifier.objects.get(patient=stored)
    assert (identifier.authority, identifier.value) == ("CLINIC", "C-100")


def test_mrns_continue_the_registration_counter():
    clerk = make_user([Role.HIM_CLERK]).user
    first = make_patient(actor=clerk)
    rows = [NewPatient(data=clean_demographics(**{**FIELDS, "given_name": name})) for name in ("Ana", "Inés")]
    commit_data_keys([row.vault_subject for row in rows])
    with transaction.atomic():
        saved = insert_patients(rows, registered_by=clerk, today=date(2026, 1, 5))
    last = make_patient(actor=clerk)
    numbers = [int(p.mrn[:-1]) for p in (first, *saved, last)]
    assert numbers == list(range(numbers[0], numbers[0] + 4))
