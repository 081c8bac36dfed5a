"""SCENARIOS.md 7 — a vendor's self-report, through the advisory and the CVE.

The vendor PSIRT reports a vulnerability it found (and fixed) in its own product and,
on the report form, asks for a JVN advisory at a time it wants and for a CVE ID. The
clerk accepts and forwards it; the case has no finder (so no credit) and the vendor as
its only other party. The coordinator makes the vendor's wanted time the target with
one click, the vendor states "fixed" and "not affected" per product (approved), the CNA
officer assigns a CVE ID (the request is on the case page) and the bilingual record
passes its checks, the advisory (JVN#) is drafted, confirmed by the vendor, approved in
both languages and scheduled for that time. The clock moves to it for the publication
job, and every public output is checked: the advisory and the CVE record, with no
finder credit anywhere; the desk's statistics count a self-report and its advisory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kakehashi.advisories.models import Advisory
from kakehashi.advisories.tasks import publish_due_advisories
from kakehashi.cases.models import Case
from kakehashi.cna.fake import FakeCveServices
from kakehashi.cna.models import CveRecord
from kakehashi.core.testing import run_pending_jobs
from kakehashi.intake.models import Report
from kakehashi.statistics.quarters import Quarter

from .conftest import Stage, open_action, t
from .steps import (
    Lang,
    add_case_product,
    assign_cve_with_reference,
    cve_services,
    field,
    local_input,
    state_statuses,
    submit,
    told,
)

pytestmark = pytest.mark.browser

JST = ZoneInfo("Asia/Tokyo")
REQUEST = (
    "自社製品 SR-700 の管理画面に認証回避があり、修正版 4.2.1 を公開済みです。"
    "JVN での公表と CVE 番号の採番をお願いします。"
)
VENDOR_NAMES = {"ja": "さくらネットワーク機器株式会社", "en": "Sakura Network Devices K.K."}
VENDOR_ADVISORY = "https://sakura.example/security/2026-sr700"
TEXTS = {
    "ja": (
        "SR-700 の管理画面における認証回避",
        "SR-700 の管理画面には認証回避の脆弱性があり、遠隔の第三者が設定を変更できます。",
    ),
    "en": (
        "Authentication bypass in the SR-700 admin console",
        "The SR-700 admin console lets a remote attacker bypass authentication and change "
        "its settings.",
    ),
}


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeCveServices]:
    with cve_services(settings) as server:
        yield server


def wanted_time() -> Any:
    """The vendor's wanted time: tomorrow 10:00 JST, or (on a quarter's last day) an
    hour from now, so that the advisory falls in the quarter the desk's page shows."""
    now = timezone.now()
    tomorrow = (now.astimezone(JST) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    if Quarter.containing(tomorrow) == Quarter.containing(now):
        return tomorrow
    return (now + timedelta(hours=1)).astimezone(JST).replace(second=0, microsecond=0)


def test_a_vendor_reports_its_own_fixed_vulnerability(stage: Stage, fake: FakeCveServices) -> None:
    lang, shot = Lang(stage.lang), stage.shot
    code = lang.code
    title = f"SR-700 管理画面の認証回避（自社届出 {code}）"
    wanted = wanted_time()

    # --- The vendor PSIRT reports, with the time it wants and a CVE request ---------------
    psirt = stage.person("psirt")
    psirt.goto(f"/{code}/report/")
    psirt.locator("input[name=track][value=self_report]").check()
    psirt.locator("form.panel button[type=submit]").click()
    expect(psirt).to_have_url(re.compile(rf"/{code}/report/step/you/$"))
    psirt.locator(".form-nav button[value=next]").click()
    psirt.locator("input[name=title]").fill(title)
    psirt.locator("input[name=product_name]").fill("SR-700")
    psirt.locator("input[name=product_version]").fill("4.2.0 以前")
    psirt.locator("textarea[name=description]").fill(REQUEST)
    psirt.locator(".form-nav button[value=next]").click()
    expect(psirt).to_have_url(re.compile(rf"/{code}/report/step/circumstances/$"))
    field(psirt, lang.t("Wanted publication time (JST)")).fill(local_input(wanted))
    psirt.get_by_label(lang.t("Please assign a CVE ID")).check()
    psirt.locator(".form-nav button[value=next]").click()
    psirt.locator(".form-nav button[value=next]").click()
    expect(psirt).to_have_url(re.compile(rf"/{code}/report/confirm/$"))
    confirmation = psirt.locator("main")
    expect(confirmation).to_contain_text(t(code, "Vendor self-report (own product)"))
    expect(confirmation).to_contain_text(f"{wanted:%Y-%m-%d %H:%M} JST")
    shot(psirt, "scenario7", "01-confirm")
    psirt.locator("main form button[type=submit]").first.click()
    expect(psirt).to_have_url(re.compile(rf"/{code}/report/done/$"))
    report = Report.objects.get(title=title)
    assert report.track == "self_report" and report.finder_user is not None
    assert report.wanted_publication_at == wanted and report.cve_requested

    # --- The clerk accepts and forwards ---------------------------------------------------
    clerk = stage.person("clerk")
    clerk.goto(f"/{code}/reception/reports/{report.pk}/")
    rows = clerk.locator("#checks tbody tr")
    for index in range(5):
        rows.nth(index).locator("button[name=check-result][value=pass]").click()
        expect(rows.nth(index).locator(".badge")).to_have_text(
            t(code, "Passed", "acceptance check")
        )
    open_action(clerk, "accept").locator("button[type=submit]").click()
    forward = open_action(clerk, "forward")
    forward.locator("select[name=forward-coordinator_org]").select_option(
        label="架け橋 調整センター" if code == "ja" else "Kakehashi Coordination Center"
    )
    forward.locator("button[type=submit]").click()
    expect(clerk).to_have_url(re.compile(rf"/{code}/cases/\d+/$"))
    case = Case.objects.get(reports=report)
    assert case.origin == "self_report"

    # --- The coordinator: the vendor is the only other party; its time becomes the target --
    coordinator = stage.person("coordinator")
    case_path = lang.url(f"/cases/{case.pk}/")
    coordinator.goto(case_path)
    participants = coordinator.locator("#participants table.participants")
    expect(participants).to_contain_text(VENDOR_NAMES[code])
    expect(participants).not_to_contain_text(t(code, "Finder"))
    expect(coordinator.locator("main")).to_contain_text(t(code, "Vendor self-report"))
    requests = coordinator.locator("#self-report-requests")
    expect(requests).to_contain_text(report.tracking_id)
    submit(
        coordinator,
        requests.get_by_role("button", name=lang.t("Make it the target publication")),
    )
    told(coordinator, lang.t("The target publication was changed and the participants were told."))
    case.refresh_from_db()
    assert case.target_publication_at == wanted
    add_case_product(coordinator, lang, VENDOR_NAMES[code], "SR-700 4.x", versions="4.0.0 – 4.2.0")
    add_case_product(coordinator, lang, VENDOR_NAMES[code], "SR-700 5.x", versions="5.0.0 –")
    vulnerability = case.vulnerabilities.get(number=1)
    coordinator.goto(f"{case_path}?edit={vulnerability.pk}#edit-vulnerability")
    edit = coordinator.locator("#edit-vulnerability")
    field(edit, lang.t("Title (Japanese)")).fill(TEXTS["ja"][0])
    field(edit, lang.t("Title (English)")).fill(TEXTS["en"][0])
    field(edit, lang.t("Description (Japanese)")).fill(TEXTS["ja"][1])
    field(edit, lang.t("Description (English)")).fill(TEXTS["en"][1])
    field(edit, lang.t("CWE")).fill("CWE-287")
    submit(coordinator, edit.get_by_role("button", name=lang.t("Save"), exact=True))
    shot(coordinator, "scenario7", "02-case")

    # --- The vendor: fixed in 4.2.1, 5.x not affected, with statements ---------------------
    psirt.goto(lang.url(f"/portal/cases/{case.pk}/"))
    statuses = state_statuses(
        psirt,
        lang,
        [
            ("SR-700 4.x", "fixed", {"fixed_in": "4.2.1"}),
            ("SR-700 5.x", "not_affected", {"justification": "vulnerable_code_not_present"}),
        ],
    )
    expect(statuses).to_contain_text("4.2.1")
    coordinator.goto(case_path)
    for _ in range(2):
        answers = coordinator.locator("#vendor-answers")
        submit(coordinator, answers.get_by_role("button", name=lang.t("Approve")).first)
    expect(
        coordinator.locator("#vendor-answers").get_by_role("button", name=lang.t("Approve"))
    ).to_have_count(0)

    # --- The CNA officer sees the request, assigns an ID; the record passes its checks -----
    officer = stage.person("cna")
    officer.goto(lang.url("/cna/"))
    reserve = officer.locator(
        "form", has=officer.get_by_role("button", name=lang.t("Reserve"), exact=True)
    )
    field(reserve, lang.t("How many IDs")).fill("1")
    submit(officer, reserve.get_by_role("button", name=lang.t("Reserve"), exact=True))
    officer.goto(case_path)
    expect(officer.locator("#self-report-requests")).to_contain_text(
        lang.t("Requested: the CNA officer assigns it to the vulnerability below.")
    )
    assign_cve_with_reference(officer, lang, vulnerability, fake, VENDOR_ADVISORY)

    # --- The advisory: drafted, confirmed by the vendor, approved, scheduled ---------------
    coordinator.goto(case_path)
    submit(coordinator, coordinator.get_by_role("button", name=lang.t("Draft the advisory")))
    advisory = Advisory.objects.get(case=case)
    assert advisory.advisory_id.startswith("JVN#")
    psirt.goto(lang.url(f"/advisories/review/cases/{case.pk}/"))
    review = psirt.locator("form", has=psirt.get_by_role("button", name=lang.t("Send the answer")))
    review.get_by_label(lang.t("Confirmed"), exact=True).check()
    field(review, lang.t("URL of your advisory")).fill(VENDOR_ADVISORY)
    submit(psirt, review.get_by_role("button", name=lang.t("Send the answer")))
    coordinator.goto(lang.url(f"/advisories/desk/{advisory.pk}/"))
    for language in ("ja", "en"):
        column = coordinator.locator(f"section[lang={language}]")
        submit(
            coordinator,
            column.get_by_role("button", name=lang.t("Approve version %(version)s", version=1)),
        )
    advisory.refresh_from_db()
    assert advisory.state == "scheduled", advisory.state
    assert advisory.scheduled_for == wanted
    shot(coordinator, "scenario7", "03-advisory-scheduled")

    # --- Nothing is public before the agreed time -------------------------------------------
    for path, body in stage.public_outputs(stage.page):
        for secret in (title, case.reference, "SR-700", advisory.advisory_id):
            assert secret not in body, (path, secret)
    assert fake.state.records == {}, "nothing goes to CVE Services before the instant"

    # --- The agreed instant: the clock moves to it for the publication job ------------------
    with mock.patch("django.utils.timezone.now", return_value=wanted + timedelta(seconds=1)):
        assert publish_due_advisories.call() >= 1
        run_pending_jobs()
    run_pending_jobs()
    advisory.refresh_from_db()
    assert advisory.state == "published"
    check_public_outputs(stage, lang, advisory, vulnerability.cve_id, fake)

    # --- The desk's statistics: a self-report, and an advisory from a self-report ----------
    clerk.goto(lang.url("/statistics/desk/"))
    expect(clerk.locator(f"#col-{Quarter.containing(wanted).code}")).to_be_visible()
    for key in ("received_self_report", "accepted_self_report", "advisories_self_report"):
        expect(clerk.locator(f"#fig-{key} td").first).to_have_text("1")
    for key in ("reporter_identified", "reporter_anonymous", "received_product"):
        expect(clerk.locator(f"#fig-{key} td").first).to_have_text("0")
    shot(clerk, "scenario7", "05-desk-statistics")


def check_public_outputs(
    stage: Stage, lang: Lang, advisory: Advisory, cve_id: str, fake: FakeCveServices
) -> None:
    """The advisory in both languages and every feed and format, the CVE record at CVE
    Services — and no finder credit in any of them (the vendor reported it itself)."""
    anonymous: Page = stage.new_page(locale=lang.locale)
    for language in ("ja", "en"):
        anonymous.goto(f"/{language}/advisories/{advisory.slug}/")
        main = anonymous.locator("main")
        expect(main).to_contain_text(advisory.advisory_id)
        expect(main).to_contain_text(cve_id)
        expect(main).to_contain_text("4.2.1")
        expect(main.locator(f"a[href='{VENDOR_ADVISORY}']")).not_to_have_count(0)
        expect(main.locator("#credits")).to_have_count(0)
        if language == lang.code:
            stage.shot(anonymous, "scenario7", "04-advisory")
    texts = {
        name: anonymous.request.get(path).text()
        for name, path in (
            ("atom", lang.url("/feeds/advisories.atom")),
            ("jvnrss", "/feeds/jvnrss.xml"),
            ("jvnrss_en", "/feeds/jvnrss.en.xml"),
            ("vuldef", f"/advisories/{advisory.slug}/vuldef.xml"),
            ("csaf", f"/advisories/{advisory.slug}/csaf.json"),
            ("osv", "/advisories/osv.json"),
        )
    }
    for name in ("atom", "jvnrss", "jvnrss_en", "vuldef", "csaf"):
        assert advisory.advisory_id in texts[name], name
    csaf = json.loads(texts["csaf"])
    assert csaf["document"]["tracking"]["status"] == "final"
    assert "acknowledgments" not in csaf["document"]
    assert all("acknowledgments" not in v for v in csaf.get("vulnerabilities", []))
    record = CveRecord.objects.get(cve__cve_id=cve_id)
    assert record.sync_state in ("queued", "published"), record.sync_state
    credits = fake.state.records[cve_id]["containers"]["cna"].get("credits", [])
    assert [c["type"] for c in credits] == ["coordinator"], credits  # no finder credit
