"""Units, beds and bed counts over time: the set-up services (refused with their code and nothing written,
refusals of access recorded) and bed count days across capacity changes (AHIMA bed count days)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import Bed, Unit, UnitCapacity
from recordroom.encounters.services import (
    BedCountBasis,
    add_bed,
    bed_count_days,
    bed_count_on,
    change_capacity,
    create_unit,
    discharge_patient,
    set_bed_active,
)
from recordroom.encounters.tests.factories import T0, bed_of, make_clerk, make_encounter, make_unit

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS


def director():
    return make_user([Role.HIM_DIRECTOR]).user


def state():
    return (
        list(Unit.objects.order_by("pk").values_list("code", "licensed_beds", "staffed_beds")),
        list(
            UnitCapacity.objects.order_by("pk").values_list(
                "unit_id", "licensed_beds", "effective_from", "effective_to"
            )
        ),
        list(Bed.objects.order_by("pk").values_list("unit_id", "code", "active")),
        AuditEvent.objects.filter(event_type__startswith="encounters.", outcome="success").count(),
    )


def refused(code, call, field=None):
    """The call is refused with ``code`` naming ``field``, nothing changes, and the refusal is recorded."""
    before = state()
    failures = AuditEvent.objects.filter(outcome="failure").count()
    with pytest.raises(EncountersError) as caught:
        call()
    assert caught.value.code is code
    if field is not None:
        assert caught.value.field == field
    assert state() == before
    [failure] = AuditEvent.objects.filter(outcome="failure").order_by("seq")[failures:]
    assert failure.event_type.startswith("encounters.")
    assert json.loads(failure.detail) == {"error": code.value, "field": caught.value.field}
    return caught.value


def new_unit(actor, **overrides):
    values: dict[str, Any] = {
        "code": "4west", "name": "4 West", "kind": "medical", "licensed_beds": 20, "staffed_beds": 18,
        "effective_from": date(2026, 1, 1),
    }  # fmt: skip
    values.update(overrides)
    return create_unit(actor=actor, **values)


def test_a_unit_is_created_with_its_first_capacity_period_and_recorded():
    boss = director()
    unit = new_unit(boss)
    assert (unit.code, unit.licensed_beds, unit.staffed_beds) == ("4WEST", 20, 18)
    [period] = UnitCapacity.objects.filter(unit=unit)
    assert (period.effective_from, period.effective_to, period.licensed_beds, period.staffed_beds) == (
        date(2026, 1, 1), None, 20, 18,
    )  # fmt: skip
    [audit] = AuditEvent.objects.filter(event_type="encounters.unit_created")
    assert (audit.actor_id, audit.resource_type, audit.resource_id, audit.patient_id) == (
        boss.pk, "facility", "4WEST", None,
    )  # fmt: skip
    assert json.loads(audit.detail) == {
        "unit": "4WEST", "licensed_beds": 20, "staffed_beds": 18, "effective_from": "2026-01-01",
    }  # fmt: skip


def test_a_sysadmin_may_set_up_units_but_a_clerk_may_not():
    assert new_unit(make_user([Role.SYSADMIN]).user).code == "4WEST"
    clerk = make_clerk()
    before = state()
    with pytest.raises(AccessDeniedError):
        new_unit(clerk, code="5EAST")
    assert state()[:3] == before[:3]
    [denied] = AuditEvent.objects.filter(event_type="access.denied")
    assert (denied.actor_id, denied.resource_type) == (clerk.pk, "facility")


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"code": "4 west!"}, EncountersErrorCode.INVALID_INPUT, "code"),
        ({"name": " "}, EncountersErrorCode.INVALID_INPUT, "name"),
        ({"kind": "spa"}, EncountersErrorCode.UNKNOWN_CODE, "kind"),
        ({"licensed_beds": -1}, EncountersErrorCode.INVALID_INPUT, "licensed_beds"),
        ({"staffed_beds": 21}, EncountersErrorCode.INVALID_INPUT, "staffed_beds"),
        ({"effective_from": date(2099, 1, 1)}, EncountersErrorCode.TIME_IN_FUTURE, "effective_from"),
    ],
)
def test_bad_unit_input_is_refused_and_nothing_is_written(overrides, code, field):
    boss = director()
    refused(code, lambda: new_unit(boss, **overrides), field)


def test_a_unit_code_is_unique():
    boss = director()
    new_unit(boss)
    refused(EncountersErrorCode.ALREADY_EXISTS, lambda: new_unit(boss, code="4West"), "code")


def test_a_capacity_change_ends_the_period_before_and_bed_count_days_weigh_each_period():
    boss = director()
    unit = new_unit(boss, licensed_beds=24, staffed_beds=20)
    change_capacity(actor=boss, unit=unit, licensed_beds=24, staffed_beds=24, effective_from=date(2026, 4, 11))
    periods = list(UnitCapacity.objects.filter(unit=unit).order_by("effective_from"))
    assert [(p.effective_from, p.effective_to, p.staffed_beds) for p in periods] == [
        (date(2026, 1, 1), date(2026, 4, 10), 20), (date(2026, 4, 11), None, 24),
    ]  # fmt: skip
    assert (unit.licensed_beds, unit.staffed_beds) == (24, 24)
    assert bed_count_on(unit, date(2026, 4, 10)) == 20
    assert bed_count_on(unit, date(2026, 4, 11)) == 24
    assert bed_count_on(unit, date(2025, 12, 31)) == 0
    # April: 10 days at 20 staffed beds and 20 days at 24 (AHIMA bed count days).
    assert bed_count_days(unit, date(2026, 4, 1), date(2026, 4, 30)) == 10 * 20 + 20 * 24
    assert bed_count_days(unit, date(2026, 4, 1), date(2026, 4, 30), BedCountBasis.LICENSED) == 30 * 24
    # A period starting before the unit opened counts only its open days.
    assert bed_count_days(unit, date(2025, 12, 30), date(2026, 1, 2)) == 2 * 20
    [audit] = AuditEvent.objects.filter(event_type="encounters.capacity_changed")
    assert json.loads(audit.detail)["before_staffed"] == 20


def test_capacity_from_a_date_not_after_the_latest_period_is_refused():
    boss = director()
    unit = new_unit(boss)
    change_capacity(actor=boss, unit=unit, licensed_beds=20, staffed_beds=20, effective_from=date(2026, 3, 1))
    for day in (date(2026, 3, 1), date(2026, 2, 1)):
        error = refused(
            EncountersErrorCode.DATE_OUT_OF_ORDER,
            lambda day=day: change_capacity(
                actor=boss, unit=unit, licensed_beds=10, staffed_beds=10, effective_from=day
            ),
            "effective_from",
        )
        assert "2026-03-01" in error.message
    refused(
        EncountersErrorCode.DATE_OUT_OF_ORDER,
        lambda: change_capacity(
            actor=boss, unit=unit, licensed_beds=10, staffed_beds=10, effective_from=date(2025, 1, 1)
        ),
        "effective_from",
    )
    refused(
        EncountersErrorCode.INVALID_INPUT,
        lambda: change_capacity(
            actor=boss, unit=unit, licensed_beds=10, staffed_beds=11, effective_from=date(2026, 5, 1)
        ),
        "staffed_beds",
    )


def test_a_unit_without_capacity_rows_uses_its_own_counts():
    unit = make_unit(beds=3)
    assert bed_count_on(unit, date(2026, 1, 5)) == 3
    assert bed_count_days(unit, date(2026, 1, 1), date(2026, 1, 10)) == 30
    boss = director()
    change_capacity(actor=boss, unit=unit, licensed_beds=5, staffed_beds=4, effective_from=date(2026, 1, 6))
    assert bed_count_days(unit, date(2026, 1, 1), date(2026, 1, 10)) == 5 * 3 + 5 * 4


def test_bed_count_days_refuse_a_period_that_ends_before_it_starts():
    with pytest.raises(EncountersError) as caught:
        bed_count_days(make_unit(), date(2026, 2, 1), date(2026, 1, 1))
    assert (caught.value.code, caught.value.field) == (EncountersErrorCode.DATE_OUT_OF_ORDER, "end")


def test_beds_are_added_once_per_code():
    boss = director()
    unit = new_unit(boss)
    bed = add_bed(actor=boss, unit=unit, code="12a")
    assert (bed.code, bed.active) == ("12A", True)
    refused(EncountersErrorCode.ALREADY_EXISTS, lambda: add_bed(actor=boss, unit=unit, code="12A"), "code")
    refused(EncountersErrorCode.INVALID_INPUT, lambda: add_bed(actor=boss, unit=unit, code=""), "code")
    assert AuditEvent.objects.filter(event_type="encounters.bed_added", outcome="success").count() == 1


def test_an_occupied_bed_cannot_be_taken_out_of_service_until_the_patient_leaves():
    unit = make_unit()
    clerk = make_clerk()
    boss = director()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit, "01"))
    refused(
        EncountersErrorCode.BED_OCCUPIED,
        lambda: set_bed_active(actor=boss, bed=bed_of(unit, "01"), active=False),
        "bed",
    )
    discharge_patient(
        actor=clerk, purpose=OPS, encounter=encounter, discharged_at=T0 + timedelta(hours=4), disposition="01"
    )
    bed = set_bed_active(actor=boss, bed=bed_of(unit, "01"), active=False)
    assert bed.active is False
    refused(EncountersErrorCode.INVALID_INPUT, lambda: set_bed_active(actor=boss, bed=bed, active=False), "active")
    assert set_bed_active(actor=boss, bed=bed, active=True).active is True
    successes = AuditEvent.objects.filter(event_type__startswith="encounters.bed_", outcome="success")
    assert [e.event_type for e in successes] == [
        "encounters.bed_deactivated", "encounters.bed_reactivated",
    ]  # fmt: skip


def test_a_bed_booked_from_a_later_time_cannot_be_taken_out_of_service():
    unit = make_unit()
    clerk = make_clerk()
    make_encounter(actor=clerk, bed=bed_of(unit, "02"), admitted_at=clock.now() + timedelta(hours=12))
    refused(
        EncountersErrorCode.BED_OCCUPIED, lambda: set_bed_active(actor=director(), bed=bed_of(unit, "02"), active=False)
    )


def test_the_migration_gives_existing_units_one_capacity_period():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("recordroom.encounters.migrations.0002_capacity_and_reported_codes")
    unit = make_unit(beds=4, staffed_beds=6, effective_to=date(2030, 1, 1))
    migration.capacity_from_units(apps, None)
    [period] = UnitCapacity.objects.filter(unit=unit)
    assert (period.licensed_beds, period.staffed_beds, period.effective_from, period.effective_to) == (
        4, 4, date(2020, 1, 1), date(2030, 1, 1),
    )  # fmt: skip
