"""The census from the ADT history (AHIMA: patients present at the census-taking time): the internal
computation, and the audited service the reports issue calls (``report``/``read``)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import AdtEvent
from recordroom.encounters.services import cancel_event, census, discharge_patient, transfer_patient
from recordroom.encounters.services.occupancy import census_at, stays_in_beds
from recordroom.encounters.tests.factories import T0, bed_of, make_clerk, make_encounter, make_unit

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

    assert census_at(medical, T0 - HOUR) == []
    assert census_at(medical, T0) == [a]
    assert census_at(medical, T0 + HOUR) == [a, b]
    # Transferred out at T0+2h: counted in the ICU from that instant, no longer on the medical unit.
    assert census_at(medical, T0 + 2 * HOUR) == [b]
    assert census_at(icu, T0 + 2 * HOUR) == [a]
    # Discharged at T0+3h: not present at that instant.
    assert census_at(medical, T0 + 3 * HOUR) == []
    assert census_at(icu, T0 + 10 * HOUR) == [a]


def test_census_leaves_out_cancelled_movements():
    medical, icu = make_unit(), make_unit(kind="icu")
    clerk = make_clerk()
    a = make_encounter(actor=clerk, bed=bed_of(medical, "01"))
    transfer = transfer_patient(actor=clerk, purpose=OPS, encounter=a, bed=bed_of(icu), effective_at=T0 + HOUR)
    cancel_event(actor=clerk, purpose=OPS, event=transfer, reason_code="entered_in_error")
    assert census_at(icu, T0 + 2 * HOUR) == []
    assert census_at(medical, T0 + 2 * HOUR) == [a]
    b = make_encounter(actor=clerk, bed=bed_of(medical, "02"))
    cancel_event(actor=clerk, purpose=OPS, event=AdtEvent.objects.get(encounter=b), reason_code="wrong_patient")
    assert census_at(medical, T0 + 2 * HOUR) == [a]
    discharge = discharge_patient(actor=clerk, purpose=OPS, encounter=a, discharged_at=T0 + 3 * HOUR, disposition="01")
    assert census_at(medical, T0 + 4 * HOUR) == []
    cancel_event(actor=clerk, purpose=OPS, event=discharge, reason_code="wrong_time")
    assert census_at(medical, T0 + 4 * HOUR) == [a]


def test_census_reads_only_encounters_that_can_be_present():
    """Stays discharged long before the census instant are not read (the census reads the few encounters
    that can be present, not every stay the beds ever had), and the answer is the same."""
    medical = make_unit(beds=1)
    clerk = make_clerk()
    old = []
    for day in range(5):
        start = T0 - timedelta(days=30 - 2 * day)
        enc = make_encounter(actor=clerk, bed=bed_of(medical), admitted_at=start)
        discharge_patient(actor=clerk, purpose=OPS, encounter=enc, discharged_at=start + HOUR, disposition="01")
        old.append(enc)
    current = make_encounter(actor=clerk, bed=bed_of(medical))
    bed_ids = [bed_of(medical).pk]
    assert {s.encounter_id for s in stays_in_beds(bed_ids)} == {e.pk for e in [*old, current]}
    assert {s.encounter_id for s in stays_in_beds(bed_ids, present_at=T0 + HOUR)} == {current.pk}
    assert census_at(medical, T0 + HOUR) == [current]
    assert census_at(medical, old[0].admitted_at + HOUR / 2) == [old[0]]
    assert census_at(medical, old[0].admitted_at + HOUR) == []


def test_the_census_service_is_audited_with_the_count():
    medical = make_unit()
    clerk = make_clerk()
    a = make_encounter(actor=clerk, bed=bed_of(medical, "01"))
    director = make_user([Role.HIM_DIRECTOR]).user
    assert census(actor=director, purpose=OPS, unit=medical, at=T0 + HOUR) == [a]
    [audit] = AuditEvent.objects.filter(event_type="encounters.census_viewed")
    assert (audit.actor_id, audit.action, audit.resource_type, audit.resource_id, audit.patient_id) == (
        director.pk, "query", "report", "census", None,
    )  # fmt: skip
    assert json.loads(audit.detail) == {"unit": medical.code, "results": 1}


def test_the_census_service_is_refused_and_recorded_without_report_access():
    medical = make_unit()
    clerk = make_clerk()
    with pytest.raises(AccessDeniedError):
        census(actor=clerk, purpose=OPS, unit=medical, at=T0)
    [denied] = AuditEvent.objects.filter(event_type="access.denied")
    assert (denied.actor_id, denied.resource_type) == (clerk.pk, "report")
    assert not AuditEvent.objects.filter(event_type="encounters.census_viewed").exists()


def test_the_census_service_needs_an_aware_instant():
    director = make_user([Role.HIM_DIRECTOR]).user
    with pytest.raises(EncountersError) as caught:
        census(actor=director, purpose=OPS, unit=make_unit(), at=datetime(2026, 1, 5, 8, 0))  # noqa: DTZ001
    assert caught.value.code is EncountersErrorCode.INVALID_INPUT
    assert caught.value.field == "at"
    assert not AuditEvent.objects.filter(event_type="encounters.census_viewed").exists()
