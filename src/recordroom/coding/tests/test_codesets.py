"""Loading code sets and choosing the one in force by date (FY Oct 1 - Sep 30)."""

from __future__ import annotations

from datetime import date

import pytest

from recordroom.audit.models import AuditEvent
from recordroom.coding.errors import CodingError
from recordroom.coding.models import Code, CodeSet
from recordroom.coding.services import code_set_for, fiscal_year_of, load_code_sets

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_sets")]


@pytest.mark.parametrize(
    ("day", "year"), [(date(2025, 9, 30), 2025), (date(2025, 10, 1), 2026), (date(2026, 9, 30), 2026)]
)
def test_fiscal_year_runs_october_to_september(day, year):
    assert fiscal_year_of(day) == year


def test_loaded_counts_match_cms():
    cm = CodeSet.objects.get(system="icd10cm", version="FY2026")
    assert (cm.billable_count, cm.effective_from, cm.effective_to) == (74719, date(2025, 10, 1), date(2026, 9, 30))
    assert Code.objects.filter(code_set=cm, billable=True).count() == 74719


def test_tabular_expansions_cms_does_not_list_are_not_reportable():
    """S06.1X7D: the tabular forbids 7th characters D and S with 6th character 7; CMS's file omits it."""
    row = Code.objects.get(code_set__system="icd10cm", code="S061X7D")
    assert row.billable is False
    assert row.notes["not_reportable"]


def test_code_set_chosen_by_date():
    assert code_set_for("icd10cm", date(2025, 10, 1)).version == "FY2026"
    with pytest.raises(CodingError) as caught:
        code_set_for("icd10cm", date(2025, 9, 30))
    assert "loaded: FY2026 (2025-10-01 to 2026-09-30)" in caught.value.message


def test_reload_is_idempotent_and_unpackaged_year_refused():
    before = AuditEvent.objects.filter(event_type="coding.code_set_loaded").count()
    results = load_code_sets(fiscal_year=2026)
    assert [r.created for r in results] == [False, False]
    assert AuditEvent.objects.filter(event_type="coding.code_set_loaded").count() == before
    with pytest.raises(CodingError, match="FY2024"):
        load_code_sets(fiscal_year=2024)
