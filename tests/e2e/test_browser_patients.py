"""A clerk registers a patient, is warned about a near-identical second registration, and finds the
patient by a misspelled name; axe-core finds nothing serious or critical on the three patient screens
(WCAG 2.1 AA; ONC 170.315(g)(5))."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()
DETAIL_URL = re.compile(r"/patients/[0-9a-f-]{36}/\?registered=1$")


def assert_accessible(page: Page, screen: str) -> None:
    results = AXE.run(page)
    assert results.response["passes"], "axe-core reported no checks at all"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{screen} ({page.url}): " + "; ".join(f"{v['id']}: {v['help']}" for v in blocking)


def fill_registration(page: Page, given: str, family: str) -> None:
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Date of birth").fill("1980-03-02")
    page.get_by_label("Sex (administrative)").select_option("M")
    page.get_by_label("Phone (optional)").fill("217-555-0123")


def test_a_clerk_registers_is_warned_of_a_duplicate_and_finds_the_patient(page: Page, steps):
    # Given a clerk, signed in, on the patient screens
    steps.sign_in(page, make_user([Role.HIM_CLERK]))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    assert_accessible(page, "patient search")

    # When they register John Smith
    page.get_by_role("link", name="Register a patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a patient")
    assert_accessible(page, "registration")
    fill_registration(page, "John", "Smith")
    page.get_by_role("button", name="Register patient").click()

    # Then his demographics page shows the new MRN
    expect(page).to_have_url(DETAIL_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Smith, John")
    expect(page.get_by_role("status")).to_contain_text("Patient registered with MRN")
    mrn = page.locator("#patient-mrn").inner_text()
    assert re.fullmatch(r"\d{8}", mrn)
    assert_accessible(page, "demographics")

    # When they register "Jon Smyth" with the same date of birth
    page.goto("/patients/new/")
    fill_registration(page, "Jon", "Smyth")
    page.get_by_role("button", name="Register patient").click()

    # Then they are warned of a possible duplicate, and nothing is registered yet
    warning = page.locator("#possible-duplicates")
    expect(warning).to_contain_text("Possible duplicate")
    expect(warning.get_by_role("link")).to_have_text(["Possible match 1 (opens in a new tab)"])
    expect(page.get_by_label(re.compile("^Register anyway"))).not_to_be_checked()
    assert_accessible(page, "registration with the duplicate warning")

    # When they search for a misspelled name with the date of birth
    page.get_by_role("link", name="Patients", exact=True).first.click()
    page.get_by_label("Name or MRN").fill("Jon Smyth")
    page.get_by_label("Date of birth (optional)").fill("1980-03-02")
    page.get_by_role("button", name="Search").click()

    # Then John Smith is the one result, and the search term is not in the address bar
    expect(page.get_by_role("status")).to_have_text("1 patient found.")
    rows = page.locator("#patient-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Smith, John")
    expect(rows.first).to_contain_text(mrn)
    assert "Smyth" not in page.url
    assert_accessible(page, "search results")
    rows.first.get_by_role("link", name="Smith, John").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Smith, John")
