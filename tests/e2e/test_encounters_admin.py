"""An HIM director sets up a unit, changes its bed counts from a date and manages its beds (an occupied
bed cannot be taken out of service); a clerk adds a consulting physician on the encounter page. axe-core
finds nothing serious or critical on these screens (WCAG 2.1 AA; ONC 170.315(g)(5))."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.encounters.tests.factories import bed_of, make_encounter, make_physician, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()


def assert_accessible(page: Page, screen: str) -> None:
    results = AXE.run(page)
    assert results.response["passes"], "axe-core reported no checks at all"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{screen} ({page.url}): " + "; ".join(f"{v['id']}: {v['help']}" for v in blocking)


def test_a_director_sets_up_a_unit_and_its_beds(page: Page, steps):
    # Given an HIM director and a unit whose bed 01 has a patient in it
    director = make_user([Role.HIM_DIRECTOR])
    busy = make_unit(code="ICU", name="Intensive care", kind="icu", beds=2)
    make_encounter(bed=bed_of(busy, "01"))
    steps.sign_in(page, director)

    # When they open Units and beds from the navigation
    page.get_by_role("link", name="Units and beds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Units and beds")
    expect(page.locator("#unit-list")).to_contain_text("ICU")
    assert_accessible(page, "units list")

    # And create a unit with 20 licensed and 18 staffed beds, first with staffed above licensed
    page.get_by_label("Unit code").fill("4WEST")
    page.get_by_label("Name").fill("4 West medical")
    page.get_by_label("Kind of unit").select_option("medical")
    page.get_by_label("Licensed beds").fill("20")
    page.get_by_label("Staffed beds").fill("22")
    page.get_by_label("In service from").fill("2026-01-01")
    page.get_by_role("button", name="Create unit").click()
    expect(page.locator("#id_staffed_beds_errors")).to_have_text("staffed_beds cannot exceed licensed_beds.")
    assert_accessible(page, "units list with an error")
    page.get_by_label("Staffed beds").fill("18")
    page.get_by_role("button", name="Create unit").click()

    # Then the unit page shows its first bed-count period
    expect(page.get_by_role("status")).to_have_text("Unit created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Unit 4WEST: 4 West medical")
    expect(page.locator("#capacity-periods tbody tr")).to_have_count(1)
    assert_accessible(page, "unit page")

    # When they record 24 staffed beds from April 11 and add bed 01
    page.get_by_label("Licensed beds").fill("24")
    page.get_by_label("Staffed beds").fill("24")
    page.get_by_label("Effective from").fill("2026-04-11")
    page.get_by_role("button", name="Record bed counts").click()
    expect(page.get_by_role("status")).to_have_text("Bed counts recorded.")
    rows = page.locator("#capacity-periods tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("2026-04-10")
    page.get_by_label("Bed code").fill("01")
    page.get_by_role("button", name="Add bed").click()
    expect(page.get_by_role("status")).to_have_text("Bed added.")
    expect(page.locator("#bed-list")).to_contain_text("in service")

    # And an earlier date than the latest counts is refused with the reason
    page.get_by_label("Licensed beds").fill("10")
    page.get_by_label("Staffed beds").fill("10")
    page.get_by_label("Effective from").fill("2026-02-01")
    page.get_by_role("button", name="Record bed counts").click()
    expect(page.locator("#id_effective_from_errors")).to_contain_text("must be after 2026-04-11")

    # When they try to take the occupied ICU bed out of service, it is refused
    page.goto("/encounters/units/ICU/")
    page.get_by_role("button", name="Take bed 01 out of service").click()
    expect(page.locator("#bed-error")).to_contain_text("transfer the patient first")
    assert_accessible(page, "unit page with a refused bed")
    # And the free bed 02 goes out of service
    page.get_by_role("button", name="Take bed 02 out of service").click()
    expect(page.get_by_role("status")).to_have_text("Bed taken out of service.")
    expect(page.get_by_role("button", name="Put bed 02 back in service")).to_be_visible()


def test_a_clerk_adds_a_consulting_physician(page: Page, steps):
    clerk = make_user([Role.HIM_CLERK])
    encounter = make_encounter(actor=clerk.user)
    consultant = make_physician()
    steps.sign_in(page, clerk)
    page.goto(f"/encounters/{encounter.public_id}/")
    assert_accessible(page, "encounter page with the consultant form")
    page.get_by_label("Consulting physician").select_option(label=consultant.display_name)
    page.get_by_role("button", name="Add consulting physician").click()
    expect(page.get_by_role("status")).to_have_text("Consulting physician added.")
    expect(page.locator("dl.demographics")).to_contain_text(consultant.display_name)
    page.get_by_label("Consulting physician").select_option(label=consultant.display_name)
    page.get_by_role("button", name="Add consulting physician").click()
    expect(page.locator("#id_physician_errors")).to_have_text("That physician is already on the encounter.")
    assert_accessible(page, "encounter page with a consultant error")
