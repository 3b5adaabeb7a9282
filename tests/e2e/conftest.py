"""Browser-test fixtures: Debian's Chromium driven by Playwright's sync API against pytest-django's
``live_server``.

- Never a downloaded browser: Chromium is ``/usr/bin/chromium``. Without it the browser tests are
  skipped, or fail when ``RECORDROOM_REQUIRE_BROWSER=1`` (CI).
- One browser per session; a fresh context (cookies, storage) and page per test.
- Sockets: Playwright's Python side talks to its node driver over stdin/stdout pipes, the driver talks
  to Chromium over ``--remote-debugging-pipe``, and asyncio's self-pipe is an AF_UNIX socket pair; the
  only TCP traffic is Chromium -> the live server on 127.0.0.1, made by the browser process, not by
  Python. pytest-socket's ``--allow-unix-socket --allow-hosts=127.0.0.1,::1,localhost`` is therefore
  enough and nothing is re-enabled here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from recordroom.accounts.tests.factories import Person

# Playwright's sync API keeps an asyncio loop in the test thread; Django's ORM would otherwise refuse
# to run there (SynchronousOnlyOperation). Set before any ORM call of the session.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# The live server listens on IPv4 loopback (pytest-django's default, "localhost", leaves Chromium to try
# ::1 first); pytest-socket allows it. An explicit --liveserver or environment setting still wins.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Short enough that a broken step fails fast, long enough for a loaded CI machine.
DEFAULT_TIMEOUT_MS = 10_000
LOGIN = "/accounts/login/"
DASHBOARD_URL = re.compile(r"^http://[^/]+/$")
LOGIN_URL = re.compile(r"^http://[^/]+/accounts/login/")


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("RECORDROOM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"RECORDROOM_REQUIRE_BROWSER=1 but chromium is missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    _require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A new page in a new browser context; relative URLs resolve against the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@dataclass(frozen=True)
class SignInSteps:
    """The sign-in steps as a person does them: open the page, type, press the button."""

    login: str = LOGIN
    dashboard_url: re.Pattern[str] = DASHBOARD_URL
    login_url: re.Pattern[str] = LOGIN_URL

    @staticmethod
    def enter_password(page: Page, username: str, password: str) -> None:
        page.goto(LOGIN)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

    @staticmethod
    def enter_code(page: Page, code: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_text("Verify it's you")
        page.get_by_label("Code", exact=True).fill(code)
        page.get_by_role("button", name="Verify").click()

    def sign_in(self, page: Page, person: Person) -> None:
        """Password, then the current TOTP code; ends on the dashboard."""
        self.enter_password(page, person.username, person.password)
        self.enter_code(page, person.code())
        expect(page).to_have_url(DASHBOARD_URL)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


@pytest.fixture
def steps() -> SignInSteps:
    return SignInSteps()
