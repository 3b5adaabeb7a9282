"""The census of a unit for the reports issue: authorized (``report``/``read``) and audited.

AHIMA, *Basic Healthcare Statistics for Health Information Management Professionals*: the census is the
number of inpatients present at the census-taking time; daily inpatient census and inpatient service days
are counted from it. The computation is ``occupancy.census_at`` over the ADT history; this wrapper is the
one door to it from outside the app, so every census read is checked by the policy and recorded as a query
with its count (HIPAA 164.312(b)), never with a patient's id.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest

from recordroom.access.decisions import Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.accounts.models import User
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.encounters.audit_events import EncounterEvent
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import Encounter, Unit
from recordroom.encounters.permissions import EncountersPermission
from recordroom.encounters.services.occupancy import census_at

CENSUS_REPORT = "census"


def census(
    *, actor: User, purpose: Purpose | None, unit: Unit, at: datetime, request: HttpRequest | None = None
) -> list[Encounter]:
    """The encounters present in the unit's beds at the instant ``at``, in bed order.

    Raises ``AccessDeniedError`` (recorded) without ``report``/``read``, or :class:`EncountersError`
    ``invalid_input`` when ``at`` is not a date and time with a time zone.
    """
    resource = Resource(ResourceType.REPORT, id=CENSUS_REPORT)
    decision = enforce(actor, EncountersPermission.VIEW_CENSUS.action, resource, purpose, request=request)
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise EncountersError(EncountersErrorCode.INVALID_INPUT, "at needs a date and time.", field="at")
    rows = census_at(unit, at)
    record(
        EncounterEvent.CENSUS_VIEWED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor,
        request=request, detail={"unit": unit.code, "results": len(rows)},
        **audit_fields(decision, resource, purpose),
    )  # fmt: skip
    return rows
