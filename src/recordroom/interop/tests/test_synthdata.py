"""The synthetic hospital's generators, without a database: keying errors, date slips, the population's
planted pairs, and a year's bed plan in which no bed is ever double-booked."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from recordroom.interop.synthdata.clinical import DX, PCS, SCENARIOS
from recordroom.interop.synthdata.people import dob_slip, make_population, typo
from recordroom.interop.synthdata.plan import draw_scenarios, plan_encounters

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_a_typo_changes_one_keystroke():
    rng = random.Random(1)  # noqa: S311
    for name in ("Margaret", "Núñez", "O'Brien", "Lee"):
        changed = typo(rng, name)
        assert changed != name
        assert abs(len(changed) - len(name)) <= 1


def test_a_dob_slip_is_a_real_different_date_not_in_the_future():
    rng = random.Random(2)  # noqa: S311
    for born in (date(1980, 3, 7), date(1999, 12, 31), date(2026, 6, 1), date(1972, 2, 29)):
        slipped = dob_slip(rng, born, TODAY)
        assert slipped != born
        assert slipped <= TODAY


def test_the_population_plants_the_share_of_duplicates_asked_for():
    population = make_population(random.Random(3), TODAY, 2000, duplicate_rate=0.1, romanize=lambda n: n)  # noqa: S311
    duplicates = [p for p in population.planted if p.is_duplicate]
    assert len(population.people) == 2000
    assert len(duplicates) == 200
    assert all(p.original < p.duplicate for p in population.planted)
    ages = [(TODAY - p.date_of_birth).days // 365 for p in population.people]
    assert min(ages) == 0
    assert max(ages) >= 85


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the package reads its data with importlib's old API
def test_every_diagnosis_code_is_a_billable_icd10cm_code_with_its_official_description():
    import simple_icd_10_cm as icd  # type: ignore[import-untyped]

    for code, description in DX.items():
        assert icd.is_valid_item(code), code
        assert icd.is_leaf(code), code  # billable: no subcodes below it
        assert icd.get_description(code) == description, code


def test_every_procedure_code_has_the_icd10pcs_shape():
    for code in PCS:
        assert len(code) == 7
        assert all(ch.isdigit() or (ch.isupper() and ch not in "IO") for ch in code), code


def test_every_scenario_code_is_in_the_code_sample():
    for scenario in SCENARIOS:
        assert set(scenario.dx) | set(scenario.secondary) <= set(DX)
        assert set(scenario.px) <= set(PCS)


def test_a_year_of_planned_stays_never_puts_two_patients_in_one_bed():
    rng = random.Random(4)  # noqa: S311
    scenarios = draw_scenarios(rng, 6000)
    pools = {"any": list(range(3000))}
    plan = plan_encounters(rng, scenarios, pools, NOW, {})
    stays = defaultdict(list)
    for encounter in plan.encounters:
        moves = encounter.movements
        for here, after in itertools.zip_longest(moves, moves[1:]):
            if here.kind == "discharge" or here.unit is None:
                continue
            end = after.at if after is not None else NOW + timedelta(days=365)
            stays[(here.unit, here.bed)].append((here.at, end))
    assert stays
    for periods in stays.values():
        periods.sort()
        for (_, end), (start, _) in itertools.pairwise(periods):
            assert end <= start
    assert any(e.in_house for e in plan.encounters)
    assert all(e.discharged_at is None or e.discharged_at <= NOW for e in plan.encounters)
