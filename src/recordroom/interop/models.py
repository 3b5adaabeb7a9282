"""The interop app's tables: the runs of the synthetic hospital and the map from imported FHIR resources
to the records they became.

``ImportedResource`` keys a source resource by a SHA-256 digest of (source system, resource type, resource
id), so a re-import finds what the first import created instead of adding it again, and the table holds no
source identifier in the clear (a resource id can be a patient's identifier in some systems).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from recordroom.core import clock
from recordroom.core.models import TimeStampedModel


class SyntheticRun(TimeStampedModel):
    """One ``recordroom synth`` run: its seed and what it made (counts only). A database holds at most one
    synthetic hospital (its units and beds); a second run is refused."""

    seed = models.BigIntegerField()
    patients = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"synthetic run {self.public_id} (seed {self.seed})"


class TargetKind(models.TextChoices):
    PATIENT = "patient", "Patient"
    ENCOUNTER = "encounter", "Encounter"
    CONDITION = "condition", "Reported condition"
    PROCEDURE = "procedure", "Reported procedure"
    DOCUMENT = "document", "Document"


class ImportedResource(models.Model):
    """A FHIR resource already imported: ``key`` = sha256(source | type | id), ``target_id`` the public id
    of the record it became."""

    key = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=64)
    resource_type = models.CharField(max_length=32)
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    target_id = models.UUIDField()
    imported_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["target_kind", "target_id"], name="interop_imported_target")]

    def __str__(self) -> str:
        return f"imported {self.resource_type} -> {self.target_kind} {self.target_id}"
