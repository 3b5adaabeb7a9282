"""The census computed from the ADT history (AHIMA: patients present at the census-taking time), the
patient's encounter list under the policy, and the ADT timeline with its cancelled movements."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose
from recordroom.encounters.models import AdtEvent
from recordroom.encounters.selectors import adt_timeline, census, encounters_for_patient
from recordroom.encounters.services import cancel_event, discharge_patient, transfer_patient
from recordroom.encounters.tests.factories import T0, bed_of, make_clerk, make_encounter, make_unit
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS
HOUR = timedelta(hours=1)


def test_census_follows_admissions_transfers_and_discharges():
    medical, icu = make_unit(), make_unit(kind="icu")
    clerk = make_clerk()
    a = make_encounter(actor=clerk, bed=bed_of(medical, "01"))
    b = make_encounter(actor=clerk, bed=bed_of(medical, "02"), admitted_at=T0 + HOUR)
    transfer_patient(actor=clerk, purpose=OPS, encounter=a, bed=bed_of(icu, "01"), effective_at=T0 + 2 * HOUR)
    discharge_patient(actor=clerk, purpose=OPS, encounter=b, discharged_at=T0 + 3 * HOUR, disposition="01")

    assert census(medical, T0 - HOUR) == []
    assert census(medical, T0) == [a]
    assert census(medical, T0 + HOUR) == [a, b]
    # Transferred out at T0+2h: counted in the ICU from that instant, no longer on the medical unit.
    assert census(medical, T0 + 2 * HOUR) == [b]
    assert census(icu, T0 + 2 * HOUR) == [a]
    # Discharged at T0+3h: not present at that instant.
    assert census(medical, T0 + 3 * HOUR) == []
    assert census(icu, T0 + 10 * HOUR) == [a]


def test_census_leaves_out_cancelled_movements():
    medical, icu = make_unit(), make_unit(kind="icu")
    clerk = make_clerk()
    a = make_encounter(actor=clerk, bed=bed_of(medical, "01"))
    transfer = transfer_patient(actor=clerk, purpose=OPS, encounter=a, bed=bed_of(icu), effective_at=T0 + HOUR)
    cancel_event(actor=clerk, purpose=OPS, event=transfer, reason_code="entered_in_error")
    assert census(icu, T0 + 2 * HOUR) == []
    assert census(medical, T0 + 2 * HOUR) == [a]
    b = make_encounter(actor=clerk, bed=bed_of(medical, "02"))
    cancel_event(actor=clerk, purpose=OPS, event=AdtEvent.objects.get(encounter=b), reason_code="wrong_patient")
    assert census(medical, T0 + 2 * HOUR) == [a]
    discharge = discharge_patient(actor=clerk, purpose=OPS, encounter=a, discharged_at=T0 + 3 * HOUR, disposition="01")
    assert census(medical, T0 + 4 * HOUR) == []
    cancel_event(actor=clerk, purpose=OPS, event=discharge, reason_code="wrong_time")
    assert census(medical, T0 + 4 * HOUR) == [a]


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
