"""Units, beds, encounters and their ADT (admit, discharge, transfer) history.

The ADT events are the source of truth for where a patient was and when (census); an encounter's
status, discharge time and current bed are derived from them and stored for speed. Corrections are
events that cancel an earlier one, never edits: ``AdtEvent`` accepts inserts only (like the audit trail).
Licensed and staffed bed counts with effective dates feed the occupancy statistics (AHIMA, *Basic
Healthcare Statistics for Health Information Management Professionals*: bed count and bed occupancy rate).
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


class Unit(models.Model):
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
        indexes = [models.Index(fields=["patient", "admitted_at"], name="encounters_patient_admitted")]

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
