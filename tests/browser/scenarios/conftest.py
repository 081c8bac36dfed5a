"""Shared by the scenario tests (SCENARIOS.md): the personas without the demo cases,
the UI language as a parameter, screenshots named ``<scenario>-<lang>-<step>.png``,
the clock moved by the test, and the crawl of public outputs.

Controls are found by their form names (the same in both languages) or by the
translated label, computed with ``gettext`` in the run's language, so each test reads
the same in Japanese and English and keeps passing when the catalog grows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from playwright.sync_api import Page, expect

from kakehashi.core.demo import load_demo_people

from ..mailbox import LoopbackSmtp, use_mailbox

LANGUAGES = ("ja", "en")

# Every anonymous public output a scenario may have to (not) appear in.
PUBLIC_PATHS = (
    "/{lang}/",
    "/{lang}/advisories/",
    "/{lang}/feeds/advisories.atom",
    "/feeds/jvnrss.xml",
    "/{lang}/unreachable/",
    "/{lang}/unreachable/feed/",
    "/{lang}/vendors/",
    "/{lang}/statistics/",
    "/{lang}/statistics/statistics.csv",
    "/advisories/osv.json",
    "/feeds/jvnrss.en.xml",
    "/.well-known/csaf/clear/index.txt",
    "/.well-known/csaf/provider-metadata.json",
)


def t(language: str, msgid: str, context: str | None = None) -> str:
    """``msgid`` as the page shows it in ``language``."""
    with translation.override(language):
        if context:
            return translation.pgettext(context, msgid)
        return translation.gettext(msgid)


def path_of(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def told(page: Page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def open_action(page: Page, key: str) -> Any:
    """Open the desk's action form ``#act-<key>`` (a link that htmx swaps for the form)."""
    action = page.locator(f"#act-{key}")
    link = action.locator("a.action-link")
    if link.count():
        link.click()
    expect(page.locator(f"#act-{key} form")).to_be_visible()
    return page.locator(f"#act-{key}")


@pytest.fixture(autouse=True)
def _loopback_mail(_fast_and_isolated: None, settings: Any) -> Iterator[LoopbackSmtp]:
    """The product's mail goes through a real SMTP server on loopback (Django's SMTP
    backend), and the steps read it there (``steps.received``, ``steps.deliver_mail``)."""
    with LoopbackSmtp() as server:
        settings.MAILERS = server.mailers()
        use_mailbox(server)
        try:
            yield server
        finally:
            use_mailbox(None)


@pytest.fixture
def people(settings: Any, transactional_db: None) -> None:
    """The demo organisations and personas only (password + TOTP), none of the demo
    cases: the scenario's figures are then the only ones in the statistics."""
    settings.MFA_TOTP_TOLERANCE = 1
    load_demo_people()


@pytest.fixture(params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def shot(lang: str) -> Callable[[Page, str, str], None]:
    """``shot(page, "scenario5", "report-form")`` → var/screenshots/scenario5-ja-report-form.png"""

    def take(page: Page, scenario: str, step: str) -> None:
        directory = django_settings.VAR_DIR / "screenshots"
        directory.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=directory / f"{scenario}-{lang}-{step}.png", full_page=True)

    return take


@pytest.fixture
def public_outputs(live_server: Any) -> Callable[[Page], Iterator[tuple[str, str]]]:
    """``public_outputs(page)``: (path, body) of every public output, in both
    languages, fetched without cookies (as the public sees them)."""

    def crawl(page: Page) -> Iterator[tuple[str, str]]:
        context = page.context.browser.new_context(base_url=live_server.url)  # type: ignore[union-attr]
        seen = set()
        try:
            for template in PUBLIC_PATHS:
                for language in LANGUAGES:
                    path = template.format(lang=language)
                    if path in seen:
                        continue
                    seen.add(path)
                    response = context.request.get(path)
                    assert response.status in (200, 404), (path, response.status)
                    yield path, response.text()
        finally:
            context.close()

    return crawl


def move_back(model: Any, pk: int, fields: tuple[str, ...], delta: timedelta) -> None:
    """Move the clock: the row's instants shifted back as if time had passed since."""
    row = model.objects.filter(pk=pk).values(*fields).get()
    model.objects.filter(pk=pk).update(
        **{name: value - delta for name, value in row.items() if value is not None}
    )


@dataclass
class Stage:
    """What every scenario needs: the UI language, the first person's page, more
    people's pages, signing in, screenshots and the public outputs."""

    lang: str
    page: Page
    new_page: Callable[..., Page]
    sign_in: Callable[[Page, str], None]
    shot: Callable[[Page, str, str], None]
    public_outputs: Callable[[Page], Iterator[tuple[str, str]]]

    def person(self, username: str) -> Page:
        """A fresh browser for a signed-in persona."""
        page = self.new_page(locale="ja-JP" if self.lang == "ja" else "en-US")
        self.sign_in(page, username)
        return page


@pytest.fixture
def stage(lang: str, page: Page, people: None, request: pytest.FixtureRequest) -> Stage:
    fixture = request.getfixturevalue
    return Stage(
        lang,
        page,
        fixture("new_page"),
        fixture("sign_in"),
        fixture("shot"),
        fixture("public_outputs"),
    )
