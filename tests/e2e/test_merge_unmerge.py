"""A clerk merges a duplicate record (compare side by side, give a reason, confirm), sees the retired
record point to the survivor, and undoes the merge from the merge history; axe-core finds nothing
serious or critical on any of these screens (WCAG 2.1 AA)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.encounters.models import Encounter
from recordroom.encounters.tests.factories import make_encounter
from recordroom.patients.models import Patient, PatientStatus
from recordroom.patients.tests.factories import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()


def assert_accessible(page: Page, screen: str) -> None:
    results = AXE.run(page)
    assert results.response["passes"], "axe-core reported no checks at all"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{screen} ({page.url}): " + "; ".join(f"{v['id']}: {v['help']}" for v in blocking)


def test_a_clerk_merges_a_duplicate_and_undoes_the_merge(page: Page, steps):
    # Given two registrations of one person, the duplicate with an encounter
    clerk = make_user([Role.HIM_CLERK])
    survivor = make_patient(actor=clerk.user, given_name="John", family_name="Smith", date_of_birth=date(1980, 3, 2))
    retired = make_patient(actor=clerk.user, given_name="Jon", family_name="Smyth", date_of_birth=date(1980, 3, 2))
    make_encounter(actor=clerk.user, patient=retired)
    steps.sign_in(page, clerk)

    # When the clerk opens the merge screen from the duplicate queue's link
    page.goto(f"/patients/merge/?survivor={survivor.public_id}&retired={retired.public_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge duplicate records")
    comparison = page.locator("#merge-comparison")
    expect(comparison).to_contain_text("Smith, John")
    expect(comparison).to_contain_text("Smyth, Jon")
    assert_accessible(page, "merge comparison")

    # Then a reason is required before the confirmation step
    page.get_by_role("button", name="Review merge").click()
    expect(page.locator(".errorlist")).to_be_visible()
    page.get_by_label("Reason").fill("Same person: DOB, phone and address match")
    page.get_by_role("button", name="Review merge").click()
    expect(page.locator("#merge-confirm")).to_contain_text(f"Record {retired.mrn} will be marked merged")
    assert_accessible(page, "merge confirmation")
    assert Patient.objects.get(pk=retired.pk).status == PatientStatus.ACTIVE

    # When they confirm, the survivor's page says so and holds the encounter
    page.get_by_role("button", name="Confirm merge").click()
    expect(page).to_have_url(re.compile(rf"/patients/{survivor.public_id}/\?merged=1$"))
    expect(page.get_by_role("status").first).to_contain_text("merged into this one")
    assert Encounter.objects.get().patient_id == survivor.pk

    # And the retired record leads to the survivor
    page.goto(f"/patients/{retired.public_id}/")
    expect(page.locator("#merged-notice")).to_contain_text("merged into another record")
    assert_accessible(page, "merged record")
    page.get_by_role("link", name="Open the surviving record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Smith, John")

    # When they undo the merge from the merge history
    page.get_by_role("link", name="Merge history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge history")
    assert_accessible(page, "merge history")
    page.get_by_label("Reason for undoing").fill("Different people: twins")
    page.get_by_role("button", name="Undo this merge").click()

    # Then the merge is undone and the encounter is back on the retired record
    expect(page.get_by_role("status").first).to_contain_text("The merge was undone")
    expect(page.locator("#merge-history")).to_contain_text("Undone")
    assert Patient.objects.get(pk=retired.pk).status == PatientStatus.ACTIVE
    assert Encounter.objects.get().patient_id == retired.pk


def test_a_clerk_picks_records_by_mrn_and_the_pick_screen_is_accessible(page: Page, steps):
    clerk = make_user([Role.HIM_CLERK])
    survivor, retired = make_patient(actor=clerk.user), make_patient(actor=clerk.user)
    steps.sign_in(page, clerk)
    page.goto("/patients/merge/")
    assert_accessible(page, "merge pick")
    page.get_by_label("Surviving record (MRN or record id)").fill(survivor.mrn)
    page.get_by_label("Duplicate record to retire (MRN or record id)").fill(retired.mrn)
    page.get_by_role("button", name="Compare records").click()
    expect(page.locator("#merge-comparison")).to_contain_text(retired.mrn)
    assert survivor.mrn not in page.url


def test_the_recent_merges_screen_is_accessible(page: Page, steps):
    clerk = make_user([Role.HIM_CLERK])
    survivor, retired = make_patient(actor=clerk.user), make_patient(actor=clerk.user)
    steps.sign_in(page, clerk)
    page.goto(f"/patients/merge/?survivor={survivor.public_id}&retired={retired.public_id}")
    page.get_by_label("Reason").fill("Duplicate registration")
    page.get_by_role("button", name="Review merge").click()
    page.get_by_role("button", name="Confirm merge").click()
    page.goto("/patients/")
    page.get_by_role("link", name="Recent merges").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recent merges and splits")
    expect(page.locator("#recent-merges tbody tr")).to_have_count(1)
    assert_accessible(page, "recent merges")
