"""Bed stays derived from the ADT history, the one place where "who was in which bed when" is computed.

A stay is the half-open interval [movement in, movement out) in one bed: an admit or transfer into a
bed opens it; the next transfer or the discharge closes it. Cancelled movements (and their cancel
events) are left out, so a correction changes the history without editing it. This follows the AHIMA
definition of the inpatient census (*Basic Healthcare Statistics for HIM Professionals*; *Pocket Glossary
of Health Information Management and Technology*): the patients occupying beds at a point in time, a
patient discharged at that instant no longer counted and one admitted at it counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from recordroom.encounters.models import AdtEvent, AdtKind, Bed, Encounter, EncounterStatus, Unit


@dataclass(frozen=True)
class Stay:
    encounter_id: int
    bed_id: int
    unit_id: int
    start: datetime
    end: datetime | None

    def covers(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)

    def overlaps_from(self, start: datetime) -> bool:
        """Whether this stay meets an open-ended stay beginning at ``start``."""
        return self.end is None or self.end > start


def live_movements(events: Iterable[AdtEvent]) -> list[AdtEvent]:
    """The movements of one encounter that no cancel event undoes, in effective order."""
    rows = list(events)
    cancelled = {e.cancels_id for e in rows if e.cancels_id is not None}
    moves = [e for e in rows if e.is_movement() and e.pk not in cancelled]
    return sorted(moves, key=lambda e: (e.effective_at, e.pk))


def stays_of(events: Iterable[AdtEvent]) -> list[Stay]:
    """The bed stays of one encounter from its events."""
    stays: list[Stay] = []
    current: Stay | None = None
    for event in live_movements(events):
        if current is not None:
            stays.append(Stay(current.encounter_id, current.bed_id, current.unit_id, current.start, event.effective_at))
            current = None
        if event.kind in (AdtKind.ADMIT, AdtKind.TRANSFER) and event.bed_id is not None and event.unit_id is not None:
            current = Stay(event.encounter_id, event.bed_id, event.unit_id, event.effective_at, None)
    if current is not None:
        stays.append(current)
    return stays


def stays_in_beds(
    bed_ids: Sequence[int], *, exclude_encounter_id: int | None = None, present_at: datetime | None = None
) -> list[Stay]:
    """Every stay, of any encounter not cancelled, in one of ``bed_ids``; with ``present_at``, only the
    encounters that could be in a bed then are read (moved into one of the beds by then, admitted by then
    and not discharged before), so a census reads the few present encounters' events, not every stay the
    beds ever had."""
    moves_in = AdtEvent.objects.filter(bed_id__in=bed_ids, kind__in=(AdtKind.ADMIT, AdtKind.TRANSFER))
    if present_at is not None:
        moves_in = moves_in.filter(
            Q(encounter__discharged_at__isnull=True) | Q(encounter__discharged_at__gt=present_at),
            effective_at__lte=present_at,
            encounter__admitted_at__lte=present_at,
        )
    encounter_ids = set(
        moves_in.exclude(encounter__status=EncounterStatus.CANCELLED).values_list("encounter_id", flat=True)
    )
    if exclude_encounter_id is not None:
        encounter_ids.discard(exclude_encounter_id)
    by_encounter: dict[int, list[AdtEvent]] = defaultdict(list)
    for event in AdtEvent.objects.filter(encounter_id__in=encounter_ids).order_by("pk"):
        by_encounter[event.encounter_id].append(event)
    wanted = set(bed_ids)
    return [stay for rows in by_encounter.values() for stay in stays_of(rows) if stay.bed_id in wanted]


def bed_taken_from(bed_id: int, start: datetime, *, encounter: Encounter | None) -> bool:
    """Whether another encounter occupies the bed at ``start`` or later (no double booking)."""
    exclude = encounter.pk if encounter is not None else None
    return any(stay.overlaps_from(start) for stay in stays_in_beds([bed_id], exclude_encounter_id=exclude))


def census_at(unit: Unit, at: datetime) -> list[Encounter]:
    """The encounters occupying the unit's beds at the instant ``at``, from the ADT history, in bed order.

    Internal: it asks no policy and records nothing. Callers outside this app use the audited
    ``encounters.services.census``. AHIMA census definition (*Basic Healthcare Statistics for HIM
    Professionals*): the inpatients present at the census-taking time; a patient discharged or transferred
    out at ``at`` is not counted, one admitted or transferred in at ``at`` is; cancelled movements count as
    never having happened.
    """
    bed_ids = list(Bed.objects.filter(unit=unit).values_list("pk", flat=True))
    present = {stay.encounter_id: stay.bed_id for stay in stays_in_beds(bed_ids, present_at=at) if stay.covers(at)}
    rows = Encounter.objects.filter(pk__in=present).select_related("current_bed")
    codes = dict(Bed.objects.filter(pk__in=present.values()).values_list("pk", "code"))
    return sorted(rows, key=lambda e: (codes[present[e.pk]], e.pk))
