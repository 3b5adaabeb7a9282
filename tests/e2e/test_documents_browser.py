"""Documents in the browser: a physician writes, signs and addends a note and finds it by full-text search;
a clerk uploads scanned paper, the background worker recognizes its text with Tesseract, and the clerk
indexes it from the queue; a clerk records and denies a patient's amendment request. axe-core finds nothing
serious or critical on any of these screens (WCAG 2.1 AA)."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.core.vocabulary import Purpose
from recordroom.documents.services import process_scans, sign_document
from recordroom.documents.tests.factories import authored_note, png_with_text
from recordroom.encounters.tests.factories import make_encounter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()
DOCUMENT_URL = re.compile(r"/documents/[0-9a-f-]{36}/\?done=")


def assert_accessible(page: Page, screen: str) -> None:
    results = AXE.run(page)
    assert results.response["passes"], "axe-core reported no checks at all"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{screen} ({page.url}): " + "; ".join(f"{v['id']}: {v['help']}" for v in blocking)


def test_a_physician_writes_signs_and_addends_a_note_and_finds_it(page: Page, steps):
    # Given an attending physician of an admitted patient
    doctor = make_user([Role.PHYSICIAN])
    encounter = make_encounter(attending=doctor.user)
    steps.sign_in(page, doctor)

    # When they open the patient's record, the documents section loads (none yet)
    page.goto(f"/patients/{encounter.patient.public_id}/")
    section = page.locator("#patient-documents")
    expect(section).to_contain_text("No documents you may see are filed for this patient.")
    assert_accessible(page, "patient page with documents")

    # And they write a progress note
    section.get_by_role("link", name="File a document").click()
    assert_accessible(page, "filing form")
    page.get_by_label("Document type").select_option("progress_note")
    page.get_by_label("Title").fill("Day 2 progress note")
    page.get_by_label("Date and time of service").fill("2026-01-06T09:30")
    page.get_by_label("Encounter").select_option(index=1)
    page.get_by_label("Or type the text").fill("Febrile overnight. Blood cultures drawn. Start vancomycin.")
    page.get_by_role("button", name="File the document").click()

    # Then the viewer shows the text, unsigned; they sign it
    expect(page).to_have_url(DOCUMENT_URL)
    expect(page.locator("#document-text")).to_contain_text("Start vancomycin.")
    expect(page.locator("#document-auth-status")).to_have_text("Unsigned")
    assert_accessible(page, "document viewer (unsigned)")
    page.get_by_role("button", name="Sign version 1").click()
    expect(page.get_by_role("status")).to_have_text("Document signed.")
    expect(page.locator("#document-auth-status")).to_have_text("Signed")
    expect(page.locator("#signatures")).to_contain_text(doctor.user.display_name)
    # A signed document offers no new version, only an addendum or a correction
    expect(page.get_by_role("button", name="Add version")).to_have_count(0)
    assert_accessible(page, "document viewer (signed)")

    # When they add an addendum
    page.get_by_label("Addendum title").fill("Addendum: culture result")
    page.locator("#id_addendum-text").fill("Cultures grew MRSA.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.get_by_role("status")).to_have_text("Addendum added.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Addendum: culture result")

    # And they search for a word of the note
    page.goto("/documents/search/")
    assert_accessible(page, "document search")
    page.get_by_label("Words in the document").fill("vancomycin")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results")).to_contain_text("Day 2 progress note")
    assert "vancomycin" not in page.url
    assert_accessible(page, "document search results")


needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None and not os.environ.get("RECORDROOM_REQUIRE_TESSERACT"),
    reason="tesseract-ocr is not installed",
)


@needs_tesseract
def test_a_clerk_uploads_scanned_paper_and_indexes_it(page: Page, steps, tmp_path):
    clerk = make_user([Role.HIM_CLERK])
    encounter = make_encounter()
    steps.sign_in(page, clerk)

    # A scanned page is uploaded from the patient's record
    page.goto(f"/patients/{encounter.patient.public_id}/")
    page.locator("#patient-documents").get_by_role("link", name="Upload scanned paper").click()
    assert_accessible(page, "scanned paper queue")
    scan = tmp_path / "consent.png"
    scan.write_bytes(png_with_text("CONSENT FOR SURGERY"))
    page.get_by_label("Scanned file (PDF, TIFF, PNG or JPEG)").set_input_files(str(scan))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text("Scan queued for text recognition.")
    expect(page.locator("#scan-queue")).to_contain_text("Queued for text recognition")

    # A non-image is refused with a clear message
    junk = tmp_path / "scan.pdf"
    junk.write_bytes(b"this is not a PDF")
    page.get_by_label("Scanned file (PDF, TIFF, PNG or JPEG)").set_input_files(str(junk))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".errorlist")).to_contain_text("is not an accepted file type")

    # The background worker (recordroom documents process-scans) recognizes the text
    assert process_scans().processed == 1
    page.goto("/documents/scans/")
    expect(page.locator("#scan-queue")).to_contain_text("Ready for indexing")
    page.locator("#scan-queue").get_by_role("link").first.click()
    expect(page.locator("#scan-text")).to_contain_text("SURGERY")
    assert_accessible(page, "scan indexing page")

    # The clerk confirms patient, encounter and type
    page.get_by_label("Patient MRN").fill(encounter.patient.mrn)
    page.get_by_label("Encounter number (optional)").fill(str(encounter.number))
    page.get_by_label("Document type").select_option("consent")
    page.get_by_label("Title").fill("Surgical consent")
    page.get_by_label("Date of service").fill("2026-01-05")
    page.get_by_role("button", name="File into the record").click()
    expect(page.get_by_role("status")).to_have_text("Scan indexed into the patient's record.")
    expect(page.locator("#queue-empty")).to_be_visible()

    # And the patient's documents list it (index only: a clerk does not read consents)
    page.goto(f"/patients/{encounter.patient.public_id}/")
    expect(page.locator("#document-list")).to_contain_text("Surgical consent")


def test_a_clerk_records_and_denies_an_amendment_request(page: Page, steps):
    clerk = make_user([Role.HIM_CLERK])
    document, author = authored_note()
    sign_document(actor=author, purpose=Purpose.TREATMENT, document=document)
    steps.sign_in(page, clerk)

    page.goto(f"/documents/{document.public_id}/")
    expect(page.locator("#content-restricted")).to_be_visible()
    page.get_by_role("link", name="Record a patient's amendment request").click()
    assert_accessible(page, "amendment request form")
    page.get_by_label("Date the written request was received").fill("2026-01-10")
    page.get_by_label("Amendment requested").fill("Please correct my allergy.")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("status")).to_have_text("Amendment request recorded.")
    expect(page.locator("#amendment-due")).to_have_text("2026-03-11")
    assert_accessible(page, "amendment request")

    page.get_by_label("Basis for denial").select_option("accurate_complete")
    page.get_by_label("Explanation (plain language)").fill("The allergy was confirmed by testing.")
    page.get_by_role("button", name="Record the denial").click()
    expect(page.locator("#amendment-status")).to_have_text("Denied")
    expect(page.get_by_role("textbox", name="Statement of disagreement", exact=True)).to_be_visible()
    page.goto("/documents/amendments/")
    expect(page.locator("#worklist-empty")).to_be_visible()
    assert_accessible(page, "amendment work list")
