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
from recordroom.patients.codes import IdentifierType, MergeKind
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
    # Sealed codes (patients/codes.py): gender identity (a sensitive attribute, so not in the clear),
    # preferred language (BCP 47), race and ethnicity (lists of CDC Race & Ethnicity codes).
    gender_identity = EncryptedTextField(null=True, blank=True)
    preferred_language = EncryptedTextField(null=True, blank=True)
    race = EncryptedJSONField(null=True, blank=True)
    ethnicity = EncryptedJSONField(null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=PatientStatus.choices, default=PatientStatus.ACTIVE)
    restrictions = models.JSONField(default=list, blank=True)
    # A merged record names the record that replaced it (nothing is deleted; AHIMA MPI guidance).
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Who registered the record: a clerk who flagged it restricted keeps a time-boxed access to it
    # (services/registration.py, ``registering_clerk`` relationship).
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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


class PatientAddress(TimeStampedModel):
    """One address a patient lived at, from ``valid_from`` to ``valid_to`` (open = current): the address
    history. Sealed under the patient's data key (``vault_subject`` copies the patient's), dates included
    (dates of residence are PHI, 164.514(b)(2)(i)(C))."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="addresses")
    vault_subject = models.UUIDField(editable=False, db_index=True)
    address = EncryptedJSONField()
    valid_from = EncryptedDateField(null=True, blank=True)
    valid_to = EncryptedDateField(null=True, blank=True)
    current = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"address {self.public_id}"


class PatientIdentifier(TimeStampedModel):
    """An identifier another authority assigned (HL7 v2 CX: value, assigning authority CX.4, identifier
    type code CX.5 from HL7 table 0203). The value is sealed; its blind index finds it exactly, and one
    authority's value belongs to one record."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="identifiers")
    vault_subject = models.UUIDField(editable=False, db_index=True)
    authority = models.CharField(max_length=64)
    type_code = models.CharField(max_length=8, choices=IdentifierType.choices)
    value = EncryptedTextField()
    value_index = BlindIndexField(source="value", kind=IndexKind.MEMBER_ID)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "value_index"], name="patients_identifier_unique")]

    def __str__(self) -> str:
        return f"identifier {self.public_id}"


class PatientRevision(TimeStampedModel):
    """The values a demographics update replaced, sealed under the patient's key (the amendment trail of
    the MPI; AHIMA "Fundamentals for Building a Master Patient Index"). ``fields`` names what changed."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="revisions")
    vault_subject = models.UUIDField(editable=False, db_index=True)
    fields = models.JSONField(default=list)
    previous = EncryptedJSONField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"revision {self.public_id}"


class PatientMerge(TimeStampedModel):
    """A merge (``retired`` into ``survivor``) or an overlay split (rows of ``survivor`` moved to the new
    record ``retired``), with every moved row in :class:`PatientMergeMove`, so it can be undone exactly.
    The reason is free text and sealed under the row's own key."""

    kind = models.CharField(max_length=8, choices=MergeKind.choices, default=MergeKind.MERGE)
    survivor = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    retired = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(subject_field="public_id")
    merged_at = models.DateTimeField()
    # The duplicate-queue pair's decision before the merge (codes and ids only), restored by an unmerge.
    pair_before = models.JSONField(default=dict, blank=True)
    # The survivor's restriction codes before a merge added the retired record's (restored by an unmerge).
    restrictions_before = models.JSONField(default=list, blank=True)
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerge_reason = EncryptedTextField(subject_field="public_id", null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["survivor", "merged_at"], name="patients_merge_survivor")]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"

    @property
    def undone(self) -> bool:
        return self.unmerged_at is not None


class PatientMergeMove(models.Model):
    """One row a merge or split moved: which model, which row (primary key), which field named the patient."""

    merge = models.ForeignKey(PatientMerge, on_delete=models.PROTECT, related_name="moves")
    model_label = models.CharField(max_length=100)
    row_pk = models.CharField(max_length=64)
    field = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["model_label", "row_pk"], name="patients_merge_move_row")]

    def __str__(self) -> str:
        return f"{self.model_label}#{self.row_pk}"
