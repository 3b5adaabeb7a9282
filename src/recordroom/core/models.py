"""Abstract base for Recordroom models (STYLE R8): an internal integer key, a public UUID used in URLs
and APIs, and creation/update times."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.db import models

from recordroom.core import clock


class TimeStampedModel(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        abstract = True


def allocate_next_number(
    counter_model: type[models.Model], *, first: int, taken: Callable[[int], bool] | None = None
) -> int:
    """The next number from a one-row counter table (a ``last_number`` column), inside the caller's
    transaction: the row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE
    transactions already serialize writers), created at ``first - 1`` on first use, and numbers for which
    ``taken`` answers true (e.g. an imported legacy MRN) are skipped."""
    manager: Any = counter_model._default_manager
    counter = manager.select_for_update().order_by("pk").first()
    if counter is None:
        manager.get_or_create(pk=1, defaults={"last_number": first - 1})
        counter = manager.select_for_update().get(pk=1)
    counter.last_number += 1
    while taken is not None and taken(counter.last_number):
        counter.last_number += 1
    counter.save(update_fields=["last_number"])
    number: int = counter.last_number
    return number
