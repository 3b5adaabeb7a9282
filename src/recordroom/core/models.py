"""Abstract base for Recordroom models (STYLE R8): an internal integer key, a public UUID used in URLs
and APIs, and creation/update times."""

from __future__ import annotations

import uuid

from django.db import models

from recordroom.core import clock


class TimeStampedModel(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        abstract = True
