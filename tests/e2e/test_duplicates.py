"""An HIM clerk works the duplicate review queue: the dashboard counts the pairs, the queue lists them
without names, the pair screen compares the two records side by side with the evidence, "Merge these
records" leads to the merge screen keeping the older record, and "Not a duplicate" (with a reason) takes
the pair off the queue for good; axe-core finds nothing serious or critical on these screens (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.core.vocabulary import Purpose
from recordroom.patients.models import DuplicatePair, DuplicateStatus
from recordroom.patients.services import find_duplicates
from recordroom.patients.tests.test_duplicates import pair_of, plant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()


def assert_accessible(page: Page, screen: str) -> None:
    results = AXE.run(page)
    assert results.response["passes"], "axe-core reported no checks at all"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{screen} ({page.url}): " + "; ".join(f"{v['id']}: {v['help']}" for v in blocking)


def test_a_clerk_reviews_the_duplicate_queue(page: Page, steps):
    # Given an index with planted duplicates and twins, and a finished duplicate check
    clerk = make_user([Role.HIM_CLERK])
    people = plant(clerk.user)
    find_duplicates(actor=clerk.user, purpose=Purpose.OPERATIONS)
    waiting = DuplicatePair.objects.filter(status=DuplicateStatus.OPEN).count()
    typo, swap = pair_of(*people["typo"]), pair_of(*people["swap"])
    assert typo is not None
    assert swap is not None
    steps.sign_in(page, clerk)

    # The dashboard counts the pairs and links to the queue
    expect(page.get_by_text(f"{waiting} possible duplicate pair(s) wait for review.")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Duplicates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicate patients")
    queue = page.locator("#duplicate-queue")
    expect(queue.locator("tbody tr")).to_have_count(waiting)
    expect(queue).not_to_contain_text("Okonkwo")
    assert_accessible(page, "duplicate queue")

    # The pair screen shows both records side by side with the evidence
    page.goto(f"/patients/duplicates/{typo.public_id}/")
    evidence = page.locator("#pair-evidence")
    expect(evidence).to_contain_text("Margarethe Okonkwo")
    expect(evidence).to_contain_text("Margarete Okonkwo")
    expect(evidence.get_by_role("row", name="Phone and address")).to_contain_text("Agrees")
    assert_accessible(page, "duplicate pair")

    # "Merge these records" opens the merge screen keeping the older registration
    page.get_by_role("link", name="Merge these records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge duplicate records")
    survivor = people["typo"][0]
    expect(page.locator("#merge-comparison tbody tr").first).to_contain_text(survivor.mrn)

    # "Not a duplicate" needs a reason, then takes the pair off the queue
    page.goto(f"/patients/duplicates/{swap.public_id}/")
    page.get_by_role("button", name="Not a duplicate").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose why these records are different people.")
    page.get_by_label("Why are these different people?").select_option("same_name")
    page.get_by_role("button", name="Not a duplicate").click()
    expect(page.get_by_role("status").first).to_contain_text("marked as different people")
    expect(page.locator("#duplicate-queue tbody tr")).to_have_count(waiting - 1)
    assert_accessible(page, "duplicate queue after a decision")
    swap.refresh_from_db()
    assert swap.status == DuplicateStatus.NOT_DUPLICATE
    assert swap.decision_reason == "same_name"
