"""Units, beds and their bed counts over time: the facility's set-up that occupancy statistics divide by.

AHIMA, *Basic Healthcare Statistics for Health Information Management Professionals*: the **bed count** is
the number of inpatient beds set up and staffed (or licensed) on a day; **bed count days** add the bed
count of every day of a period, so a unit that grows from 20 to 24 beds on the 11th of a 30-day month
has 10 x 20 + 20 x 24 = 680 bed count days, and the **bed occupancy rate** is inpatient service days over
bed count days. A unit's counts are :class:`UnitCapacity` periods that never overlap: a change from a date
ends the period then in effect the day before. ``Unit.licensed_beds``/``staffed_beds`` hold the counts of
the latest (open-ended) period, so screens that show "the unit's beds" need no date.

Units and beds carry no PHI; administering them is ``facility``/``administer`` (the HIM director and the
system administrator in the default policy), audited like any other change of set-up (164.312(b)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from recordroom.access.decisions import Decision, Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.accounts.models import User
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.encounters.audit_events import EncounterEvent
from recordroom.encounters.codes import UnitKind
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import Bed, Unit, UnitCapacity
from recordroom.encounters.permissions import EncountersPermission
from recordroom.encounters.services.common import check_code, clock_date, refusal_recorded
from recordroom.encounters.services.occupancy import stays_in_beds

MAX_BEDS = 10_000
# Capacity may be planned ahead (a unit opening next quarter) but not beyond this.
MAX_PLANNED_AHEAD = timedelta(days=366 * 2)


class BedCountBasis(StrEnum):
    """Which bed count a statistic divides by: licensed (the state licence) or staffed (set up and staffed);
    AHIMA recommends stating which one a bed occupancy rate uses."""

    LICENSED = "licensed"
    STAFFED = "staffed"


def facility_resource(unit: Unit | None = None) -> Resource:
    return Resource(ResourceType.FACILITY, id=None if unit is None else unit.code)


def _administer(actor: User, resource: Resource, request: HttpRequest | None) -> Decision:
    return enforce(actor, EncountersPermission.ADMINISTER_UNITS.action, resource, Purpose.OPERATIONS, request=request)


# ----------------------------------------------------------------------------------------- reading


def capacity_periods(unit: Unit) -> list[UnitCapacity]:
    """The unit's capacity periods, oldest first. A unit set up without any (by a fixture or an older
    release) has one implicit period: its own counts over its own effective dates."""
    periods = sorted(unit.capacities.all(), key=lambda p: p.effective_from)  # uses a prefetch when there is one
    if periods:
        return periods
    return [
        UnitCapacity(
            unit=unit, licensed_beds=unit.licensed_beds, staffed_beds=unit.staffed_beds,
            effective_from=unit.effective_from, effective_to=unit.effective_to,
        )
    ]  # fmt: skip


def _count(period: UnitCapacity, basis: BedCountBasis) -> int:
    return period.licensed_beds if basis == BedCountBasis.LICENSED else period.staffed_beds


def bed_count_on(unit: Unit, day: date, basis: BedCountBasis = BedCountBasis.STAFFED) -> int:
    """The unit's bed count in effect on ``day`` (0 outside the unit's own effective dates)."""
    if not unit.in_effect_on(day):
        return 0
    for period in capacity_periods(unit):
        if period.in_effect_on(day):
            return _count(period, basis)
    return 0


def bed_count_days(unit: Unit, start: date, end: date, basis: BedCountBasis = BedCountBasis.STAFFED) -> int:
    """Bed count days of the unit from ``start`` to ``end`` inclusive: the sum of each day's bed count,
    so changes within the period are weighted by the days they were in effect (AHIMA)."""
    if end < start:
        raise EncountersError(EncountersErrorCode.DATE_OUT_OF_ORDER, "end is before start.", field="end")
    unit_from = max(start, unit.effective_from)
    unit_to = end if unit.effective_to is None else min(end, unit.effective_to)
    total = 0
    for period in capacity_periods(unit):
        first = max(unit_from, period.effective_from)
        last = unit_to if period.effective_to is None else min(unit_to, period.effective_to)
        if last >= first:
            total += ((last - first).days + 1) * _count(period, basis)
    return total


@dataclass(frozen=True)
class UnitRow:
    """A unit for the administration screen: its counts today and its beds (active and in use)."""

    unit: Unit
    licensed_today: int
    staffed_today: int
    beds_active: int
    beds_total: int


def units_overview(actor: User, request: HttpRequest | None = None) -> list[UnitRow]:
    """Every unit with today's counts, for those who administer units (refused and recorded otherwise)."""
    _administer(actor, facility_resource(), request)
    today = clock_date(clock.now())
    rows = []
    for unit in Unit.objects.order_by("code").prefetch_related("beds", "capacities"):
        beds = list(unit.beds.all())
        rows.append(
            UnitRow(
                unit, bed_count_on(unit, today, BedCountBasis.LICENSED), bed_count_on(unit, today),
                sum(1 for b in beds if b.active), len(beds),
            )
        )  # fmt: skip
    return rows


def unit_detail(actor: User, unit: Unit, request: HttpRequest | None = None) -> tuple[list[UnitCapacity], list[Bed]]:
    """A unit's capacity history and beds, for those who administer units (refused and recorded otherwise)."""
    _administer(actor, facility_resource(unit), request)
    return capacity_periods(unit), list(Bed.objects.filter(unit=unit).order_by("code"))


def occupied_bed_ids(bed_ids: list[int]) -> set[int]:
    """The beds of ``bed_ids`` that an encounter holds now or from a later time (ADT history)."""
    now = clock.now()
    return {stay.bed_id for stay in stays_in_beds(bed_ids) if stay.overlaps_from(now)}


# ----------------------------------------------------------------------------------------- checks


def _check_counts(licensed_beds: int, staffed_beds: int) -> None:
    for field, value in (("licensed_beds", licensed_beds), ("staffed_beds", staffed_beds)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_BEDS:
            raise EncountersError(
                EncountersErrorCode.INVALID_INPUT, f"{field} must be a whole number from 0 to {MAX_BEDS}.", field=field
            )
    if staffed_beds > licensed_beds:
        raise EncountersError(
            EncountersErrorCode.INVALID_INPUT, "staffed_beds cannot exceed licensed_beds.", field="staffed_beds"
        )


def _check_day(value: date, field: str) -> date:
    if not isinstance(value, date):
        raise EncountersError(EncountersErrorCode.INVALID_INPUT, f"{field} needs a date.", field=field)
    if value > clock_date(clock.now()) + MAX_PLANNED_AHEAD:
        raise EncountersError(EncountersErrorCode.TIME_IN_FUTURE, f"{field} is more than two years ahead.", field=field)
    return value


def _check_short_code(value: str, field: str) -> str:
    cleaned = (value or "").strip().upper()
    if not cleaned or len(cleaned) > 16 or not all(c.isalnum() or c in "-_" for c in cleaned):
        raise EncountersError(
            EncountersErrorCode.INVALID_INPUT,
            f"{field} must be 1 to 16 letters, digits, hyphens or underscores.",
            field=field,
        )
    return cleaned


# ----------------------------------------------------------------------------------------- changes


def create_unit(
    *,
    actor: User,
    code: str,
    name: str,
    kind: str,
    licensed_beds: int,
    staffed_beds: int,
    effective_from: date,
    request: HttpRequest | None = None,
) -> Unit:
    """Set up a unit with its first capacity period (from ``effective_from``, open-ended).

    Raises ``AccessDeniedError`` (recorded), or :class:`EncountersError` ``invalid_input`` (code, name or
    counts), ``unknown_code`` (kind), ``time_in_future`` or ``already_exists`` (code taken); nothing is
    written then.
    """
    decision = _administer(actor, facility_resource(), request)
    with refusal_recorded(
        EncounterEvent.UNIT_CREATED,
        action=AuditAction.CREATE,
        actor=actor,
        resource=facility_resource(),
        purpose=Purpose.OPERATIONS,
        request=request,
    ):
        code = _check_short_code(code, "code")
        name = (name or "").strip()
        if not name or len(name) > 80:
            raise EncountersError(EncountersErrorCode.INVALID_INPUT, "name must be 1 to 80 characters.", field="name")
        check_code(UnitKind, kind, "kind")
        _check_counts(licensed_beds, staffed_beds)
        _check_day(effective_from, "effective_from")
        if Unit.objects.filter(code=code).exists():
            raise EncountersError(EncountersErrorCode.ALREADY_EXISTS, "A unit with that code exists.", field="code")
        try:
            with transaction.atomic():
                unit = Unit.objects.create(
                    code=code, name=name, kind=kind, licensed_beds=licensed_beds, staffed_beds=staffed_beds,
                    effective_from=effective_from,
                )  # fmt: skip
                UnitCapacity.objects.create(
                    unit=unit, licensed_beds=licensed_beds, staffed_beds=staffed_beds, effective_from=effective_from,
                    recorded_by=actor,
                )  # fmt: skip
                record(
                    EncounterEvent.UNIT_CREATED, action=AuditAction.CREATE, outcome=Outcome.SUCCESS, actor=actor,
                    request=request,
                    detail={"unit": unit.code, "licensed_beds": licensed_beds, "staffed_beds": staffed_beds,
                            "effective_from": effective_from.isoformat()},
                    **audit_fields(decision, facility_resource(unit), Purpose.OPERATIONS),
                )  # fmt: skip
        except IntegrityError:
            raise EncountersError(
                EncountersErrorCode.ALREADY_EXISTS, "A unit with that code exists.", field="code"
            ) from None
        return unit


def change_capacity(
    *,
    actor: User,
    unit: Unit,
    licensed_beds: int,
    staffed_beds: int,
    effective_from: date,
    request: HttpRequest | None = None,
) -> UnitCapacity:
    """Record the unit's bed counts from ``effective_from`` on: the period in effect then ends the day
    before, and the new one is open-ended. The history before ``effective_from`` is kept as it was, so the
    statistics of past periods do not change.

    Only the latest period can be followed: ``effective_from`` must be after the start of the latest period
    (``date_out_of_order`` otherwise), within the unit's own effective dates, and not more than two years
    ahead. Raises ``AccessDeniedError`` (recorded), or :class:`EncountersError` ``invalid_input``,
    ``date_out_of_order`` or ``time_in_future``; nothing is written then.
    """
    decision = _administer(actor, facility_resource(unit), request)
    with refusal_recorded(
        EncounterEvent.CAPACITY_CHANGED,
        action=AuditAction.UPDATE,
        actor=actor,
        resource=facility_resource(unit),
        purpose=Purpose.OPERATIONS,
        request=request,
    ):
        _check_counts(licensed_beds, staffed_beds)
        _check_day(effective_from, "effective_from")
        if effective_from < unit.effective_from or (
            unit.effective_to is not None and effective_from > unit.effective_to
        ):
            raise EncountersError(
                EncountersErrorCode.DATE_OUT_OF_ORDER,
                "effective_from is outside the unit's own effective dates.",
                field="effective_from",
            )
        with transaction.atomic():
            locked = Unit.objects.select_for_update().get(pk=unit.pk)
            periods = list(UnitCapacity.objects.select_for_update().filter(unit=locked).order_by("effective_from"))
            if not periods:
                periods = [
                    UnitCapacity.objects.create(
                        unit=locked, licensed_beds=locked.licensed_beds, staffed_beds=locked.staffed_beds,
                        effective_from=locked.effective_from, effective_to=locked.effective_to,
                    )
                ]  # fmt: skip
            latest = periods[-1]
            if effective_from <= latest.effective_from:
                raise EncountersError(
                    EncountersErrorCode.DATE_OUT_OF_ORDER,
                    f"effective_from must be after {latest.effective_from.isoformat()}, "
                    "the start of the latest counts.",
                    field="effective_from",
                )
            latest.effective_to = effective_from - timedelta(days=1)
            latest.save(update_fields=["effective_to"])
            period = UnitCapacity.objects.create(
                unit=locked, licensed_beds=licensed_beds, staffed_beds=staffed_beds, effective_from=effective_from,
                effective_to=locked.effective_to, recorded_by=actor,
            )  # fmt: skip
            locked.licensed_beds = licensed_beds
            locked.staffed_beds = staffed_beds
            locked.save(update_fields=["licensed_beds", "staffed_beds"])
            record(
                EncounterEvent.CAPACITY_CHANGED, action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, actor=actor,
                request=request,
                detail={"unit": locked.code, "licensed_beds": licensed_beds, "staffed_beds": staffed_beds,
                        "effective_from": effective_from.isoformat(), "before_licensed": latest.licensed_beds,
                        "before_staffed": latest.staffed_beds},
                **audit_fields(decision, facility_resource(locked), Purpose.OPERATIONS),
            )  # fmt: skip
        unit.refresh_from_db()
        return period


def add_bed(*, actor: User, unit: Unit, code: str, request: HttpRequest | None = None) -> Bed:
    """Add an active bed to a unit. Raises ``AccessDeniedError`` (recorded), or :class:`EncountersError`
    ``invalid_input`` (code) or ``already_exists`` (the unit has a bed of that code); nothing is written."""
    decision = _administer(actor, facility_resource(unit), request)
    with refusal_recorded(
        EncounterEvent.BED_ADDED,
        action=AuditAction.CREATE,
        actor=actor,
        resource=facility_resource(unit),
        purpose=Purpose.OPERATIONS,
        request=request,
    ):
        code = _check_short_code(code, "code")
        if Bed.objects.filter(unit=unit, code=code).exists():
            raise EncountersError(
                EncountersErrorCode.ALREADY_EXISTS, "The unit has a bed with that code.", field="code"
            )
        try:
            with transaction.atomic():
                bed = Bed.objects.create(unit=unit, code=code)
                record(
                    EncounterEvent.BED_ADDED, action=AuditAction.CREATE, outcome=Outcome.SUCCESS, actor=actor,
                    request=request, detail={"unit": unit.code, "bed_id": bed.pk},
                    **audit_fields(decision, facility_resource(unit), Purpose.OPERATIONS),
                )  # fmt: skip
        except IntegrityError:
            raise EncountersError(
                EncountersErrorCode.ALREADY_EXISTS, "The unit has a bed with that code.", field="code"
            ) from None
        return bed


def set_bed_active(*, actor: User, bed: Bed, active: bool, request: HttpRequest | None = None) -> Bed:
    """Take a bed out of service or put it back. A bed an encounter holds now, or from a later time on, is
    refused (``bed_occupied``): transfer the patient first. Raises ``AccessDeniedError`` (recorded), or
    :class:`EncountersError` ``invalid_input`` (already in that state) or ``bed_occupied``; nothing is
    written then."""
    decision = _administer(actor, facility_resource(bed.unit), request)
    with refusal_recorded(
        EncounterEvent.BED_REACTIVATED if active else EncounterEvent.BED_DEACTIVATED,
        action=AuditAction.UPDATE,
        actor=actor,
        resource=facility_resource(bed.unit),
        purpose=Purpose.OPERATIONS,
        request=request,
    ):
        with transaction.atomic():
            locked = Bed.objects.select_for_update().select_related("unit").get(pk=bed.pk)
            if locked.active == active:
                state = "in service" if active else "out of service"
                raise EncountersError(EncountersErrorCode.INVALID_INPUT, f"The bed is already {state}.", field="active")
            if not active and occupied_bed_ids([locked.pk]):
                raise EncountersError(
                    EncountersErrorCode.BED_OCCUPIED,
                    "A patient is in that bed (or is booked into it); transfer the patient first.",
                    field="bed",
                )
            locked.active = active
            locked.save(update_fields=["active"])
            record(
                EncounterEvent.BED_REACTIVATED if active else EncounterEvent.BED_DEACTIVATED,
                action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, actor=actor, request=request,
                detail={"unit": locked.unit.code, "bed_id": locked.pk},
                **audit_fields(decision, facility_resource(locked.unit), Purpose.OPERATIONS),
            )  # fmt: skip
        bed.refresh_from_db()
        return locked
