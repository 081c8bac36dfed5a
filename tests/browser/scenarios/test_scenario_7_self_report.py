"""SCENARIOS.md 7 — a vendor's self-report.

The vendor PSIRT reports a vulnerability it found (and fixed) in its own product and
asks for a JVN advisory and a CVE at an agreed time. The clerk accepts and forwards it;
the case has no finder (so no credit) and the vendor as its only other party; the vendor
sees it in its portal; the statistics count it apart from finders' reports.

Carried as far as the screens allow today: the advisory and the CVE are drafted by the
coordinator and the CNA officer on their own screens and are not driven here (see the
report of issue 9); the request for them travels in the report's text.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kakehashi.cases.models import Case
from kakehashi.intake.models import Report
from kakehashi.statistics.quarters import Quarter

from .conftest import Stage, open_action, t

pytestmark = pytest.mark.browser

REQUEST = (
    "自社製品 SR-700 の管理画面に認証回避があり、修正版 4.2.1 を公開済みです。"
    "JVN での公表と CVE 番号の採番を、2027-01-15 10:00 JST に合わせてお願いします。"
)


def test_a_vendor_reports_its_own_fixed_vulnerability(stage: Stage) -> None:
    lang, shot = stage.lang, stage.shot
    title = f"SR-700 管理画面の認証回避（自社届出 {lang}）"
    psirt = stage.person("psirt")
    psirt.goto(f"/{lang}/report/")
    psirt.locator("input[name=track][value=self_report]").check()
    psirt.locator("form.panel button[type=submit]").click()
    expect(psirt).to_have_url(re.compile(rf"/{lang}/report/step/you/$"))
    psirt.locator(".form-nav button[value=next]").click()
    psirt.locator("input[name=title]").fill(title)
    psirt.locator("input[name=product_name]").fill("SR-700")
    psirt.locator("input[name=product_version]").fill("4.2.0 以前")
    psirt.locator("textarea[name=description]").fill(REQUEST)
    psirt.locator(".form-nav button[value=next]").click()
    psirt.locator(".form-nav button[value=next]").click()
    psirt.locator(".form-nav button[value=next]").click()
    expect(psirt).to_have_url(re.compile(rf"/{lang}/report/confirm/$"))
    expect(psirt.locator("main")).to_contain_text(t(lang, "Vendor self-report (own product)"))
    psirt.locator("main form button[type=submit]").first.click()
    expect(psirt).to_have_url(re.compile(rf"/{lang}/report/done/$"))
    shot(psirt, "scenario7", "reported")
    report = Report.objects.get(title=title)
    assert report.track == "self_report" and report.finder_user is not None

    # --- The clerk accepts and forwards ---------------------------------------------------
    clerk = stage.person("clerk")
    clerk.goto(f"/{lang}/reception/reports/{report.pk}/")
    rows = clerk.locator("#checks tbody tr")
    for index in range(5):
        rows.nth(index).locator("button[name=check-result][value=pass]").click()
        expect(rows.nth(index).locator(".badge")).to_have_text(
            t(lang, "Passed", "acceptance check")
        )
    open_action(clerk, "accept").locator("button[type=submit]").click()
    forward = open_action(clerk, "forward")
    forward.locator("select[name=forward-coordinator_org]").select_option(
        label="架け橋 調整センター" if lang == "ja" else "Kakehashi Coordination Center"
    )
    forward.locator("button[type=submit]").click()
    expect(clerk).to_have_url(re.compile(rf"/{lang}/cases/\d+/$"))
    case = Case.objects.get(reports=report)
    assert case.origin == "self_report"

    # --- The coordinator: the vendor is the only other party; no finder ---------------------
    coordinator = stage.person("coordinator")
    coordinator.goto(f"/{lang}/cases/{case.pk}/")
    participants = coordinator.locator("#participants table.participants")
    expect(participants).to_contain_text(
        "さくらネットワーク機器株式会社" if lang == "ja" else "Sakura Network Devices K.K."
    )
    expect(participants).not_to_contain_text(t(lang, "Finder"))
    expect(coordinator.locator("main")).to_contain_text(t(lang, "Vendor self-report"))
    shot(coordinator, "scenario7", "case")

    # --- The vendor sees its case in the portal ---------------------------------------------
    psirt.goto(f"/{lang}/portal/")
    expect(psirt.locator("main")).to_contain_text(case.reference)

    # --- The statistics count it apart from finders' reports --------------------------------
    clerk.goto(f"/{lang}/statistics/desk/")
    expect(clerk.locator(f"#col-{Quarter.containing(timezone.now()).code}")).to_be_visible()
    for key in ("received_self_report", "accepted_self_report"):
        expect(clerk.locator(f"#fig-{key} td").first).to_have_text("1")
    for key in ("reporter_identified", "reporter_anonymous", "received_product"):
        expect(clerk.locator(f"#fig-{key} td").first).to_have_text("0")
    shot(clerk, "scenario7", "desk-statistics")

    # --- Nothing is public before the agreed time -------------------------------------------
    for path, body in stage.public_outputs(stage.page):
        for secret in (title, case.reference, "SR-700"):
            assert secret not in body, (path, secret)
