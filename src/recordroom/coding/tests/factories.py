"""Fixtures of the coding tests: the FY2026 code sets loaded once per test session into the test database
by the real loader (no mock of the code set), and encounters in issue 7's JSON form."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from recordroom.coding.models import CodeSet
from recordroom.coding.services import load_code_sets

BASE_ENCOUNTER: dict[str, Any] = {
    "encounter_type": "inpatient",
    "admit_date": "2026-03-01",
    "discharge_date": "2026-03-05",
    "discharge_disposition": "01",
    "patient": {"birth_date": "1950-01-01", "sex": "F"},
    "diagnoses": [{"code": "I21.4", "poa": "Y", "principal": True}, {"code": "E11.9", "poa": "Y"}],
    "procedures": [{"code": "02703DZ", "date": "2026-03-02"}],
}


def encounter(*diagnoses: str | tuple[str, str], **changes: Any) -> dict[str, Any]:
    """An encounter with these diagnoses (the first principal; POA Y unless given as (code, poa))."""
    data = copy.deepcopy(BASE_ENCOUNTER)
    if diagnoses:
        rows = []
        for position, item in enumerate(diagnoses):
            code, poa = item if isinstance(item, tuple) else (item, "Y")
            rows.append({"code": code, "poa": poa, "principal": position == 0})
        data["diagnoses"] = rows
    for key, value in changes.items():
        data[key] = value
    return data


@pytest.fixture(scope="session")
def code_sets(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load FY2026 ICD-10-CM and ICD-10-PCS into the test database once (committed, outside the tests'
    transactions), or again if a transactional test flushed them."""
    with django_db_blocker.unblock():
        if CodeSet.objects.filter(system="icd10cm", version="FY2026").exists():
            return
        load_code_sets(fiscal_year=2026)
