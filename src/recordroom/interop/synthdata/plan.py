"""The synthetic hospital's year of activity, planned in memory before anything is written.

The plan is a list of encounters with their ADT movements. Beds are handed out in admission order from a
per-unit heap keyed by the time each bed is free again (plus a cleaning turnaround), so no bed ever holds
two patients at once: a bed is given to a stay only when it is free at the stay's start, and a transfer
reserves its next bed the same way. Stays that end after "now" stay in house (no discharge movement).
Census counts present-at-midnight stays (AHIMA, *Basic Healthcare Statistics*); a believable occupancy
(about 75 %) comes from sizing the units to the planned patient days.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from recordroom.interop.synthdata.clinical import DISPOSITIONS, NEWBORN, SCENARIOS, Scenario

WINDOW_DAYS = 365
TARGET_OCCUPANCY = 0.75
TURNAROUND_HOURS = (1, 4)
UNIT_LAYOUT = (  # (code, name, kind, share of planned bed days, minimum beds)
    ("MED4", "Medicine 4 West", "medical", 1.0, 6),
    ("SURG5", "Surgery 5 East", "surgical", 1.0, 4),
    ("ICU", "Medical-Surgical ICU", "icu", 1.0, 4),
    ("LDRP", "Labor, Delivery, Recovery and Postpartum", "ob", 1.0, 4),
    ("NURS", "Newborn Nursery", "nursery", 1.0, 4),
    ("PEDS", "Pediatrics", "pediatric", 1.0, 3),
    ("PSY", "Behavioral Health", "psychiatric", 1.0, 4),
    ("OBS", "Clinical Decision Unit (Observation)", "observation", 1.0, 4),
    ("ED", "Emergency Department", "ed", 0.0, 0),
)  # fmt: skip


@dataclass
class Movement:
    kind: str  # admit | transfer | discharge
    at: datetime
    unit: str | None = None
    bed: int | None = None  # index into the unit's beds
    disposition: str = ""


@dataclass
class PlannedEncounter:
    scenario: Scenario
    patient: int  # index into the population
    admitted_at: datetime
    discharged_at: datetime | None
    disposition: str
    admit_source: str
    payer: str
    movements: list[Movement] = field(default_factory=list)
    mother: PlannedEncounter | None = None  # a newborn's: the mother's delivery

    @property
    def in_house(self) -> bool:
        return self.discharged_at is None


@dataclass
class Plan:
    beds: dict[str, int]  # unit code -> number of beds
    encounters: list[PlannedEncounter]


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    total = sum(w for _, w in choices)
    pick = rng.random() * total
    for value, weight in choices:
        pick -= weight
        if pick < 0:
            return value
    return choices[-1][0]


def unit_for_kind(kind: str) -> str:
    return next(code for code, _, unit_kind, _, _ in UNIT_LAYOUT if unit_kind == kind)


def draw_scenarios(rng: random.Random, count: int) -> list[Scenario]:
    weights = tuple((s.key, s.weight) for s in SCENARIOS)
    by_key = {s.key: s for s in SCENARIOS}
    return [by_key[_weighted(rng, weights)] for _ in range(count)]


def size_units(scenarios: list[Scenario], window_days: int = WINDOW_DAYS) -> dict[str, int]:
    """Beds per unit so the planned patient days fill about :data:`TARGET_OCCUPANCY` of the bed days."""
    hours: dict[str, float] = {code: 0.0 for code, *_ in UNIT_LAYOUT}
    for scenario in scenarios:
        mean = sum(scenario.stay_hours) / 2
        for kind in scenario.units:
            hours[unit_for_kind(kind)] += mean / len(scenario.units)
        if scenario.key in {"delivery", "cesarean"}:
            hours[unit_for_kind("nursery")] += sum(NEWBORN.stay_hours) / 2
    beds = {}
    for code, _, _, _, minimum in UNIT_LAYOUT:
        needed = hours[code] / (window_days * 24 * TARGET_OCCUPANCY)
        beds[code] = 0 if code == "ED" else max(minimum, math.ceil(needed))
    return beds


class BedBoard:
    """Per unit, a heap of (free from, bed index)."""

    def __init__(self, beds: dict[str, int], start: datetime) -> None:
        self.heaps = {code: [(start, n) for n in range(count)] for code, count in beds.items()}
        for heap in self.heaps.values():
            heapq.heapify(heap)

    def take(self, unit: str, at: datetime) -> int | None:
        heap = self.heaps.get(unit)
        if not heap or heap[0][0] > at:
            return None
        return heapq.heappop(heap)[1]

    def release(self, unit: str, bed: int, free_from: datetime) -> None:
        heapq.heappush(self.heaps[unit], (free_from, bed))


def plan_encounters(
    rng: random.Random, scenarios: list[Scenario], patients_for: dict[str, list[int]], now: datetime,
    mothers_babies: dict[int, int], *, window_days: int = WINDOW_DAYS,
) -> Plan:  # fmt: skip
    """Place each scenario in time and in beds. ``patients_for[key]`` lists the population indexes eligible
    for scenario ``key`` (age and sex fit); ``mothers_babies`` maps a delivery's position in ``scenarios``
    to the newborn's population index."""
    start = now - timedelta(days=window_days)
    beds = size_units(scenarios, window_days)
    board = BedBoard(beds, start)
    span = (now - start).total_seconds()
    timed = sorted(
        ((start + timedelta(seconds=rng.random() * span), n, s) for n, s in enumerate(scenarios)),
        key=lambda item: (item[0], item[1]),
    )
    encounters: list[PlannedEncounter] = []
    busy_until: dict[int, datetime] = {}  # a patient is in one place at a time
    for admitted_at, position, scenario in timed:
        pool = patients_for.get(scenario.key) or patients_for["any"]
        patient = pool[rng.randrange(len(pool))]
        for _ in range(8):
            if busy_until.get(patient, start) <= admitted_at:
                break
            patient = pool[rng.randrange(len(pool))]
        else:
            continue
        planned = _place(rng, board, scenario, patient, admitted_at.replace(microsecond=0), now)
        if planned is None:
            continue
        busy_until[patient] = planned.discharged_at or now + timedelta(days=window_days)
        encounters.append(planned)
        baby = mothers_babies.get(position)
        if baby is not None and planned.movements:
            delivered = planned.admitted_at + timedelta(hours=rng.randint(2, 14))
            if delivered < now:
                newborn = _place(rng, board, NEWBORN, baby, delivered, now)
                if newborn is not None:
                    newborn.mother = planned
                    newborn.disposition = "01" if newborn.discharged_at else ""
                    encounters.append(newborn)
    encounters.sort(key=lambda e: e.admitted_at)
    return Plan(beds=beds, encounters=encounters)


def _disposition(rng: random.Random, scenario: Scenario) -> str:
    if scenario.encounter_class in {"outpatient", "day_surgery"} or scenario.key in {"delivery", "cesarean"}:
        return "01"
    if scenario.encounter_class == "emergency":
        return _weighted(rng, (("01", 93), ("07", 3), ("02", 2), ("65", 1), ("21", 1)))
    if scenario.encounter_class == "observation":
        return _weighted(rng, (("01", 90), ("06", 6), ("07", 2), ("03", 2)))
    return _weighted(rng, DISPOSITIONS)


def _place(  # noqa: PLR0917  (one placement's inputs)
    rng: random.Random, board: BedBoard, scenario: Scenario, patient: int, admitted_at: datetime, now: datetime
) -> PlannedEncounter | None:
    low, high = scenario.stay_hours
    stay = timedelta(hours=rng.uniform(low, high))
    movements: list[Movement] = []
    units = [unit_for_kind(kind) for kind in scenario.units]
    if units:
        bed = board.take(units[0], admitted_at)
        if bed is None:  # the unit is full: the patient boards in the ED and gets the next free bed
            free_from = board.heaps[units[0]][0][0] if board.heaps[units[0]] else None
            if free_from is None or free_from + timedelta(hours=6) > now:
                return None
            admitted_at = max(admitted_at, free_from) + timedelta(minutes=rng.randint(15, 120))
            bed = board.take(units[0], admitted_at)
            if bed is None:
                return None
        movements.append(Movement("admit", admitted_at, units[0], bed))
    else:
        movements.append(Movement("admit", admitted_at))
    ends = admitted_at + stay
    discharged_at = ends if ends <= now else None
    if units:
        # Split the stay between the units of the path (an ICU stay, then the floor).
        at = admitted_at
        for following in units[1:]:
            at = at + stay * rng.uniform(0.3, 0.5)
            if at >= now or (discharged_at and at >= discharged_at):
                break
            bed = board.take(following, at)
            if bed is None:  # no floor bed yet: stays where it is
                continue
            previous = movements[-1]
            board.release(str(previous.unit), int(previous.bed or 0), at + _turnaround(rng))
            movements.append(Movement("transfer", at, following, bed))
        last = movements[-1]
        if discharged_at is not None:
            board.release(str(last.unit), int(last.bed or 0), discharged_at + _turnaround(rng))
    disposition = _disposition(rng, scenario) if discharged_at else ""
    if discharged_at is not None:
        last = movements[-1]
        movements.append(Movement("discharge", discharged_at, last.unit, last.bed, disposition))
    return PlannedEncounter(
        scenario=scenario, patient=patient, admitted_at=admitted_at, discharged_at=discharged_at,
        disposition=disposition, admit_source=rng.choice(scenario.admit_sources),
        payer=_payer(rng, scenario), movements=movements,
    )  # fmt: skip


def _turnaround(rng: random.Random) -> timedelta:
    return timedelta(minutes=rng.randint(TURNAROUND_HOURS[0] * 60, TURNAROUND_HOURS[1] * 60))


def _payer(rng: random.Random, scenario: Scenario) -> str:
    if scenario.ages[0] >= 65:
        return "medicare"
    return _weighted(rng, (("medicare", 30), ("medicaid", 24), ("commercial", 36), ("self_pay", 7), ("other", 3)))
