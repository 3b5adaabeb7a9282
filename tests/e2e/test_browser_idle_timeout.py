"""Automatic logoff in a real browser (HIPAA 164.312(a)(2)(iii); ONC 170.315(d)(5)): the page warns,
then clears itself so no PHI stays on screen, and the server ends the session too; "Stay signed in"
keeps it.

The time-out is shortened to 6 s with a 3 s warning through pytest-django's ``settings`` fixture. The
live server runs in this process, and the middleware and the context processor read the settings on
every request, so the change reaches it (checked through the ``data-idle-*`` attributes of the page).
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from recordroom.accounts.tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE_TIMEOUT_S = 6
IDLE_WARNING_S = 3
TIMED_OUT = "/accounts/timed-out/"
IDLE_NOTICE = "You were signed out after a period of inactivity"
# Runs in every page before its own scripts; sessionStorage outlives the page within the tab. Read
# after the fact, because Playwright's locators wait for a navigation in flight to finish.
REMEMBER_LAST_SCREEN = """
window.addEventListener("pagehide", () => {
  sessionStorage.setItem("e2e-last-screen", JSON.stringify({
    url: location.href,
    title: document.title,
    text: document.body ? document.body.innerText : "",
    html: document.documentElement.outerHTML,
  }));
});
"""


@pytest.fixture
def short_idle_timeout(settings):
    settings.RECORDROOM_IDLE_TIMEOUT = timedelta(seconds=IDLE_TIMEOUT_S)
    settings.RECORDROOM_IDLE_WARNING = timedelta(seconds=IDLE_WARNING_S)


def expect_short_idle_timeout_in_the_page(page: Page) -> None:
    body = page.locator("body")
    expect(body).to_have_attribute("data-idle-timeout", str(IDLE_TIMEOUT_S))
    expect(body).to_have_attribute("data-idle-warning", str(IDLE_WARNING_S))


def test_idle_page_warns_then_clears_itself_and_the_session_ends(page: Page, steps, short_idle_timeout):
    # Given a signed-in person on the dashboard, with the shortened time-out in effect
    # (each page leaves a note of what it showed at the moment it was unloaded)
    page.add_init_script(REMEMBER_LAST_SCREEN)
    person = make_user()
    steps.sign_in(page, person)
    expect_short_idle_timeout_in_the_page(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    # When they do nothing for the warning period
    # Then a warning dialog appears with a countdown and the focus on "Stay signed in"
    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=IDLE_TIMEOUT_S * 1000)
    assert page.locator("#idle-warning").is_visible()
    expect(page.locator("#idle-countdown")).to_have_text(re.compile(r"^[123]$"))
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()

    # When they still do nothing until the time-out
    # Then the page itself goes to the time-out address and ends on the sign-in page, which says why
    expect(page).to_have_url(re.compile(r"/accounts/login/\?signed_out=idle$"), timeout=IDLE_TIMEOUT_S * 1000)
    assert any(url.endswith(TIMED_OUT) for url in requested), requested
    expect(page.get_by_role("status")).to_contain_text(IDLE_NOTICE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("Good to see you")).to_have_count(0)

    # and the dashboard had cleared itself before the browser left it: nothing of it was on screen
    last = page.evaluate("JSON.parse(sessionStorage.getItem('e2e-last-screen'))")
    assert last["url"].endswith("/"), last["url"]
    assert last["title"] == "Signed out · Recordroom"
    assert last["text"].strip() == "Signed out for inactivity"
    for gone in ("Good to see you", "Documents to index", "Sign out", "Are you still there?", "csrf"):
        assert gone not in last["html"]

    # and the session is over on the server: the dashboard asks for a sign-in
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_text("Good to see you")).to_have_count(0)


def test_stay_signed_in_keeps_the_session_past_the_first_deadline(page: Page, steps, short_idle_timeout):
    # Given a signed-in person on the dashboard, with the shortened time-out in effect
    person = make_user()
    steps.sign_in(page, person)
    loaded = time.monotonic()
    expect_short_idle_timeout_in_the_page(page)

    # When the warning appears and they press "Stay signed in"
    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=IDLE_TIMEOUT_S * 1000)
    with page.expect_response("**/accounts/session/keepalive/") as keepalive:
        warning.get_by_role("button", name="Stay signed in").click()

    # Then the server accepts it and the warning goes away
    assert keepalive.value.status == 200
    expect(warning).to_be_hidden()

    # When the time they would have been signed out at has passed
    page.wait_for_timeout(max(0.0, IDLE_TIMEOUT_S + 1 - (time.monotonic() - loaded)) * 1000)

    # Then the dashboard is still on screen
    expect(page).to_have_url(steps.dashboard_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")

    # and the server still knows the session: loading the dashboard again works
    page.reload()
    expect(page).to_have_url(steps.dashboard_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    expect(page.get_by_role("heading", level=2)).to_have_text(["HIM clerk"])
