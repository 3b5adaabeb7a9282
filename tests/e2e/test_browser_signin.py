"""Sign-in in a real browser: password + TOTP, wrong password, lockout, sign-out and first-time
enrollment (HIPAA 164.312(d), 164.308(a)(5)(ii)(C); ONC 170.315(d)(1), (d)(13)).

Each test makes its own users: a TOTP code is accepted once per 30 s step per user (replay refused).
"""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.web.navigation import nav_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRONG_PASSWORD = "this is not the password 7"
GENERIC_FAILURE = "The username or password is not correct."
LOCKOUT = "Too many unsuccessful sign-in attempts"


def test_password_and_totp_land_on_the_dashboard_with_the_roles_panels(page: Page, steps):
    # Given a person who is both an HIM clerk and a coder, with an authenticator app
    person = make_user([Role.HIM_CLERK, Role.CODER])

    # When they enter their password, then the current code
    steps.enter_password(page, person.username, person.password)
    steps.enter_code(page, person.code())

    # Then they are on the dashboard, greeted by name, with each role's section and panels
    expect(page).to_have_url(steps.dashboard_url)
    expect(page).to_have_title("Dashboard · Recordroom")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Good to see you, Test {person.username}")
    expect(page.get_by_role("heading", level=2)).to_have_text(["Coder", "HIM clerk"])
    expect(page.get_by_role("heading", level=3)).to_have_text(
        [
            "Coding worklist",
            "Open physician queries",
            "Documents to index",
            "Possible duplicate patients",
        ]
    )
    # and no other role's panels
    expect(page.get_by_text("Release-of-information requests")).to_have_count(0)
    # and the navigation holds exactly the entries the two roles are given, in order
    nav_links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expected = [item.label for item in nav_for(frozenset({Role.HIM_CLERK, Role.CODER}))]
    assert expected[:2] == ["Dashboard", "Patients"]
    assert expected[-1] == "My account"
    expect(nav_links).to_have_text(expected)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_wrong_password_is_refused_with_the_generic_message(page: Page, steps):
    # Given a person
    person = make_user()

    # When they type a wrong password
    steps.enter_password(page, person.username, WRONG_PASSWORD)

    # Then the sign-in page says so, without telling whether the username exists, and keeps the name
    expect(page).to_have_url(steps.login_url)
    expect(page.get_by_role("alert")).to_have_text(GENERIC_FAILURE)
    expect(page.get_by_label("Username")).to_have_value(person.username)
    expect(page.get_by_label("Password")).to_have_value("")
    # and there is neither a second step nor a dashboard
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("Good to see you")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(steps.login_url)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(page: Page, steps):
    # Given a person whose password someone is guessing
    person = make_user()

    # When four guesses fail
    for _ in range(4):
        steps.enter_password(page, person.username, WRONG_PASSWORD)
        expect(page.get_by_role("alert")).to_have_text(GENERIC_FAILURE)

    # and a fifth fails too
    steps.enter_password(page, person.username, WRONG_PASSWORD)

    # Then sign-in is paused, and the page offers no form, only the way back
    expect(page.get_by_role("alert")).to_contain_text(LOCKOUT)
    expect(page.get_by_role("alert")).to_contain_text("contact your system administrator")
    expect(page.get_by_label("Password")).to_have_count(0)
    expect(page.get_by_role("link", name="Back to sign in")).to_be_visible()

    # When the right password is entered afterwards
    steps.enter_password(page, person.username, person.password)

    # Then it is refused as well: no second step, no dashboard
    expect(page.get_by_role("alert")).to_contain_text(LOCKOUT)
    expect(page).to_have_url(steps.login_url)
    expect(page.get_by_text("Verify it's you")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(steps.login_url)
    expect(page.get_by_text("Good to see you")).to_have_count(0)


def test_sign_out_ends_the_session(page: Page, steps):
    # Given a signed-in person on the dashboard
    person = make_user()
    steps.sign_in(page, person)

    # When they press "Sign out"
    page.get_by_role("button", name="Sign out").click()

    # Then they are on the sign-in page with a confirmation
    expect(page).to_have_url(re.compile(r"/accounts/login/\?signed_out=logout$"))
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # When they go back in history to the dashboard
    page.go_back()

    # Then it is not shown again from the browser's cache (pages are Cache-Control: no-store): the
    # browser asks the server again, which sends it to sign in
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_text("Good to see you")).to_have_count(0)

    # and the dashboard is no longer reachable: the session is gone on the server
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("Good to see you")).to_have_count(0)


def test_first_sign_in_enrolls_an_authenticator_and_shows_ten_recovery_codes(page: Page, steps):
    # Given a new person who has no authenticator app set up yet
    person = make_user(enrolled=False)

    # When they enter their password
    steps.enter_password(page, person.username, person.password)

    # Then they are asked to set up two-step sign-in, with a QR code and the key to type
    expect(page).to_have_url(re.compile(r"/accounts/login/enroll/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret

    # When they enter the code their app computes from that key
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    # Then two-step sign-in is on and ten distinct recovery codes are shown once
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_role("status")).to_have_text("Two-step sign-in is on.")
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    texts = codes.all_inner_texts()
    assert len(set(texts)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", code) for code in texts), texts

    # and they are signed in: continuing leads to the dashboard
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page).to_have_url(steps.dashboard_url)
    expect(page.get_by_role("heading", level=2)).to_have_text(["HIM clerk"])
