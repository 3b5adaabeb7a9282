"""axe-core on every screen a person meets while signing in and managing their account: no violation of
impact "serious" or "critical" (WCAG 2.1 AA; ONC 170.315(g)(5) accessibility-centered design).

axe runs in the page as the browser renders it, with the site's own Content-Security-Policy in force.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()


def open_sign_in(page: Page, steps) -> None:
    page.goto(steps.login)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def open_sign_in_refused(page: Page, steps) -> None:
    person = make_user()
    steps.enter_password(page, person.username, "this is not the password 7")
    expect(page.get_by_role("alert")).to_have_text("The username or password is not correct.")


def open_sign_in_locked(page: Page, steps) -> None:
    person = make_user()
    for _ in range(5):
        steps.enter_password(page, person.username, "this is not the password 7")
    expect(page.get_by_role("alert")).to_contain_text("Too many unsuccessful sign-in attempts")


def open_second_step(page: Page, steps) -> None:
    person = make_user()
    steps.enter_password(page, person.username, person.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify it's you")


def open_enrollment(page: Page, steps) -> None:
    person = make_user(enrolled=False)
    steps.enter_password(page, person.username, person.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.locator(".qr svg")).to_be_visible()


def open_recovery_codes(page: Page, steps) -> None:
    person = make_user(enrolled=False)
    steps.enter_password(page, person.username, person.password)
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)


def open_dashboard(page: Page, steps) -> None:
    steps.sign_in(page, make_user([Role.HIM_CLERK, Role.CODER]))


def open_idle_warning(page: Page, steps) -> None:
    steps.sign_in(page, make_user())
    # Shown as idle.js shows it, without waiting for the time-out (that is test_browser_idle_timeout's).
    page.evaluate("document.getElementById('idle-warning').hidden = false")
    expect(page.get_by_role("alertdialog", name="Are you still there?")).to_be_visible()


def open_account(page: Page, steps) -> None:
    steps.sign_in(page, make_user())
    page.goto("/accounts/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")


def open_users(page: Page, steps) -> None:
    make_user([Role.CODER])
    steps.sign_in(page, make_user([Role.SYSADMIN]))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page).to_have_url(re.compile(r"/accounts/users/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")


def open_user_detail(page: Page, steps) -> None:
    other = make_user([Role.CODER])
    steps.sign_in(page, make_user([Role.SYSADMIN]))
    page.goto(f"/accounts/users/{other.user.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(other.username)


SCREENS: dict[str, Callable[..., None]] = {
    "sign-in": open_sign_in,
    "sign-in-refused": open_sign_in_refused,
    "sign-in-locked": open_sign_in_locked,
    "second-step": open_second_step,
    "enrollment": open_enrollment,
    "recovery-codes": open_recovery_codes,
    "dashboard": open_dashboard,
    "idle-warning": open_idle_warning,
    "account": open_account,
    "users": open_users,
    "user-detail": open_user_detail,
}


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        lines.extend(f"    {node['target']}: {node['html'][:200]}" for node in v["nodes"])
    return "\n".join(lines)


@pytest.mark.parametrize("screen", SCREENS)
def test_screen_has_no_serious_or_critical_accessibility_violations(page: Page, steps, screen: str):
    # Given the screen as a person sees it
    SCREENS[screen](page, steps)

    # When axe-core checks it
    results = AXE.run(page)

    # Then it checked the page, and found nothing serious or critical
    assert results.response["passes"], "axe-core reported no checks at all"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{screen} ({page.url}):\n{describe(blocking)}"
