"""The patient's encounter list under the policy, and the ADT timeline with its cancelled movements (the
census is tested in test_census.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose
from recordroom.encounters.selectors import adt_timeline, encounters_for_patient
from recordroom.encounters.services import cancel_event, transfer_patient
from recordroom.encounters.tests.factories import T0, bed_of, make_clerk, make_encounter, make_unit
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS
HOUR = timedelta(hours=1)


def test_a_patients_encounters_are_listed_newest_first_and_the_query_is_recorded():
    clerk = make_clerk()
    patient = make_patient(actor=clerk)
    older = make_encounter(actor=clerk, patient=patient, admitted_at=T0 - 48 * HOUR)
    newer = make_encounter(actor=clerk, patient=patient)
    make_encounter(actor=clerk)
    coder = make_user([Role.CODER]).user
    assert encounters_for_patient(coder, OPS, patient) == [newer, older]
    [audit] = AuditEvent.objects.filter(event_type="encounters.listed")
    assert (audit.actor_id, audit.patient_id, audit.action, json.loads(audit.detail)) == (
        coder.pk, patient.pk, "query", {"results": 2},
    )  # fmt: skip


def test_listing_is_refused_and_recorded_for_a_sysadmin():
    patient = make_patient()
    admin = make_user([Role.SYSADMIN]).user
    with pytest.raises(AccessDeniedError):
        encounters_for_patient(admin, OPS, patient)
    assert not AuditEvent.objects.filter(event_type="encounters.listed").exists()
    [denied] = AuditEvent.objects.filter(event_type="access.denied", actor_id=admin.pk)
    assert (denied.resource_type, denied.patient_id) == ("encounter", patient.pk)


def test_timeline_marks_cancelled_movements_and_the_one_still_cancellable():
    unit = make_unit()
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit, "01"))
    transfer = transfer_patient(
        actor=clerk, purpose=OPS, encounter=encounter, bed=bed_of(unit, "02"), effective_at=T0 + HOUR
    )
    cancel_event(actor=clerk, purpose=OPS, event=transfer, reason_code="wrong_location")
    rows = [(e.event.kind, e.cancelled, e.cancellable) for e in adt_timeline(encounter)]
    assert rows == [("admit", False, True), ("transfer", True, False), ("cancel_transfer", False, False)]
