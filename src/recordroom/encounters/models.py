"""Units, beds, encounters and their ADT (admit, discharge, transfer) history.

The ADT events are the source of truth for where a patient was and when (census); an encounter's
status, discharge time and current bed are derived from them and stored for speed. Corrections are
events that cancel an earlier one, never edits: ``AdtEvent`` accepts inserts only (like the audit trail).
Licensed and staffed bed counts with effective dates feed the occupancy statistics (AHIMA, *Basic
Healthcare Statistics for Health Information Management Professionals*: bed count, bed count days and bed
occupancy rate); a unit's counts over time are its ``UnitCapacity`` periods.

Diagnoses and procedures *as reported by a source system* (FHIR Condition/Procedure, HL7 v2 DG1/PR1, the
synthetic hospital) are ``ReportedCondition`` and ``ReportedProcedure``: the code in the clear (a code is
not an identifier, and the disease and procedure indices query by it), the source's display text sealed
by the vault under the patient's data key. They are not the coder's final codes (the coding issue).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models

from recordroom.core import clock
from recordroom.core.models import TimeStampedModel
from recordroom.encounters.codes import (
    AdmitSource,
    AdmitType,
    DischargeDisposition,
    EncounterClass,
    ExpectedPayer,
    UnitKind,
)
from recordroom.vault.fields import EncryptedTextField


class Unit(models.Model):
    """A nursing unit. ``licensed_beds``/``staffed_beds`` are the counts of its latest capacity period
    (the one without an end), kept by the capacity services; the history, which occupancy statistics use,
    is in :class:`UnitCapacity` (``encounters.services.capacity.bed_count_on``)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=UnitKind.choices)
    licensed_beds = models.PositiveIntegerField()
    staffed_beds = models.PositiveIntegerField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code

    def in_effect_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class UnitCapacity(models.Model):
    """The licensed and staffed bed counts of a unit from ``effective_from`` to ``effective_to``
    (inclusive; open-ended when null). A unit's periods do not overlap: a change from a date ends the
    period in effect the day before (AHIMA bed count: the number of beds set up and staffed, or licensed,
    on a given day; bed count days sum it over a period)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="capacities")
    licensed_beds = models.PositiveIntegerField()
    staffed_beds = models.PositiveIntegerField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="encounters_capacity_unique_start"),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="encounters_capacity_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(staffed_beds__lte=models.F("licensed_beds")),
                name="encounters_capacity_staffed_within_licensed",
            ),
        ]
        ordering = ["unit", "effective_from"]

    def __str__(self) -> str:
        return f"{self.unit.code} capacity from {self.effective_from}"

    def in_effect_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class Bed(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="beds")
    code = models.CharField(max_length=16)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="encounters_bed_unique_code")]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.code}"


class EncounterStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"
    CANCELLED = "cancelled", "Cancelled"


class Encounter(TimeStampedModel):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveBigIntegerField(unique=True)
    encounter_class = models.CharField(max_length=16, choices=EncounterClass.choices)
    admit_type = models.CharField(max_length=1, choices=AdmitType.choices)
    admit_source = models.CharField(max_length=1, choices=AdmitSource.choices)
    admitted_at = models.DateTimeField()
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharge_disposition = models.CharField(max_length=2, choices=DischargeDisposition.choices, blank=True)
    attending = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consulting = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    expected_payer = models.CharField(max_length=16, choices=ExpectedPayer.choices)
    current_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    current_bed = models.ForeignKey(Bed, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=EncounterStatus.choices, default=EncounterStatus.ACTIVE)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "admitted_at"], name="encounters_patient_admitted"),
            models.Index(fields=["attending", "admitted_at"], name="encounters_attending_admitted"),
            models.Index(fields=["admitted_at"], name="encounters_admitted"),
        ]

    def __str__(self) -> str:
        return f"encounter {self.public_id}"

    def is_open(self) -> bool:
        return self.status == EncounterStatus.ACTIVE


class EncounterCounter(models.Model):
    """The last encounter number handed out; one row, locked while an admission allocates the next."""

    last_number = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"encounter counter at {self.last_number}"


class AdtKind(models.TextChoices):
    ADMIT = "admit", "Admit"
    TRANSFER = "transfer", "Transfer"
    DISCHARGE = "discharge", "Discharge"
    CANCEL_ADMIT = "cancel_admit", "Cancel admit"
    CANCEL_TRANSFER = "cancel_transfer", "Cancel transfer"
    CANCEL_DISCHARGE = "cancel_discharge", "Cancel discharge"


MOVEMENT_KINDS = (AdtKind.ADMIT, AdtKind.TRANSFER, AdtKind.DISCHARGE)
CANCEL_KIND_FOR = {
    AdtKind.ADMIT: AdtKind.CANCEL_ADMIT,
    AdtKind.TRANSFER: AdtKind.CANCEL_TRANSFER,
    AdtKind.DISCHARGE: AdtKind.CANCEL_DISCHARGE,
}


class AdtEventQuerySet(models.QuerySet["AdtEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("ADT events are never edited; record a cancelling event instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("ADT events are never deleted; record a cancelling event instead")


class AdtEvent(models.Model):
    """One movement or correction, append-only. ``cancels`` points a cancel event at the movement it
    undoes; ``bed``/``unit`` are where the patient is from ``effective_at`` (admit, transfer) or was
    (discharge)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=AdtKind.choices)
    effective_at = models.DateTimeField()
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bed = models.ForeignKey(Bed, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    disposition = models.CharField(max_length=2, choices=DischargeDisposition.choices, blank=True)
    cancels = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="cancelled_by")
    reason_code = models.CharField(max_length=32, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = AdtEventQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["encounter", "effective_at"], name="encounters_adt_enc_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("ADT events are never edited; record a cancelling event instead")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("ADT events are never deleted; record a cancelling event instead")

    def is_movement(self) -> bool:
        return self.kind in MOVEMENT_KINDS


class CodeSystem(models.TextChoices):
    """The code system of a reported diagnosis or procedure (short codes; FHIR system URIs map to them)."""

    ICD10CM = "icd10cm", "ICD-10-CM"
    ICD10PCS = "icd10pcs", "ICD-10-PCS"
    SNOMED = "snomed", "SNOMED CT"
    CPT = "cpt", "CPT"
    HCPCS = "hcpcs", "HCPCS Level II"
    LOINC = "loinc", "LOINC"
    OTHER = "other", "Other"


class ReportedSource(models.TextChoices):
    """Where a reported diagnosis or procedure came from."""

    FHIR = "fhir", "FHIR import"
    HL7V2 = "hl7v2", "HL7 v2 message"
    SYNTHETIC = "synthetic", "Synthetic hospital"
    MANUAL = "manual", "Entered by hand"


class ConditionClinicalStatus(models.TextChoices):
    """FHIR R4 condition-clinical value set."""

    ACTIVE = "active", "Active"
    RECURRENCE = "recurrence", "Recurrence"
    RELAPSE = "relapse", "Relapse"
    INACTIVE = "inactive", "Inactive"
    REMISSION = "remission", "Remission"
    RESOLVED = "resolved", "Resolved"


class ConditionVerificationStatus(models.TextChoices):
    """FHIR R4 condition-ver-status value set."""

    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    PROVISIONAL = "provisional", "Provisional"
    DIFFERENTIAL = "differential", "Differential"
    CONFIRMED = "confirmed", "Confirmed"
    REFUTED = "refuted", "Refuted"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class ProcedureStatus(models.TextChoices):
    """FHIR R4 event-status value set (Procedure.status)."""

    PREPARATION = "preparation", "Preparation"
    IN_PROGRESS = "in-progress", "In progress"
    NOT_DONE = "not-done", "Not done"
    ON_HOLD = "on-hold", "On hold"
    STOPPED = "stopped", "Stopped"
    COMPLETED = "completed", "Completed"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"
    UNKNOWN = "unknown", "Unknown"


class ReportedCode(TimeStampedModel):
    """What a reported diagnosis and a reported procedure share. ``vault_subject`` is the data key of the
    patient the row was recorded for (it seals ``display``; a merge moves ``patient`` and keeps the key,
    which stays the retired record's until that record is shredded). ``source`` + ``source_key`` identify
    the row in its source system so a re-import finds it instead of adding a second one."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    encounter = models.ForeignKey(Encounter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    vault_subject = models.UUIDField(editable=False)
    code_system = models.CharField(max_length=16, choices=CodeSystem.choices)
    code = models.CharField(max_length=32)
    display = EncryptedTextField(blank=True)
    recorded_at = models.DateTimeField(default=clock.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=ReportedSource.choices)
    source_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 NULL: no key, no uniqueness

    class Meta:
        abstract = True


class ReportedCondition(ReportedCode):
    """A diagnosis as a source system reported it (FHIR Condition, HL7 v2 DG1)."""

    onset_at = models.DateTimeField(null=True, blank=True)
    clinical_status = models.CharField(max_length=16, choices=ConditionClinicalStatus.choices, blank=True)
    verification_status = models.CharField(max_length=16, choices=ConditionVerificationStatus.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_key"], name="encounters_condition_source_unique")
        ]
        indexes = [
            models.Index(fields=["code_system", "code"], name="encounters_condition_code"),
            models.Index(fields=["patient", "onset_at"], name="encounters_condition_patient"),
        ]

    def __str__(self) -> str:
        return f"reported condition {self.public_id}"


class ReportedProcedure(ReportedCode):
    """A procedure as a source system reported it (FHIR Procedure, HL7 v2 PR1)."""

    performed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ProcedureStatus.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_key"], name="encounters_procedure_source_unique")
        ]
        indexes = [
            models.Index(fields=["code_system", "code"], name="encounters_procedure_code"),
            models.Index(fields=["patient", "performed_at"], name="encounters_procedure_patient"),
        ]

    def __str__(self) -> str:
        return f"reported procedure {self.public_id}"
