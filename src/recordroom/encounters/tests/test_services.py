"""The ADT services: admissions, transfers, discharges and cancels, each rule refused with its code and
nothing written, and every change recorded in the audit trail with ids only."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from recordroom.audit.models import AuditEvent
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import AdtEvent, Encounter, EncounterStatus
from recordroom.encounters.services import (
    add_consulting_physician,
    cancel_event,
    discharge_patient,
    transfer_patient,
)
from recordroom.encounters.tests.factories import (
    T0,
    bed_of,
    make_clerk,
    make_encounter,
    make_physician,
    make_unit,
)
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS
HOUR = timedelta(hours=1)


def state():
    return (
        Encounter.objects.count(),
        AdtEvent.objects.count(),
        AuditEvent.objects.filter(event_type__startswith="encounters.").count(),
        list(Encounter.objects.order_by("pk").values_list("status", "current_bed_id", "discharged_at")),
    )


def refused(code, call):
    before = state()
    with pytest.raises(EncountersError) as caught:
        call()
    assert caught.value.code is code
    assert state() == before
    return caught.value


def test_admission_opens_an_encounter_in_the_bed_and_records_it():
    unit = make_unit()
    clerk = make_clerk()
    patient = make_patient(actor=clerk)
    encounter = make_encounter(actor=clerk, patient=patient, bed=bed_of(unit))
    assert (encounter.status, encounter.current_unit_id, encounter.current_bed_id) == (
        "active", unit.pk, bed_of(unit).pk,
    )  # fmt: skip
    [event] = AdtEvent.objects.filter(encounter=encounter)
    assert (event.kind, event.effective_at, event.bed_id, event.recorded_by_id) == (
        "admit",
        T0,
        bed_of(unit).pk,
        clerk.pk,
    )
    [audit] = AuditEvent.objects.filter(event_type="encounters.admitted")
    assert (audit.actor_id, audit.patient_id, audit.resource_id, audit.outcome) == (
        clerk.pk, patient.pk, str(encounter.public_id), "success",
    )  # fmt: skip
    assert json.loads(audit.detail) == {
        "adt_event_id": str(event.public_id),
        "encounter_class": "inpatient",
        "bed_id": bed_of(unit).pk,
    }


def test_encounter_numbers_are_sequential():
    first = make_encounter()
    second = make_encounter()
    assert second.number == first.number + 1


@pytest.mark.parametrize("field", ["encounter_class", "admit_type", "admit_source", "expected_payer"])
def test_an_unknown_code_is_refused_and_nothing_is_written(field):
    clerk = make_clerk()
    patient = make_patient(actor=clerk)
    overrides: dict[str, Any] = {field: "zz"}
    error = refused(EncountersErrorCode.UNKNOWN_CODE, lambda: make_encounter(actor=clerk, patient=patient, **overrides))
    assert error.field == field


def test_an_admission_more_than_a_day_ahead_is_refused():
    clerk = make_clerk()
    patient = make_patient(actor=clerk)
    later = clock.now() + timedelta(days=1, minutes=5)
    refused(EncountersErrorCode.TIME_IN_FUTURE, lambda: make_encounter(actor=clerk, patient=patient, admitted_at=later))


def test_an_attending_who_is_not_a_physician_is_refused():
    clerk = make_clerk()
    patient = make_patient(actor=clerk)
    refused(EncountersErrorCode.NOT_A_PHYSICIAN, lambda: make_encounter(actor=clerk, patient=patient, attending=clerk))


def test_an_occupied_bed_is_refused_on_admission():
    unit = make_unit()
    clerk = make_clerk()
    make_encounter(actor=clerk, bed=bed_of(unit))
    patient = make_patient(actor=clerk)
    later = T0 + 5 * HOUR
    error = refused(
        EncountersErrorCode.BED_OCCUPIED,
        lambda: make_encounter(actor=clerk, patient=patient, bed=bed_of(unit), admitted_at=later),
    )
    assert error.field == "bed"


def test_a_bed_in_a_unit_out_of_service_is_refused():
    closed = make_unit(effective_to=T0.date() - timedelta(days=1))
    clerk = make_clerk()
    patient = make_patient(actor=clerk)
    refused(
        EncountersErrorCode.BED_UNAVAILABLE, lambda: make_encounter(actor=clerk, patient=patient, bed=bed_of(closed))
    )


def test_a_bed_freed_by_discharge_can_be_taken_from_the_discharge_time():
    unit = make_unit()
    clerk = make_clerk()
    first = make_encounter(actor=clerk, bed=bed_of(unit))
    discharge_patient(actor=clerk, purpose=OPS, encounter=first, discharged_at=T0 + 2 * HOUR, disposition="01")
    second = make_encounter(actor=clerk, bed=bed_of(unit), admitted_at=T0 + 2 * HOUR)
    assert second.current_bed_id == bed_of(unit).pk
    refused(
        EncountersErrorCode.BED_OCCUPIED,
        lambda: make_encounter(actor=clerk, bed=bed_of(unit), admitted_at=T0 + HOUR),
    )


def test_transfer_moves_the_patient_and_records_it():
    unit = make_unit()
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit, "01"))
    event = transfer_patient(
        actor=clerk, purpose=OPS, encounter=encounter, bed=bed_of(unit, "02"), effective_at=T0 + HOUR
    )
    assert (event.kind, event.bed_id) == ("transfer", bed_of(unit, "02").pk)
    assert encounter.current_bed_id == bed_of(unit, "02").pk
    [audit] = AuditEvent.objects.filter(event_type="encounters.transferred")
    assert json.loads(audit.detail) == {"adt_event_id": str(event.public_id), "bed_id": bed_of(unit, "02").pk}


def test_transfer_into_an_occupied_bed_or_before_the_last_movement_is_refused():
    unit = make_unit()
    clerk = make_clerk()
    make_encounter(actor=clerk, bed=bed_of(unit, "02"))
    encounter = make_encounter(actor=clerk, bed=bed_of(unit, "01"), admitted_at=T0 + HOUR)
    refused(
        EncountersErrorCode.BED_OCCUPIED,
        lambda: transfer_patient(
            actor=clerk, purpose=OPS, encounter=encounter, bed=bed_of(unit, "02"), effective_at=T0 + 2 * HOUR
        ),
    )
    other = make_unit()
    refused(
        EncountersErrorCode.TIME_OUT_OF_ORDER,
        lambda: transfer_patient(actor=clerk, purpose=OPS, encounter=encounter, bed=bed_of(other), effective_at=T0),
    )


def test_discharge_closes_the_encounter_and_frees_the_bed():
    unit = make_unit()
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit))
    event = discharge_patient(actor=clerk, purpose=OPS, encounter=encounter, discharged_at=T0 + HOUR, disposition="06")
    assert (encounter.status, encounter.discharged_at, encounter.discharge_disposition, encounter.current_bed_id) == (
        "discharged", T0 + HOUR, "06", None,
    )  # fmt: skip
    assert (event.kind, event.bed_id, event.disposition) == ("discharge", bed_of(unit).pk, "06")
    assert json.loads(AuditEvent.objects.get(event_type="encounters.discharged").detail)["disposition"] == "06"


def test_discharge_before_admission_or_the_last_transfer_or_with_an_unknown_status_is_refused():
    unit = make_unit()
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit, "01"))
    transfer_patient(actor=clerk, purpose=OPS, encounter=encounter, bed=bed_of(unit, "02"), effective_at=T0 + 3 * HOUR)

    def discharge(at, code="01"):
        return lambda: discharge_patient(
            actor=clerk, purpose=OPS, encounter=encounter, discharged_at=at, disposition=code
        )

    assert refused(EncountersErrorCode.TIME_OUT_OF_ORDER, discharge(T0 - HOUR)).message == (
        "discharged_at is before the admission."
    )
    assert refused(EncountersErrorCode.TIME_OUT_OF_ORDER, discharge(T0 + HOUR)).field == "discharged_at"
    refused(EncountersErrorCode.UNKNOWN_CODE, discharge(T0 + 4 * HOUR, "30"))


def test_no_movement_on_a_discharged_encounter():
    unit = make_unit()
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit, "01"))
    discharge_patient(actor=clerk, purpose=OPS, encounter=encounter, discharged_at=T0 + HOUR, disposition="01")
    refused(
        EncountersErrorCode.ENCOUNTER_CLOSED,
        lambda: transfer_patient(
            actor=clerk, purpose=OPS, encounter=encounter, bed=bed_of(unit, "02"), effective_at=T0 + 2 * HOUR
        ),
    )
    refused(
        EncountersErrorCode.ENCOUNTER_CLOSED,
        lambda: discharge_patient(
            actor=clerk, purpose=OPS, encounter=encounter, discharged_at=T0 + 2 * HOUR, disposition="01"
        ),
    )


def test_cancelling_a_discharge_reopens_the_encounter_in_its_bed():
    unit = make_unit()
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit))
    discharge = discharge_patient(
        actor=clerk, purpose=OPS, encounter=encounter, discharged_at=T0 + HOUR, disposition="01"
    )
    cancel = cancel_event(actor=clerk, purpose=OPS, event=discharge, reason_code="entered_in_error")
    encounter.refresh_from_db()
    assert (cancel.kind, cancel.cancels_id, cancel.reason_code) == (
        "cancel_discharge",
        discharge.pk,
        "entered_in_error",
    )
    assert (encounter.status, encounter.discharged_at, encounter.discharge_disposition, encounter.current_bed_id) == (
        "active", None, "", bed_of(unit).pk,
    )  # fmt: skip
    audit = AuditEvent.objects.get(event_type="encounters.event_cancelled")
    assert json.loads(audit.detail) == {
        "adt_event_id": str(cancel.public_id), "cancelled_event_id": str(discharge.public_id),
        "kind": "cancel_discharge", "reason": "entered_in_error",
    }  # fmt: skip


def test_cancelling_a_transfer_puts_the_patient_back_and_a_cancelled_admit_cancels_the_encounter():
    unit = make_unit()
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit, "01"))
    admit = AdtEvent.objects.get(encounter=encounter, kind="admit")
    transfer = transfer_patient(
        actor=clerk, purpose=OPS, encounter=encounter, bed=bed_of(unit, "02"), effective_at=T0 + HOUR
    )
    refused(EncountersErrorCode.NOT_CANCELLABLE, lambda: cancel_event(actor=clerk, purpose=OPS, event=admit,
                                                                      reason_code="wrong_patient"))  # fmt: skip
    cancel_event(actor=clerk, purpose=OPS, event=transfer, reason_code="wrong_location")
    encounter.refresh_from_db()
    assert encounter.current_bed_id == bed_of(unit, "01").pk
    refused(EncountersErrorCode.NOT_CANCELLABLE, lambda: cancel_event(actor=clerk, purpose=OPS, event=transfer,
                                                                      reason_code="wrong_location"))  # fmt: skip
    cancel_event(actor=clerk, purpose=OPS, event=admit, reason_code="wrong_patient")
    encounter.refresh_from_db()
    assert (encounter.status, encounter.current_bed) == (EncounterStatus.CANCELLED, None)
    assert list(AdtEvent.objects.filter(encounter=encounter).order_by("pk").values_list("kind", flat=True)) == [
        "admit", "transfer", "cancel_transfer", "cancel_admit",
    ]  # fmt: skip
    # The bed is free again for someone else at the original time.
    assert make_encounter(actor=clerk, bed=bed_of(unit, "01")).current_bed_id == bed_of(unit, "01").pk


def test_a_cancel_cannot_put_the_patient_back_into_a_bed_taken_since():
    unit = make_unit()
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit, "01"))
    transfer = transfer_patient(
        actor=clerk, purpose=OPS, encounter=encounter, bed=bed_of(unit, "02"), effective_at=T0 + HOUR
    )
    make_encounter(actor=clerk, bed=bed_of(unit, "01"), admitted_at=T0 + 2 * HOUR)
    refused(EncountersErrorCode.BED_OCCUPIED, lambda: cancel_event(actor=clerk, purpose=OPS, event=transfer,
                                                                   reason_code="wrong_location"))  # fmt: skip


def test_an_unknown_cancel_reason_or_a_cancel_event_cannot_be_used():
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk)
    admit = AdtEvent.objects.get(encounter=encounter)
    refused(
        EncountersErrorCode.UNKNOWN_CODE,
        lambda: cancel_event(actor=clerk, purpose=OPS, event=admit, reason_code="oops"),
    )
    cancel = cancel_event(actor=clerk, purpose=OPS, event=admit, reason_code="did_not_happen")
    refused(EncountersErrorCode.NOT_CANCELLABLE, lambda: cancel_event(actor=clerk, purpose=OPS, event=cancel,
                                                                      reason_code="did_not_happen"))  # fmt: skip


def test_adt_events_are_append_only():
    event = AdtEvent.objects.get(encounter=make_encounter())
    event.reason_code = "edited"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AdtEvent.objects.filter(pk=event.pk).update(reason_code="edited")
    with pytest.raises(PermissionError):
        AdtEvent.objects.filter(pk=event.pk).delete()
    assert AdtEvent.objects.get(pk=event.pk).reason_code == ""


def test_consulting_physicians_are_added_once_and_must_be_physicians():
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk)
    consultant = make_physician()
    add_consulting_physician(actor=clerk, purpose=OPS, encounter=encounter, physician=consultant)
    assert list(encounter.consulting.all()) == [consultant]
    assert json.loads(AuditEvent.objects.get(event_type="encounters.consultant_added").detail) == {
        "physician_id": consultant.pk
    }
    refused(EncountersErrorCode.INVALID_INPUT, lambda: add_consulting_physician(
        actor=clerk, purpose=OPS, encounter=encounter, physician=consultant))  # fmt: skip
    refused(EncountersErrorCode.NOT_A_PHYSICIAN, lambda: add_consulting_physician(
        actor=clerk, purpose=OPS, encounter=encounter, physician=clerk))  # fmt: skip
