"""Headless Chromium through Playwright, against the real app on pytest-django's live server.

The browser is Debian's ``chromium``; Playwright's own downloads are never used. Without it
the browser tests are skipped, unless ``KAKEHASHI_REQUIRE_BROWSER=1`` (CI), where a missing
browser is a failure rather than a silent skip.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings as django_settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

from kakehashi.core.demo import DEMO_PASSWORD, load_demo_people, totp_secret_for
from kakehashi.vendors.demo import load_demo_registry

from .traffic import TIMEOUT_MS, tracked

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server, answering one request at a time.

    On SQLite the test database lives in memory and every request thread shares the test
    thread's one connection; two requests at once (two browser contexts, or a page still
    loading while another navigates) then interleave their savepoints on it and one fails
    with "no such savepoint". Connections stay threaded (keep-alive works); only the
    application is entered by one request at a time."""

    def set_app(self, application: Any) -> None:
        lock = threading.Lock()

        def serialised(environ: Any, start_response: Any) -> Any:
            with lock:
                return application(environ, start_response)

        super().set_app(serialised)


LiveServerThread.server_class = _OneRequestAtATime


@pytest.fixture(scope="package")
def chromium_executable() -> str:
    # Debian's headless shell (the old headless mode, without the full browser around it)
    # runs the same Blink and needs about half the CPU of ``chromium --headless``.
    path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    if path is None:
        reason = "Debian chromium not found on PATH (apt-get install chromium-headless-shell)"
        if os.environ.get("KAKEHASHI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KAKEHASHI_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="package")
def playwright(chromium_executable: str) -> Iterator[Playwright]:
    # Playwright's sync API keeps an asyncio loop alive in this thread, so Django's
    # async-safety guard would refuse every ORM call the tests make (demo data, the
    # transactional flush). The live server answers from its own thread, without a loop.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as instance:
            yield instance
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright: Playwright, chromium_executable: str) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test, with URLs relative to the live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = tracked(context.new_page())
    yield page
    context.close()


# --- Shared by the end-to-end flows -----------------------------------------------------
# (The smoke test keeps its own copies; these are the same steps as fixtures, so that
# other test modules do not import from a test module.)


@pytest.fixture
def demo_data(settings: Any, transactional_db: None) -> None:
    """The demo organisations and personas (password + TOTP) and the vendor registry, as
    ``make run`` loads them, without the scenarios' cases (the smoke test loads those).

    One TOTP window of tolerance either side, as in the smoke test: a code computed at
    the end of a window must not be refused when the server checks it in the next one."""
    settings.MFA_TOTP_TOLERANCE = 1
    load_demo_people()
    load_demo_registry()


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[Callable[..., Page]]:
    """``new_page()``: another fresh browser context (its own cookies), for a second
    person in the same test; closed at the end of the test."""
    contexts: list[Any] = []

    def make(locale: str = "ja-JP") -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return tracked(context.new_page())

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in() -> Callable[[Page, str], None]:
    """``sign_in(page, "coordinator")``: password, then the TOTP code, then decline to
    trust the browser; ends on the Japanese dashboard."""

    def run(page: Page, username: str) -> None:
        page.goto("/ja/accounts/login/")
        form = page.locator("form").filter(has=page.locator("input[name=password]"))
        form.locator("input[name=login]").fill(username)
        form.locator("input[name=password]").fill(DEMO_PASSWORD)
        form.get_by_role("button", name="ログイン", exact=True).click()
        expect(page).to_have_url(re.compile(r"/ja/accounts/2fa/authenticate/$"))
        counter = int(time.time()) // mfa_settings.TOTP_PERIOD
        code = format_hotp_value(hotp_value(totp_secret_for(username), counter))
        form = page.locator("form").filter(has=page.locator("input[name=code]"))
        form.locator("input[name=code]").fill(code)
        form.get_by_role("button", name="ログイン", exact=True).click()
        expect(page).to_have_url(re.compile(r"/ja/accounts/2fa/trust/$"))
        page.get_by_role("button", name="信頼しない", exact=True).click()
        expect(page).to_have_url(re.compile(r"/ja/dashboard/$"))

    return run


@pytest.fixture
def screenshot() -> Callable[..., None]:
    """``screenshot(page, "name.png")``: the whole page, into var/screenshots/;
    ``screenshot(page, "name.png", of=locator)``: only that part of it."""

    def take(page: Page, name: str, of: Locator | None = None) -> None:
        directory = django_settings.VAR_DIR / "screenshots"
        directory.mkdir(parents=True, exist_ok=True)
        if of is not None:
            of.screenshot(path=directory / name)
        else:
            page.screenshot(path=directory / name, full_page=True)

    return take
