"""SCENARIOS.md 1 — domestic, one vendor (JVN#), end to end in the browser.

A Japanese researcher reports a stored XSS in the admin console of a network camera's
firmware through the public form, with a PoC HTML file and a screenshot; she allows
her name as credit but not to be passed to the vendor. The reception clerk asks one
question, she answers through the link in her receipt mail, the five checks pass, the
report is accepted (受理) and forwarded. The coordinator finds the vendor in the
registry by the product's name and notifies it (PGP-encrypted to its key); the vendor's
PSIRT acknowledges, reports 2.x affected (fixed in 2.8.1) and 3.x not affected, and asks
for ten more days, which the coordinator grants. The CNA officer assigns a CVE ID from
the pool; the advisory is drafted, reviewed by the vendor (with its own advisory's URL),
approved in both languages and scheduled. At the embargo instant the publication job
runs, and every public output is checked — and checked for what must never be there.

The test runs once per UI language: every persona uses the product in that language,
and every label is looked up through the catalogs. Only the world (the vendor's product
and key, the CNA's service) is set up directly, and the clock is moved for the job run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kakehashi.advisories.models import Advisory
from kakehashi.advisories.tasks import publish_due_advisories
from kakehashi.cases.models import Case, ScheduleChange
from kakehashi.cna.fake import FakeCveServices
from kakehashi.cna.models import CveRecord
from kakehashi.core.testing import run_pending_jobs

from .steps import (
    CAMERA,
    VENDOR_EMAIL,
    Finding,
    Lang,
    add_case_product,
    ask_finder,
    assign_cve_with_reference,
    camera_vendor_with_key,
    cve_services,
    decrypt_notice,
    deliver_mail,
    field,
    file_report,
    find_and_add_vendor,
    follow_up_path,
    local_input,
    open_report,
    pass_checks_accept_and_forward,
    received,
    sign_in,
    state_statuses,
    submit,
    told,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeCveServices]:
    with cve_services(settings) as server:
        yield server


POC_NAME = "poc-stored-xss.html"
POC_BODY = b"<!doctype html><form action='http://192.0.2.10/admin/users'><input name='nick' value='&lt;script&gt;alert(\"kh-poc-7f3a\")&lt;/script&gt;'></form>"
SCREENSHOT_NAME = "admin-console-alert.png"
# The smallest valid PNG (1×1, grey): the desk sniffs the type from the contents.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000376ef9240000000a49444154"
    "789c6360000000020001e221bc330000000049454e44ae426082"
)
FINDER_NAME = "中村 花子"
FINDER_EMAIL = "hanako.nakamura@research.example.jp"
CREDIT = "Hanako Nakamura (Kasumi Lab)"

VENDOR_ADVISORY = "https://sakura.example/security/2026-nc200"
VENDOR_NAMES = {"ja": "さくらネットワーク機器株式会社", "en": "Sakura Network Devices K.K."}

FINDINGS = {
    "ja": {
        "title": "SakuraCam NC-200 の管理画面における格納型クロスサイトスクリプティング",
        "description": "ユーザー管理画面のニックネーム欄がエスケープされず、管理者が一覧を開くと任意のスクリプトが実行されます。",
        "environment": "SakuraCam NC-200、ファームウェア 2.8.0、初期設定",
        "reproduction": "1. 一般ユーザーでニックネームに PoC の値を保存する\n2. 管理者でユーザー一覧を開く",
        "impact": "管理者のブラウザ上で任意のスクリプトが実行され、設定を改ざんされる可能性があります。",
        "question": "検証したファームウェアのバージョンを教えてください。",
        "answer": "ファームウェア 2.8.0 で確認しました。3.0.1 では再現しません。",
    },
    "en": {
        "title": "Stored cross-site scripting in the SakuraCam NC-200 admin console",
        "description": "The nickname field of the user admin page is not escaped; when an administrator opens the list, any script runs.",
        "environment": "SakuraCam NC-200, firmware 2.8.0, factory settings",
        "reproduction": "1. Save the PoC value as a user's nickname\n2. Open the user list as the administrator",
        "impact": "Any script runs in the administrator's browser, who may have the settings changed.",
        "question": "Which firmware version did you test?",
        "answer": "Firmware 2.8.0. It does not reproduce on 3.0.1.",
    },
}


@pytest.mark.parametrize("code", ["ja", "en"])
@pytest.mark.usefixtures("demo_data")
def test_domestic_report_to_jvn_advisory(  # noqa: PLR0917 - one scenario, in order
    code: str,
    page: Page,
    new_page: Callable[..., Page],
    settings: Any,
    screenshot: Callable[[Page, str], None],
    fake: FakeCveServices,
) -> None:
    lang = Lang(code)
    texts = FINDINGS[code]
    key = camera_vendor_with_key()
    shot = lambda who, step: screenshot(who, f"scenario1-{code}-{step}.png")  # noqa: E731

    # 1. The finder reports through the form, without an account.
    finder = page
    finder.context.set_extra_http_headers({"Accept-Language": lang.locale})
    finding = Finding(
        name=FINDER_NAME,
        email=FINDER_EMAIL,
        credit_name=CREDIT,
        title=texts["title"],
        product=CAMERA,
        versions="2.8.0",
        vendor="さくらネットワーク機器株式会社",
        description=texts["description"],
        environment=texts["environment"],
        reproduction=texts["reproduction"],
        impact=texts["impact"],
        cvss="CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N",
        files=((POC_NAME, "text/html", POC_BODY), (SCREENSHOT_NAME, "image/png", PNG)),
    )
    tracking_id = file_report(finder, lang, finding)
    shot(finder, "01-report-received")
    (receipt,) = [m for m in deliver_mail() if FINDER_EMAIL in m.to]
    assert tracking_id in receipt.body
    follow_up = follow_up_path(receipt)

    # 2. Reception: one question, answered by the finder through her link.
    clerk = new_page(locale=lang.locale)
    sign_in(clerk, "clerk", lang)
    report_path = open_report(clerk, lang, tracking_id)
    expect(clerk.locator("#attachments")).to_contain_text(POC_NAME)
    expect(clerk.locator("#attachments")).to_contain_text(SCREENSHOT_NAME)
    ask_finder(clerk, lang, texts["question"])
    (question,) = [m for m in deliver_mail() if FINDER_EMAIL in m.to]
    assert tracking_id in question.subject + question.body

    finder.goto(follow_up)
    expect(finder.locator("#status")).to_contain_text(
        lang.t("The desk asked you a question: please answer below.")
    )
    expect(finder.locator("#conversation")).to_contain_text(texts["question"])
    field(finder, lang.t("Your message")).fill(texts["answer"])
    submit(finder, finder.get_by_role("button", name=lang.t("Send"), exact=True))
    told(finder, lang.t("Your message was sent to the reception desk."))
    shot(finder, "02-finder-answered")

    clerk.goto(report_path)
    expect(clerk.locator("#conversation")).to_contain_text(texts["answer"])
    reference = pass_checks_accept_and_forward(clerk, lang)
    clerk.goto(report_path)
    shot(clerk, "03-desk-forwarded")
    accepted = [m for m in deliver_mail() if FINDER_EMAIL in m.to]
    assert accepted, "the finder is told of the acceptance"
    case = Case.objects.get(reference=reference)

    # 3. The coordinator finds the vendor by the product's name and notifies it.
    coordinator = new_page(locale=lang.locale)
    sign_in(coordinator, "coordinator", lang)
    find_and_add_vendor(coordinator, lang, case.pk, "NC-200", VENDOR_NAMES[code])
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    expect(coordinator.locator("#participants")).to_contain_text(VENDOR_NAMES[code])
    vendor_label = VENDOR_NAMES[code]
    add_case_product(
        coordinator, lang, vendor_label, f"{CAMERA} firmware 2.x", versions="2.0.0 – 2.8.0"
    )
    add_case_product(coordinator, lang, vendor_label, f"{CAMERA} firmware 3.x", versions="3.0.0 –")
    vulnerability = case.vulnerabilities.get(number=1)
    coordinator.goto(lang.url(f"/cases/{case.pk}/?edit={vulnerability.pk}#edit-vulnerability"))
    edit = coordinator.locator("#edit-vulnerability")
    field(edit, lang.t("Title (Japanese)")).fill(FINDINGS["ja"]["title"])
    field(edit, lang.t("Title (English)")).fill(FINDINGS["en"]["title"])
    field(edit, lang.t("Description (Japanese)")).fill(FINDINGS["ja"]["description"])
    field(edit, lang.t("Description (English)")).fill(FINDINGS["en"]["description"])
    field(edit, lang.t("CWE")).fill("CWE-79")
    submit(coordinator, edit.get_by_role("button", name=lang.t("Save"), exact=True))

    submit(
        coordinator,
        coordinator.get_by_role("button", name=lang.t("Notify every vendor not yet notified")),
    )
    sent = deliver_mail()
    (notice,) = [m for m in sent if VENDOR_EMAIL in m.to]
    raw = notice.raw  # as it crossed the wire
    assert notice.message().get_content_type() == "multipart/encrypted"
    assert FINDINGS["en"]["description"].encode() not in raw
    plain = decrypt_notice(raw, key)
    assert case.reference in plain
    for secret in (FINDER_NAME, FINDER_EMAIL):
        assert secret not in plain, "the finder did not allow her identity to be passed on"
    case.refresh_from_db()
    assert case.day_zero is not None and case.target_publication_at is not None
    default_target = case.target_publication_at
    assert (default_target.date() - case.day_zero).days in (44, 45, 46)
    coordinator.reload()
    shot(coordinator, "04-case-notified")

    # 4. The vendor's PSIRT acknowledges, states its statuses, asks for ten more days.
    vendor = new_page(locale=lang.locale)
    sign_in(vendor, "psirt", lang)
    vendor.goto(lang.url(f"/portal/cases/{case.pk}/"))
    expect(vendor.locator("body")).not_to_contain_text(FINDER_NAME)
    submit(vendor, vendor.get_by_role("button", name=lang.t("Acknowledge the notice")))
    statuses = state_statuses(
        vendor,
        lang,
        [
            (f"{CAMERA} firmware 2.x", "affected", {"fixed_in": "2.8.1"}),
            (
                f"{CAMERA} firmware 3.x",
                "not_affected",
                {"justification": "vulnerable_code_not_present"},
            ),
        ],
    )
    expect(statuses).to_contain_text("2.8.1")
    wanted = timezone.localtime(default_target + timedelta(days=10)).replace(
        second=0, microsecond=0
    )
    schedule = vendor.locator("section#schedule")
    schedule.locator("input[name=schedule-requested_target]").fill(local_input(wanted))
    schedule.locator("textarea[name=schedule-reason]").fill(
        "修正版 2.8.1 の検証に 10 日必要です。"
        if code == "ja"
        else "We need ten days to test 2.8.1."
    )
    submit(vendor, schedule.get_by_role("button", name=lang.t("Send the request")))
    shot(vendor, "05-vendor-portal")

    # 5. The coordinator grants the request and approves the statements.
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    submit(coordinator, coordinator.get_by_role("button", name=lang.t("Grant")).first)
    told(coordinator, lang.t("The request was granted; the target publication moved."))
    case.refresh_from_db()
    assert case.target_publication_at == wanted
    change = ScheduleChange.objects.filter(case=case).order_by("-pk").first()
    assert change is not None and change.new_target == wanted and change.notified
    told_of_change = deliver_mail()
    assert any("psirt@demo.kakehashi.invalid" in m.to for m in told_of_change)
    for _ in range(2):
        answers = coordinator.locator("#vendor-answers")
        submit(coordinator, answers.get_by_role("button", name=lang.t("Approve")).first)
    expect(
        coordinator.locator("#vendor-answers").get_by_role("button", name=lang.t("Approve"))
    ).to_have_count(0)

    # 6. The CNA officer reserves IDs, assigns one, and the record passes its checks.
    officer = new_page(locale=lang.locale)
    sign_in(officer, "cna", lang)
    officer.goto(lang.url("/cna/"))
    reserve = officer.locator(
        "form", has=officer.get_by_role("button", name=lang.t("Reserve"), exact=True)
    )
    field(reserve, lang.t("How many IDs")).fill("3")
    submit(officer, reserve.get_by_role("button", name=lang.t("Reserve"), exact=True))
    officer.goto(lang.url(f"/cases/{case.pk}/"))
    assign_cve_with_reference(officer, lang, vulnerability, fake, VENDOR_ADVISORY)
    shot(officer, "06-cve-record")

    # 7. The advisory: drafted, reviewed by the vendor, approved in both languages.
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    submit(coordinator, coordinator.get_by_role("button", name=lang.t("Draft the advisory")))
    advisory = Advisory.objects.get(case=case)
    assert advisory.advisory_id.startswith("JVN#")
    vendor.goto(lang.url(f"/advisories/review/cases/{case.pk}/"))
    review = vendor.locator(
        "form", has=vendor.get_by_role("button", name=lang.t("Send the answer"))
    )
    review.get_by_label(lang.t("Confirmed"), exact=True).check()
    field(review, lang.t("URL of your advisory")).fill(VENDOR_ADVISORY)
    submit(vendor, review.get_by_role("button", name=lang.t("Send the answer")))
    coordinator.goto(lang.url(f"/advisories/desk/{advisory.pk}/"))
    for language in ("ja", "en"):
        column = coordinator.locator(f"section[lang={language}]")
        approve = column.get_by_role(
            "button", name=lang.t("Approve version %(version)s", version=1)
        )
        submit(coordinator, approve)
    advisory.refresh_from_db()
    assert advisory.state == "scheduled", advisory.state
    assert advisory.scheduled_for == wanted
    shot(coordinator, "07-advisory-scheduled")
    assert fake.state.records == {}, "nothing goes to CVE Services before the instant"

    # 8. The embargo instant: the clock moves to it for the publication job.
    anonymous = new_page(locale=lang.locale)
    assert anonymous.goto(lang.url(f"/advisories/{advisory.slug}/")).status == 404
    before = len(received())
    with mock.patch("django.utils.timezone.now", return_value=wanted + timedelta(seconds=1)):
        assert publish_due_advisories.call() >= 1
        run_pending_jobs()
    run_pending_jobs()
    advisory.refresh_from_db()
    assert advisory.state == "published"
    told_finder = [m for m in received()[before:] if FINDER_EMAIL in m.to]
    assert told_finder, "the finder is told of the publication"

    # 9. Every public output, in both languages.
    for language in ("ja", "en"):
        anonymous.goto(f"/{language}/advisories/{advisory.slug}/")
        main = anonymous.locator("main")
        expect(main).to_contain_text(advisory.advisory_id)
        expect(main).to_contain_text(vulnerability.cve_id)
        expect(main).to_contain_text(CREDIT)
        expect(main).to_contain_text("2.8.1")
        expect(main.locator(f"a[href='{VENDOR_ADVISORY}']")).not_to_have_count(0)
        shot(anonymous, f"08-advisory-{language}")
    public_texts = {
        "atom": anonymous.request.get(lang.url("/feeds/advisories.atom")).text(),
        "jvnrss": anonymous.request.get("/feeds/jvnrss.xml").text(),
        "jvnrss_en": anonymous.request.get("/feeds/jvnrss.en.xml").text(),
        "vuldef": anonymous.request.get(f"/advisories/{advisory.slug}/vuldef.xml").text(),
        "csaf": anonymous.request.get(f"/advisories/{advisory.slug}/csaf.json").text(),
        "page_ja": anonymous.request.get(f"/ja/advisories/{advisory.slug}/").text(),
        "page_en": anonymous.request.get(f"/en/advisories/{advisory.slug}/").text(),
    }
    for name in ("atom", "jvnrss", "jvnrss_en", "vuldef", "csaf"):
        assert advisory.advisory_id in public_texts[name], name
    csaf = json.loads(public_texts["csaf"])
    assert csaf["document"]["tracking"]["status"] == "final"
    assert vulnerability.cve_id in public_texts["csaf"]
    record = CveRecord.objects.get(cve__cve_id=vulnerability.cve_id)
    assert record.sync_state in ("queued", "published"), record.sync_state
    assert vulnerability.cve_id in fake.state.records
    # Nothing that identifies the finder, and none of the PoC, anywhere public.
    for name, text in public_texts.items():
        for secret in (
            FINDER_NAME,
            FINDER_EMAIL,
            POC_NAME,
            SCREENSHOT_NAME,
            "kh-poc-7f3a",
            tracking_id,
        ):
            assert secret not in text, (name, secret)
    published = json.dumps(fake.state.records[vulnerability.cve_id], ensure_ascii=False)
    for secret in (FINDER_NAME, FINDER_EMAIL, POC_NAME, "kh-poc-7f3a"):
        assert secret not in published, secret
    assert CREDIT in published
