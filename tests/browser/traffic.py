"""When a page has finished: loaded, and its follow-up requests (htmx panels) answered.

On SQLite the live server's requests share the test's one database connection, so a test
reads or writes the database only once the page it drove is quiet.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page

# Generous enough for a loaded CI runner; a healthy page answers in well under a second.
TIMEOUT_MS = 15_000
# How long a page must make no request for its follow-up requests (htmx panels) to count
# as finished. Playwright's "networkidle" waits 500 ms after every submission; the live
# server answers a panel in a few milliseconds, so a tenth of a second is ample.
QUIET_SECONDS = 0.1


class Traffic:
    """The requests of one page still in flight, from Playwright's request events."""

    def __init__(self, page: Page) -> None:
        self.in_flight = 0
        self.changed = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, _request: Any) -> None:
        self.in_flight += 1
        self.changed = time.monotonic()

    def _ended(self, _request: Any) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.changed = time.monotonic()


def tracked(page: Page) -> Page:
    page._kakehashi_traffic = Traffic(page)  # type: ignore[attr-defined]
    return page


def settle(page: Page) -> None:
    """Wait until the page has loaded and made no request for ``QUIET_SECONDS``: the
    test may then read the database that the live server's requests share with it."""
    page.wait_for_load_state("load")
    traffic: Traffic = page._kakehashi_traffic  # type: ignore[attr-defined]
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        # Playwright delivers the page's events while the test waits inside one of its calls.
        page.wait_for_timeout(20)
        if traffic.in_flight == 0 and time.monotonic() - traffic.changed >= QUIET_SECONDS:
            return
    raise AssertionError(f"{page.url}: requests still in flight after {TIMEOUT_MS} ms")
