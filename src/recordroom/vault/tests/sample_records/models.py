"""Synthetic patients and documents stored the way the patients and documents apps will store them:
direct identifiers and free text sealed, blind indexes for lookup, coded data (birth year) in the clear."""

from __future__ import annotations

from django.db import models

from recordroom.core.models import TimeStampedModel
from recordroom.vault.blind_index import IndexKind
from recordroom.vault.fields import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
    VaultSubjectField,
)


class SamplePatient(TimeStampedModel):
    vault_subject = VaultSubjectField()
    given_name = EncryptedTextField()
    family_name = EncryptedTextField()
    date_of_birth = EncryptedDateField(null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    ssn = EncryptedTextField(null=True, blank=True)
    mrn = EncryptedTextField()
    phone = EncryptedTextField(null=True, blank=True)
    address = EncryptedTextField(null=True, blank=True)
    insurance = EncryptedJSONField(null=True, blank=True)
    mrn_index = BlindIndexField(source="mrn", kind=IndexKind.MRN)
    ssn_index = BlindIndexField(source="ssn", kind=IndexKind.SSN)
    dob_index = BlindIndexField(source="date_of_birth", kind=IndexKind.DOB)

    def __str__(self) -> str:
        return f"sample patient {self.public_id}"


class SampleDocument(TimeStampedModel):
    patient = models.ForeignKey(SamplePatient, on_delete=models.PROTECT, related_name="documents")
    vault_subject = models.UUIDField(editable=False)
    title = EncryptedTextField()
    note = EncryptedTextField(blank=True)
    blob_address = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"sample document {self.public_id}"
