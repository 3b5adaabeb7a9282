"""MPI maintenance in the browser: registration with gender identity, language, race/ethnicity and an
identifier; correcting demographics; adding an identifier; splitting an overlay; the master patient index
and its export link. axe-core finds nothing serious or critical on each screen (WCAG 2.1 AA)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.encounters.models import Encounter
from recordroom.encounters.tests.factories import make_encounter
from recordroom.patients.models import Patient, PatientIdentifier
from recordroom.patients.tests.factories import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()


def assert_accessible(page: Page, screen: str) -> None:
    results = AXE.run(page)
    assert results.response["passes"], "axe-core reported no checks at all"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{screen} ({page.url}): " + "; ".join(f"{v['id']}: {v['help']}" for v in blocking)


def test_a_clerk_registers_with_coded_demographics_and_an_identifier_then_corrects_them(page: Page, steps):
    steps.sign_in(page, make_user([Role.HIM_CLERK]))
    page.goto("/patients/new/")
    page.get_by_label("Given name").fill("Zoë")
    page.get_by_label("Family name").fill("Nguyễn-Brown")
    page.get_by_label("Date of birth").fill("1985-07-14")
    page.get_by_label("Sex (administrative)").select_option("F")
    page.get_by_label("Gender identity (optional)").select_option("446141000124107")
    page.get_by_label("Preferred language (optional)").select_option("vi")
    page.get_by_label("Ethnicity (optional)").select_option("2186-5")
    page.get_by_label("Asian").check()
    page.get_by_label("White", exact=True).check()
    page.get_by_label("Assigning authority (optional)").fill("IL-DMV")
    page.get_by_label("Identifier type").select_option("DL")
    page.get_by_label("Identifier number").fill("N123-4567-8901")
    assert_accessible(page, "registration with coded demographics")
    page.get_by_role("button", name="Register patient").click()

    expect(page).to_have_url(re.compile(r"/patients/[0-9a-f-]{36}/\?registered=1$"))
    expect(page.locator(".demographics")).to_contain_text("Identifies as female")
    expect(page.locator(".demographics")).to_contain_text("Vietnamese")
    expect(page.locator(".demographics")).to_contain_text("Asian, White")
    expect(page.locator("#patient-identifiers")).to_contain_text("N123-4567-8901")
    assert_accessible(page, "patient page with identifiers and address history")

    # Correct the preferred language
    page.get_by_role("link", name="Correct demographics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct demographics")
    assert_accessible(page, "correct demographics")
    page.get_by_label("Preferred language (optional)").select_option("en")
    page.get_by_label("Street address (optional)", exact=True).fill("12 Lake Rd")
    page.get_by_label("City (optional)", exact=True).fill("Chicago")
    page.get_by_label("State (optional)", exact=True).fill("IL")
    page.get_by_label("ZIP code (optional)", exact=True).fill("60601")
    page.get_by_role("button", name="Save demographics").click()
    expect(page.get_by_role("status").first).to_contain_text("Demographics saved")
    expect(page.locator("#patient-addresses")).to_contain_text("12 Lake Rd")

    # Add a second identifier
    page.get_by_role("link", name="Add an identifier").click()
    assert_accessible(page, "add an identifier")
    page.get_by_label("Assigning authority").fill("US-CMS")
    page.get_by_label("Identifier type").select_option("MC")
    page.get_by_label("Identifier number").fill("1EG4-TE5-MK73")
    page.get_by_role("button", name="Add identifier").click()
    expect(page.locator("#patient-identifiers")).to_contain_text("Medicare number")
    assert PatientIdentifier.objects.count() == 2

    # And find the patient by that identifier
    page.goto("/patients/")
    page.get_by_label("Name or MRN").fill("1EG4TE5MK73")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_have_text("1 patient found.")


def test_a_clerk_splits_an_overlay(page: Page, steps):
    clerk = make_user([Role.HIM_CLERK])
    source = make_patient(actor=clerk.user)
    encounter = make_encounter(actor=clerk.user, patient=source)
    steps.sign_in(page, clerk)
    page.goto(f"/patients/{source.public_id}/")
    page.get_by_role("link", name="Split an overlay (two people in this record)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Split an overlay")
    assert_accessible(page, "overlay split")
    page.get_by_role("checkbox", name=re.compile(r"Encounter [0-9a-f]{8}")).check()
    page.get_by_label("Given name").fill("Ana")
    page.get_by_label("Family name").fill("Other")
    page.get_by_label("Date of birth").fill("1992-02-02")
    page.get_by_label("Sex (administrative)").select_option("F")
    page.get_by_label("Reason").fill("Two people in one record: the sister's visit")
    page.get_by_role("button", name="Split into a new record").click()
    expect(page.get_by_role("status").first).to_contain_text("second person's record was created")
    new = Patient.objects.exclude(pk=source.pk).get()
    assert Encounter.objects.get(pk=encounter.pk).patient_id == new.pk


def test_the_master_patient_index_lists_pages_and_offers_the_export_to_the_director(page: Page, steps):
    clerk = make_user([Role.HIM_CLERK]).user
    for _ in range(3):
        make_patient(actor=clerk)
    steps.sign_in(page, make_user([Role.HIM_DIRECTOR]))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patient index").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Master patient index")
    expect(page.get_by_role("status")).to_contain_text("3 records")
    expect(page.locator("#mpi-index tbody tr")).to_have_count(3)
    expect(page.get_by_role("link", name="Export as CSV")).to_be_visible()
    assert_accessible(page, "master patient index")
    page.get_by_label("Status").select_option("merged")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_contain_text("0 records")
