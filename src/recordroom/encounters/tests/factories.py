"""Factories for the encounters tests. Units and beds are reference rows and are built directly;
encounters and every movement go through the real services, by a real clerk, so each row a test sees was
checked, locked and audited the way production does it (STYLE R10)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.core.vocabulary import Purpose
from recordroom.encounters.models import Bed, Encounter, ReportedCondition, ReportedProcedure, Unit
from recordroom.encounters.services import admit_patient, record_reported_condition, record_reported_procedure
from recordroom.patients.models import Patient
from recordroom.patients.tests.factories import make_patient

_counter = itertools.count(1)
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def make_unit(*, beds: int = 2, **overrides: Any) -> Unit:
    """A medical unit in effect since 2020 with ``beds`` active beds (codes 01, 02, ...)."""
    n = next(_counter)
    values: dict[str, Any] = {
        "code": f"U{n}",
        "name": f"Unit {n}",
        "kind": "medical",
        "licensed_beds": beds,
        "staffed_beds": beds,
        "effective_from": date(2020, 1, 1),
    }
    values.update(overrides)
    unit = Unit.objects.create(**values)
    for i in range(1, beds + 1):
        Bed.objects.create(unit=unit, code=f"{i:02d}")
    return unit


def bed_of(unit: Unit, code: str = "01") -> Bed:
    return Bed.objects.select_related("unit").get(unit=unit, code=code)


def make_physician() -> User:
    return make_user([Role.PHYSICIAN]).user


def make_clerk() -> User:
    return make_user([Role.HIM_CLERK]).user


def make_encounter(
    *, actor: User | None = None, patient: Patient | None = None, bed: Bed | None = None, **overrides: Any
) -> Encounter:
    """Admit a patient (a new one unless given) as an inpatient at ``T0`` through ``admit_patient``."""
    clerk = actor or make_clerk()
    values: dict[str, Any] = {
        "encounter_class": "inpatient",
        "admitted_at": T0,
        "admit_type": "3",
        "admit_source": "1",
        "attending": make_physician(),
        "expected_payer": "medicare",
        "bed": bed,
    }
    values.update(overrides)
    return admit_patient(
        actor=clerk, purpose=Purpose.OPERATIONS, patient=patient or make_patient(actor=clerk), **values
    )


def make_condition(
    *, actor: User | None = None, patient: Patient | None = None, encounter: Encounter | None = None, **overrides: Any
) -> ReportedCondition:
    """A diagnosis reported by the FHIR import, through ``record_reported_condition``."""
    clerk = actor or make_clerk()
    target = patient or (encounter.patient if encounter is not None else make_patient(actor=clerk))
    values: dict[str, Any] = {
        "code_system": "icd10cm",
        "code": "E11.9",
        "display": "Type 2 diabetes mellitus without complications",
        "onset_at": T0,
        "source": "fhir",
        "source_key": f"Condition/{next(_counter)}",
    }
    values.update(overrides)
    return record_reported_condition(
        actor=clerk, purpose=Purpose.OPERATIONS, patient_id=target.pk,
        encounter_id=None if encounter is None else encounter.pk, **values,
    )  # fmt: skip


def make_procedure(
    *, actor: User | None = None, patient: Patient | None = None, encounter: Encounter | None = None, **overrides: Any
) -> ReportedProcedure:
    """A procedure reported by the FHIR import, through ``record_reported_procedure``."""
    clerk = actor or make_clerk()
    target = patient or (encounter.patient if encounter is not None else make_patient(actor=clerk))
    values: dict[str, Any] = {
        "code_system": "icd10pcs",
        "code": "0DTJ4ZZ",
        "display": "Resection of appendix, percutaneous endoscopic approach",
        "performed_at": T0,
        "source": "fhir",
        "source_key": f"Procedure/{next(_counter)}",
    }
    values.update(overrides)
    return record_reported_procedure(
        actor=clerk, purpose=Purpose.OPERATIONS, patient_id=target.pk,
        encounter_id=None if encounter is None else encounter.pk, **values,
    )  # fmt: skip
