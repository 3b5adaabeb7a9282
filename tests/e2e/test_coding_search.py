"""A coder looks codes up by code and by (misspelt) words, reads a header's 7th-character table, and the
screen passes axe-core (WCAG 2.1 AA: nothing serious or critical)."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.coding.services import find_codes, load_code_sets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()


def assert_accessible(page: Page, screen: str) -> None:
    results = AXE.run(page)
    assert results.response["passes"], "axe-core reported no checks at all"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{screen} ({page.url}): " + "; ".join(f"{v['id']}: {v['help']}" for v in blocking)


def test_a_coder_searches_codes(page: Page, steps):
    # Given the FY2026 code sets (their search index built, as a server's first search would) and a coder
    load_code_sets(fiscal_year=2026)
    find_codes(query="E11", on=date(2026, 3, 5))
    coder = make_user([Role.CODER])
    steps.sign_in(page, coder)

    # When they open code search and type a code without its dot
    page.get_by_role("link", name="Code search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Code search")
    assert_accessible(page, "code search form")
    page.get_by_label("Code sets in force on").fill("2026-03-05")
    page.get_by_label("Code or words").fill("s72001")
    page.get_by_role("button", name="Search").click()

    # Then the header comes first, marked not reportable, with its 7th characters; the codes follow
    rows = page.locator("#code-rows tbody tr")
    expect(rows.first).to_contain_text("S72.001", timeout=20_000)
    expect(rows.first).to_contain_text("No: code header")
    rows.first.get_by_text("Notes and 7th characters").click()
    expect(rows.first).to_contain_text("initial encounter for closed fracture")
    expect(rows.nth(1)).to_contain_text("S72.001A")
    assert_accessible(page, "code search results")

    # When they search by misspelt words (the results update as they type)
    page.get_by_label("Code or words").fill("diabtes type 2 without complicatons")
    expect(page.locator("#code-rows")).to_contain_text("E11.9")
