"""Read-only helpers of the patients app that ask the access policy (STYLE R5)."""

from __future__ import annotations

from recordroom.access.decisions import Principal, Resource, authorize
from recordroom.access.selectors import first_allowed_purpose
from recordroom.core.vocabulary import Action, Purpose, ResourceType
from recordroom.patients.models import Patient
from recordroom.patients.services.common import patient_resource


def default_purpose_for(user: Principal | None) -> Purpose | None:
    """The first purpose of use for which the policy lets ``user`` search patients, or ``None``.

    Derived from the policy (``authorize`` on ``patient``/``search``), so a changed policy changes it;
    164.502(b) requires each access to carry a purpose its grant allows.
    """
    return first_allowed_purpose(user, Action.SEARCH, Resource(ResourceType.PATIENT))


def may(user: Principal | None, action: Action, patient: Patient, purpose: Purpose | None) -> bool:
    """Whether the policy would let ``user`` do ``action`` on ``patient`` (to show a link or button only;
    the service still decides, and records, the real access)."""
    if user is None or purpose is None:
        return False
    return authorize(user, action, patient_resource(patient, user), purpose).allowed
