"""Reading one encounter, under the policy and audited as a read (HIPAA 164.312(b))."""

from __future__ import annotations

import uuid

from django.http import HttpRequest

from recordroom.access.decisions import Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.accounts.models import User
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.encounters.audit_events import EncounterEvent
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import Encounter
from recordroom.encounters.permissions import EncountersPermission
from recordroom.encounters.services.common import encounter_resource


def get_encounter(
    *, actor: User, purpose: Purpose | None, public_id: uuid.UUID | str, request: HttpRequest | None = None
) -> Encounter:
    """One encounter, recorded as ``encounters.viewed``. An unknown id is ``not_found`` only for someone
    allowed to read encounters at all; others get the recorded refusal."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        key = None
    query = Encounter.objects.select_related("patient", "attending", "current_unit", "current_bed")
    encounter = query.filter(public_id=key).first() if key is not None else None
    action = EncountersPermission.READ_ENCOUNTER.action
    if encounter is None:
        enforce(actor, action, Resource(ResourceType.ENCOUNTER), purpose, request=request)
        raise EncountersError(EncountersErrorCode.NOT_FOUND, "No encounter has that id.")
    resource = encounter_resource(encounter)
    decision = enforce(actor, action, resource, purpose, request=request)
    record(
        EncounterEvent.VIEWED, action=AuditAction.READ, outcome=Outcome.SUCCESS, actor=actor, request=request,
        **audit_fields(decision, resource, purpose),
    )  # fmt: skip
    return encounter
