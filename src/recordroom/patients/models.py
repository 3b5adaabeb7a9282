"""The master patient index: one row per person, direct identifiers sealed by the vault.

Encrypted (HIPAA 164.312(a)(2)(iv); docs/security/encryption.md): names, date of birth, MRN, SSN,
phone, e-mail, address and date of death. In the clear: administrative sex and year of birth (kept by
the Safe Harbor method, 164.514(b)(2)(i)(C)), status, and the restriction codes, which the access policy
must read before anything sealed is opened. Lookups go through blind indexes (MRN, SSN, DOB) and the
vault's name-search tokens (scope :data:`NAME_SCOPE`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from recordroom.core.models import TimeStampedModel
from recordroom.core.vocabulary import Restriction
from recordroom.vault.blind_index import IndexKind
from recordroom.vault.fields import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
    VaultSubjectField,
)

NAME_SCOPE = "patients.patient.name"
# Record-level protections a patient row may carry (facility policy); document-type restrictions such as
# Part 2 belong to documents, not to the person.
PATIENT_RESTRICTIONS = (Restriction.VIP, Restriction.EMPLOYEE, Restriction.CONFIDENTIAL)


class AdministrativeSex(models.TextChoices):
    """FHIR R4 AdministrativeGender (administrative-gender value set), as one-letter codes."""

    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "O", "Other"
    UNKNOWN = "U", "Unknown"


class PatientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    MERGED = "merged", "Merged"
    INACTIVE = "inactive", "Inactive"


class Patient(TimeStampedModel):
    vault_subject = VaultSubjectField()
    given_name = EncryptedTextField()
    family_name = EncryptedTextField()
    middle_name = EncryptedTextField(null=True, blank=True)
    preferred_name = EncryptedTextField(null=True, blank=True)
    date_of_birth = EncryptedDateField()
    mrn = EncryptedTextField()
    ssn = EncryptedTextField(null=True, blank=True)
    phone = EncryptedTextField(null=True, blank=True)
    email = EncryptedTextField(null=True, blank=True)
    address = EncryptedJSONField(null=True, blank=True)
    deceased_date = EncryptedDateField(null=True, blank=True)
    administrative_sex = models.CharField(max_length=1, choices=AdministrativeSex.choices)
    birth_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=PatientStatus.choices, default=PatientStatus.ACTIVE)
    restrictions = models.JSONField(default=list, blank=True)
    mrn_index = BlindIndexField(source="mrn", kind=IndexKind.MRN)
    ssn_index = BlindIndexField(source="ssn", kind=IndexKind.SSN)
    dob_index = BlindIndexField(source="date_of_birth", kind=IndexKind.DOB)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mrn_index"], name="patients_patient_mrn_unique")]
        indexes = [models.Index(fields=["status"], name="patients_patient_status")]

    def __str__(self) -> str:
        return f"patient {self.public_id}"

    def restriction_set(self) -> frozenset[Restriction]:
        return frozenset(Restriction(code) for code in self.restrictions or ())

    def is_restricted(self) -> bool:
        return bool(self.restrictions)


class MrnCounter(models.Model):
    """The last MRN number handed out; one row, locked while a registration allocates the next number."""

    last_number = models.BigIntegerField()

    def __str__(self) -> str:
        return f"MRN counter at {self.last_number}"


class DuplicateRun(TimeStampedModel):
    """One batch of probabilistic duplicate detection (``recordroom mpi find-duplicates``).

    ``model_summary`` keeps the fitted Fellegi-Sunter parameters (m and u probabilities per comparison
    level, the prior) and the blocking rules, never a patient's value, so a reviewer can see why a pair
    scored as it did (Fellegi and Sunter, "A Theory for Record Linkage", JASA 64 (1969) 1183-1210).
    """

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=32)
    threshold = models.FloatField()
    patients_scanned = models.PositiveIntegerField(default=0)
    pairs_scored = models.PositiveBigIntegerField(default=0)
    pairs_queued = models.PositiveIntegerField(default=0)
    model_summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"duplicate run {self.public_id}"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", "Open"
    NOT_DUPLICATE = "not_duplicate", "Not a duplicate"
    MERGED = "merged", "Merged"


class DuplicatePair(TimeStampedModel):
    """A candidate pair in the HIM clerk's review queue; ``left`` has the lower primary key.

    ``evidence`` lists, per compared attribute, the agreement level and its match weight (log2 Bayes
    factor) — labels and numbers only, never the compared values, which the review screen unseals from the
    two records when an authorized reviewer opens the pair. A pair marked ``not_duplicate`` stays marked:
    later runs update its score but never reopen it.
    """

    left = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(DuplicateRun, on_delete=models.PROTECT, related_name="pairs")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="patients_duplicate_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="patients_duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-match_probability"], name="patients_duplicate_queue")]

    def __str__(self) -> str:
        return f"duplicate pair {self.public_id}"
