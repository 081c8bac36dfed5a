"""Browser smoke test: sign in with a second factor, switch language, check accessibility.

Runs the real app (live server, demo data) in headless Chromium. Waits are Playwright's
auto-waiting ``expect`` assertions, never sleeps.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from kakehashi.core.demo import DEMO_PASSWORD, load_demo, totp_secret_for

pytestmark = pytest.mark.browser

LOGIN_URL = "/ja/accounts/login/"
MFA_URL = re.compile(r"/ja/accounts/2fa/authenticate/$")
DASHBOARD_URL = re.compile(r"/ja/dashboard/$")
# The header offers a sign-out form to signed-in users and a sign-in link to everyone else.
SIGN_OUT_FORM = "header form[action='/ja/accounts/logout/']"
SIGN_IN_LINK = "header a[href='/ja/accounts/login/']"
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def demo(settings: Any, transactional_db: None) -> None:
    # allauth accepts only the current 30-second TOTP window by default: a code computed at
    # second 29.9 would be refused when the server checks it at 30.1. Allowing one window
    # either side makes the test independent of where in the window it happens to run.
    settings.MFA_TOTP_TOLERANCE = 1
    load_demo()


def totp_code(username: str, *, steps_ahead: int = 0) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + steps_ahead
    return format_hotp_value(hotp_value(totp_secret_for(username), counter))


def wrong_totp_code(username: str) -> str:
    """A code valid in none of the windows the server could accept, with margin."""
    near = {totp_code(username, steps_ahead=step) for step in range(-3, 4)}
    candidate = 0
    while format_hotp_value(candidate) in near:
        candidate += 1
    return format_hotp_value(candidate)


def submit_password(page: Page, username: str) -> None:
    page.goto(LOGIN_URL)
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(username)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="ログイン", exact=True).click()
    expect(page).to_have_url(MFA_URL)


def submit_totp(page: Page, code: str) -> None:
    form = page.locator("form").filter(has=page.locator("input[name=code]"))
    form.locator("input[name=code]").fill(code)
    form.get_by_role("button", name="ログイン", exact=True).click()


def decline_to_trust_browser(page: Page) -> None:
    # MFA_TRUST_ENABLED: after the code, allauth asks whether to skip it next time.
    expect(page).to_have_url(re.compile(r"/ja/accounts/2fa/trust/$"))
    page.get_by_role("button", name="信頼しない", exact=True).click()
    expect(page).to_have_url(DASHBOARD_URL)


def screenshot(page: Page, name: str) -> None:
    directory = django_settings.VAR_DIR / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=directory / name, full_page=True)


def test_coordinator_signs_in_with_totp_and_switches_language(page: Page, demo: None) -> None:
    submit_password(page, "coordinator")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("多要素認証")
    submit_totp(page, totp_code("coordinator"))
    decline_to_trust_browser(page)

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("cell", name="架け橋 調整センター")).to_be_visible()
    expect(page.locator("[data-role=coordinator]")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("ログインしました")
    expect(page.get_by_role("heading", level=1)).to_contain_text("加藤 調整")
    expect(page.locator(SIGN_OUT_FORM)).to_be_attached()
    screenshot(page, "dashboard-ja.png")

    page.locator(".language-switch").get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"/en/dashboard/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Welcome, Kato Coordinator / 加藤 調整"
    )
    expect(page.get_by_role("cell", name="Kakehashi Coordination Center")).to_be_visible()
    expect(page.locator("[data-role=coordinator]")).to_be_visible()
    expect(page.locator(".language-switch").get_by_role("link", name="日本語")).to_have_attribute(
        "href", "/ja/dashboard/"
    )
    screenshot(page, "dashboard-en.png")


def test_wrong_totp_code_is_refused_and_does_not_sign_in(page: Page, demo: None) -> None:
    submit_password(page, "coordinator")
    submit_totp(page, wrong_totp_code("coordinator"))

    expect(page.get_by_text("コードが正しくありません。")).to_be_visible()
    expect(page).to_have_url(MFA_URL)

    # Still signed out: the dashboard sends the browser back to the pending second factor.
    page.goto("/ja/dashboard/")
    expect(page).to_have_url(MFA_URL)
    expect(page.locator(SIGN_IN_LINK)).to_be_visible()
    expect(page.locator(SIGN_OUT_FORM)).to_have_count(0)
    expect(page.locator("[data-role=coordinator]")).to_have_count(0)


def _axe_violations(page: Page, label: str) -> list[dict[str, Any]]:
    response = Axe().run(page).response
    return [{**violation, "page": label} for violation in response["violations"]]


def _describe(violation: dict[str, Any]) -> str:
    targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"])
    return (
        f"[{violation['impact']}] {violation['page']}: {violation['id']} — "
        f"{violation['help']} ({len(violation['nodes'])} node(s): {targets}) {violation['helpUrl']}"
    )


def test_pages_have_no_serious_accessibility_violations(page: Page, demo: None) -> None:
    violations: list[dict[str, Any]] = []
    page.goto("/ja/")
    violations += _axe_violations(page, "home /ja/")
    page.goto(LOGIN_URL)
    violations += _axe_violations(page, f"login {LOGIN_URL}")
    submit_password(page, "coordinator")
    violations += _axe_violations(page, "second factor /ja/accounts/2fa/authenticate/")
    submit_totp(page, totp_code("coordinator"))
    decline_to_trust_browser(page)
    violations += _axe_violations(page, "dashboard /ja/dashboard/")

    # Every finding is printed (pytest shows it with -rP or on failure); only
    # serious and critical ones fail the build.
    report = "\n".join(_describe(violation) for violation in violations)
    print(report or "axe: no violations")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe found serious/critical violations:\n{report}"
