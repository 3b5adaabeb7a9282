"""Security of the ADT services: a sysadmin is refused everything, nothing changes and each refusal is
recorded as ``access.denied``; a coder may read encounters but not admit or move patients."""

from __future__ import annotations

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose
from recordroom.encounters.models import AdtEvent, Encounter, EncounterCounter
from recordroom.encounters.services import (
    add_consulting_physician,
    admit_patient,
    cancel_event,
    discharge_patient,
    get_encounter,
    transfer_patient,
)
from recordroom.encounters.tests.factories import T0, bed_of, make_encounter, make_physician, make_unit
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS


def admit_as(actor, patient, bed=None):
    return admit_patient(
        actor=actor, purpose=OPS, patient=patient, encounter_class="inpatient", admitted_at=T0, admit_type="3",
        admit_source="1", attending=make_physician(), expected_payer="medicare", bed=bed,
    )  # fmt: skip


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.CODER])
def test_only_a_clerk_admits_and_a_refusal_changes_nothing_but_is_recorded(role):
    patient = make_patient()
    unit = make_unit()
    actor = make_user([role]).user
    with pytest.raises(AccessDeniedError):
        admit_as(actor, patient, bed_of(unit))
    assert Encounter.objects.count() == 0
    assert AdtEvent.objects.count() == 0
    assert not EncounterCounter.objects.exists()
    assert not AuditEvent.objects.filter(event_type="encounters.admitted").exists()
    [denied] = AuditEvent.objects.filter(event_type="access.denied", actor_id=actor.pk)
    assert (denied.outcome, denied.action, denied.resource_type, denied.patient_id) == (
        "denied", "create", "encounter", patient.pk,
    )  # fmt: skip


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.CODER])
def test_movements_are_refused_to_other_roles_and_nothing_changes(role):
    unit = make_unit()
    encounter = make_encounter(bed=bed_of(unit, "01"))
    admit = AdtEvent.objects.get(encounter=encounter)
    actor = make_user([role]).user
    calls = [
        lambda: transfer_patient(
            actor=actor, purpose=OPS, encounter=encounter, bed=bed_of(unit, "02"), effective_at=T0
        ),
        lambda: discharge_patient(actor=actor, purpose=OPS, encounter=encounter, discharged_at=T0, disposition="01"),
        lambda: cancel_event(actor=actor, purpose=OPS, event=admit, reason_code="wrong_patient"),
        lambda: add_consulting_physician(actor=actor, purpose=OPS, encounter=encounter, physician=make_physician()),
    ]
    events_before = AuditEvent.objects.exclude(event_type="access.denied").count()
    for call in calls:
        with pytest.raises(AccessDeniedError):
            call()
    encounter.refresh_from_db()
    assert (encounter.status, encounter.current_bed_id, encounter.consulting.count()) == ("active", bed_of(unit).pk, 0)
    assert AdtEvent.objects.count() == 1
    denied = AuditEvent.objects.filter(event_type="access.denied", actor_id=actor.pk)
    assert [(e.action, e.resource_id) for e in denied.order_by("seq")] == [("update", str(encounter.public_id))] * 4
    # None of the refused calls left an encounters event in the trail.
    assert not AuditEvent.objects.filter(event_type__startswith="encounters.", seq__gt=events_before).exists()


def test_a_coder_may_read_an_encounter_and_a_sysadmin_may_not():
    encounter = make_encounter()
    coder = make_user([Role.CODER]).user
    assert get_encounter(actor=coder, purpose=OPS, public_id=encounter.public_id) == encounter
    [viewed] = AuditEvent.objects.filter(event_type="encounters.viewed")
    assert (viewed.actor_id, viewed.action, viewed.resource_id) == (coder.pk, "read", str(encounter.public_id))
    admin = make_user([Role.SYSADMIN]).user
    with pytest.raises(AccessDeniedError):
        get_encounter(actor=admin, purpose=OPS, public_id=encounter.public_id)
    assert AuditEvent.objects.filter(event_type="encounters.viewed").count() == 1
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=admin.pk, action="read").count() == 1


def test_a_restricted_patients_encounter_is_closed_to_a_coder():
    clerk = make_user([Role.HIM_CLERK]).user
    patient = make_patient(actor=clerk, restrictions=["vip"])
    coder = make_user([Role.CODER]).user
    with pytest.raises(AccessDeniedError):
        get_encounter(actor=coder, purpose=OPS, public_id=make_encounter(actor=clerk, patient=patient).public_id)
