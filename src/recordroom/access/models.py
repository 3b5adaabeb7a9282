"""Emergency access windows and per-user grants to restricted records."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from recordroom.core import clock
from recordroom.core.models import TimeStampedModel
from recordroom.core.vocabulary import Restriction
from recordroom.vault.fields import EncryptedTextField

RESTRICTION_CHOICES = [(r.value, r.value) for r in Restriction]


class EmergencyAccess(TimeStampedModel):
    """A break-the-glass window (HIPAA 164.312(a)(2)(ii); ONC 170.315(d)(6)): one user, one patient, a
    stated reason, a fixed end. The privacy officer reviews every one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient_id = models.BigIntegerField(db_index=True)
    # Free text can name people and conditions: sealed by the vault, with this window as its own subject.
    reason = EncryptedTextField(subject_field="public_id")
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_finding = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=("user", "patient_id", "expires_at")),)

    def __str__(self) -> str:
        return f"emergency access {self.public_id}"

    def is_open(self) -> bool:
        return self.ended_at is None and self.expires_at > clock.now()


class RestrictionGrant(TimeStampedModel):
    """An explicit grant letting one user past one restriction, for one patient or all, until a date."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="restriction_grants")
    restriction = models.CharField(max_length=32, choices=RESTRICTION_CHOICES)
    patient_id = models.BigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(subject_field="public_id")

    def __str__(self) -> str:
        return f"{self.restriction} grant {self.public_id}"
