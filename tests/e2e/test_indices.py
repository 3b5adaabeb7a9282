"""An HIM director reads the physician and disease indices, filtered by dates and code prefix, and
downloads one as CSV; axe-core finds nothing serious or critical on the screen (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.encounters.tests.factories import T0, make_clerk, make_condition, make_encounter, make_physician

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()


def assert_accessible(page: Page, screen: str) -> None:
    results = AXE.run(page)
    assert results.response["passes"], "axe-core reported no checks at all"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{screen} ({page.url}): " + "; ".join(f"{v['id']}: {v['help']}" for v in blocking)


def test_a_director_reads_and_exports_the_indices(page: Page, steps):
    # Given two encounters of one physician, and reported diagnoses
    clerk = make_clerk()
    doctor = make_physician()
    first = make_encounter(actor=clerk, attending=doctor)
    make_encounter(actor=clerk, attending=doctor)
    make_condition(actor=clerk, encounter=first, code="E11.9")
    make_condition(actor=clerk, code="I10", onset_at=T0)
    director = make_user([Role.HIM_DIRECTOR])
    steps.sign_in(page, director)

    # When they open the record indices and ask for the physician's cases in January 2026
    page.get_by_role("link", name="Record indices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record indices")
    assert_accessible(page, "index filters")
    page.get_by_label("Index", exact=True).select_option("physician")
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-01-31")
    page.get_by_label("Physician (physician index)").select_option(label=doctor.display_name)
    page.get_by_role("button", name="Show index").click()

    # Then both cases are listed as attending
    expect(page.get_by_role("heading", level=2)).to_have_text("Physician index")
    expect(page.locator("#index-rows tbody tr")).to_have_count(2)
    expect(page.locator("#index-rows tbody tr").nth(0)).to_contain_text("attending")
    assert_accessible(page, "physician index")

    # When they list the disease index for codes starting E11
    page.get_by_label("Index", exact=True).select_option("disease")
    page.get_by_label("Physician (physician index)").select_option(label="Any")
    page.get_by_label("Code starts with (disease and procedure)").fill("e11")
    page.get_by_role("button", name="Show index").click()
    rows = page.locator("#index-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("E11.9")
    assert_accessible(page, "disease index")

    # And download it as CSV
    with page.expect_download() as info:
        page.get_by_role("link", name="Download every row as CSV").click()
    text = open(info.value.path(), encoding="utf-8").read()  # noqa: PTH123, SIM115
    assert text.splitlines()[0].startswith("Code,Code system,Description,MRN")
    assert text.splitlines()[1].startswith("E11.9,ICD-10-CM,")

    # And a range that ends before it starts is refused with the reason
    page.get_by_label("From", exact=True).fill("2026-02-01")
    page.get_by_label("To", exact=True).fill("2026-01-01")
    page.get_by_role("button", name="Show index").click()
    expect(page.locator("#id_end_errors")).to_have_text("end is before start.")
    assert_accessible(page, "index filters with an error")
