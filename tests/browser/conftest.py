"""Headless Chromium through Playwright, against the real app on pytest-django's live server.

The browser is Debian's ``chromium``; Playwright's own downloads are never used. Without it
the browser tests are skipped, unless ``KAKEHASHI_REQUIRE_BROWSER=1`` (CI), where a missing
browser is a failure rather than a silent skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Generous enough for a loaded CI runner; a healthy page answers in well under a second.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="package")
def chromium_executable() -> str:
    path = shutil.which("chromium")
    if path is None:
        reason = "Debian chromium not found on PATH (apt-get install chromium)"
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
    page = context.new_page()
    yield page
    context.close()
