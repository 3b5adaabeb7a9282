"""A clerk admits a registered patient into a bed, transfers and discharges them, and reads the ADT
timeline; axe-core finds nothing serious or critical on the encounter screens (WCAG 2.1 AA; ONC
170.315(g)(5))."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.encounters.tests.factories import make_physician, make_unit
from recordroom.patients.tests.factories import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()
ENCOUNTER_URL = re.compile(r"/encounters/[0-9a-f-]{36}/\?done=admitted$")


def assert_accessible(page: Page, screen: str) -> None:
    results = AXE.run(page)
    assert results.response["passes"], "axe-core reported no checks at all"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{screen} ({page.url}): " + "; ".join(f"{v['id']}: {v['help']}" for v in blocking)


def test_a_clerk_admits_transfers_and_discharges_and_reads_the_timeline(page: Page, steps):
    # Given a clerk, a registered patient, a physician and a unit with two beds
    clerk = make_user([Role.HIM_CLERK])
    patient = make_patient(actor=clerk.user, given_name="John", family_name="Smith")
    physician = make_physician()
    make_unit(code="MED", name="Medical", beds=2)
    steps.sign_in(page, clerk)

    # When they open the patient page, the encounters section loads (none yet)
    page.goto(f"/patients/{patient.public_id}/")
    section = page.locator("#patient-encounters")
    expect(section).to_contain_text("No encounters recorded.")
    assert_accessible(page, "patient page with encounters")

    # And they admit the patient into bed MED 01
    section.get_by_role("link", name="Admit this patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Admit Smith, John")
    assert_accessible(page, "admit form")
    page.get_by_label("Encounter class").select_option("inpatient")
    page.get_by_label("Admitted at").fill("2026-01-05T08:00")
    page.get_by_label("Admit type (UB-04 FL14)").select_option("3")
    page.get_by_label("Point of origin (UB-04 FL15)").select_option("2")
    page.get_by_label("Attending physician").select_option(label=physician.display_name)
    page.get_by_label("Bed (optional)").select_option(label="MED 01 (Medical)")
    page.get_by_label("Expected payer").select_option("medicare")
    page.get_by_role("button", name="Admit patient").click()

    # Then the encounter page shows the admission in bed MED 01
    expect(page).to_have_url(ENCOUNTER_URL)
    expect(page.get_by_role("status")).to_have_text("Patient admitted.")
    expect(page.locator("#encounter-bed")).to_have_text("MED 01")

    # When they transfer to MED 02 and then discharge home
    page.get_by_label("New bed").select_option(label="MED 02 (Medical)")
    page.get_by_label("Transferred at").fill("2026-01-05T12:00")
    page.get_by_role("button", name="Record transfer").click()
    expect(page.get_by_role("status")).to_have_text("Transfer recorded.")
    expect(page.locator("#encounter-bed")).to_have_text("MED 02")
    page.get_by_label("Discharged at").fill("2026-01-07T10:30")
    page.get_by_label("Discharge status (UB-04 FL17)").select_option("01")
    page.get_by_role("button", name="Record discharge").click()

    # Then the encounter is discharged and the timeline lists every movement with who recorded it
    expect(page.get_by_role("status")).to_have_text("Discharge recorded.")
    expect(page.locator("#encounter-status")).to_have_text("Discharged")
    rows = page.locator("#adt-events tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Admit")
    expect(rows.nth(0)).to_contain_text("2026-01-05 08:00")
    expect(rows.nth(1)).to_contain_text("Transfer")
    expect(rows.nth(1)).to_contain_text("MED 02")
    expect(rows.nth(2)).to_contain_text("Discharge (01)")
    expect(rows.nth(2)).to_contain_text(clerk.user.display_name)
    assert_accessible(page, "encounter view")

    # And the patient page lists the encounter
    page.get_by_role("link", name="Back to the patient").click()
    expect(page.locator("#encounter-list tbody tr")).to_have_count(1)
    expect(page.locator("#encounter-list tbody tr").first).to_contain_text("Discharged")
