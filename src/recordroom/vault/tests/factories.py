"""Factories for the vault tests: synthetic patients and documents in the test-only sample app, stored
through the real encrypted fields and document store (STYLE R10)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from recordroom.vault.services import index_name, put_document
from recordroom.vault.tests.sample_records.models import SampleDocument, SamplePatient

NAME_SCOPE = "sample_records.samplepatient.name"
_counter = itertools.count(1)


def make_patient(**overrides: Any) -> SamplePatient:
    n = next(_counter)
    values: dict[str, Any] = {
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "mrn": f"MRN{n:07d}",
        "ssn": f"900{n:06d}",
        "date_of_birth": date(1970, 1, 1) + timedelta(days=n),
        "phone": f"555-01{n % 100:02d}",
        "address": f"{n} Synthetic Way, Testville",
        "insurance": {"payer": "Sample Health", "member_id": f"SH{n:08d}"},
    }
    values.update(overrides)
    if "birth_year" not in values and isinstance(values.get("date_of_birth"), date):
        values["birth_year"] = values["date_of_birth"].year
    patient = SamplePatient.objects.create(**values)
    index_name(scope=NAME_SCOPE, row_id=patient.public_id, names=[f"{patient.given_name} {patient.family_name}"])
    return patient


def make_document(
    patient: SamplePatient, *, title: str = "Progress note", note: str = "", body: bytes = b"%PDF-1.7 sample"
) -> SampleDocument:
    stored = put_document(body, subject_id=patient.vault_subject)
    return SampleDocument.objects.create(
        patient=patient,
        vault_subject=patient.vault_subject,
        title=title,
        note=note,
        blob_address=stored.address,
    )
