"""End to end in the browser: a coordinator takes a case from creation to closure.

Issue 3's "done when": creation, contacting vendors, an agreed embargo, vendor
statuses, a recorded public event and closure, in both languages, with the steps in
the timeline. The first half runs in Japanese, the second in English (switched with
the header's language link); one refused action shows that a step the state forbids
is refused with a message naming the state, and changes nothing.

Runs the real app (live server, demo data) in headless Chromium. Waits are
Playwright's auto-waiting ``expect`` assertions, never sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from kakehashi.core.dates import JST

pytestmark = pytest.mark.browser

CASE_URL = re.compile(r"/ja/cases/(\d+)/(#.*)?$")
# How the schedule and the embargo panel show an instant to a viewer in Asia/Tokyo:
# "2026-12-01 12:00 JST (03:00 UTC)", the UTC part with its own date when it differs.
JST_AND_UTC = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} JST \((\d{4}-\d{2}-\d{2} )?\d{2}:\d{2} UTC\)"

# A case's page posts every action with the revision it was drawn from; this script
# posts a proposal the page does not offer, as a stale tab or a crafted request would.
POST_PROPOSAL = """([url, end]) => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = url;
    const fields = {
        csrfmiddlewaretoken: document.querySelector("[name=csrfmiddlewaretoken]").value,
        "propose-revision": document.querySelector("[name=participants-revision]").value,
        "propose-ends_at": end,
        "propose-note": "proposed after P",
    };
    for (const [name, value] of Object.entries(fields)) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.append(input);
    }
    document.body.append(form);
    form.submit();
}"""


def field(container: Locator, label: str) -> Locator:
    """The control labelled exactly ``label`` (Django's label tag adds a colon)."""
    return container.get_by_label(re.compile(rf"^{re.escape(label)}[:：]?$"))


def fact(section: Locator, term: str) -> Locator:
    """The <dd> after the <dt> ``term`` in a section's list of facts."""
    return section.locator(f"xpath=.//dt[normalize-space()='{term}']/following-sibling::dd[1]")


def open_action(page: Page, key: str) -> Locator:
    """Open the case page's form for ``?act=<key>`` through its link (htmx swaps it in)
    and return the form's container."""
    container = page.locator(f"#act-{key}")
    container.locator("a.action-link").click()
    expect(container.locator("form[method=post]")).to_be_visible()
    return container


def told(page: Page, text: str) -> None:
    """The page's message after an action (post/redirect/get)."""
    expect(page.get_by_role("status")).to_contain_text(text)


def test_coordinator_takes_a_case_from_creation_to_closure(
    page: Page,
    demo_data: None,
    sign_in: Callable[[Page, str], None],
    screenshot: Callable[[Page, str], None],
) -> None:
    sign_in(page, "coordinator")

    # --- 日本語 -----------------------------------------------------------------------
    page.goto("/ja/cases/")
    new_case = page.locator("#new-case")
    field(new_case, "タイトル（日本語）").fill("ルータ管理画面の認証回避")
    field(new_case, "タイトル（英語）").fill("Authentication bypass in the router admin UI")
    new_case.get_by_role("button", name="案件を開始").click()
    expect(page).to_have_url(CASE_URL)
    match = CASE_URL.search(page.url)
    assert match is not None
    case_id = match.group(1)
    header = page.locator("#case")
    reference = header.locator(".reference").inner_text()
    assert re.fullmatch(r"KH-\d{4}-\d+", reference), reference
    told(page, f"案件 {reference} を開始しました。")
    expect(header.get_by_role("heading", level=1)).to_contain_text("ルータ管理画面の認証回避")
    expect(fact(header, "フェーズ")).to_have_text("製品開発者の特定中")

    # Two vendor organisations in one submit.
    add = open_action(page, "add")
    field(add, "ロール").select_option(label="製品開発者")
    field(add, "組織").select_option(
        label=["さくらネットワーク機器株式会社", "Northwind Appliances Inc."]
    )
    add.get_by_role("button", name="追加", exact=True).click()
    told(page, "2 件の参加者を追加しました。")
    participants = page.locator("#participants table.participants")
    for name in ("さくらネットワーク機器株式会社", "Northwind Appliances Inc."):
        row = participants.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=name, exact=True)
        )
        expect(row.get_by_role("cell").first).to_have_text("製品開発者")

    # A vulnerability, so that a vendor can state its status for it.
    vulnerability = open_action(page, "vulnerability")
    field(vulnerability, "タイトル（日本語）").fill("管理画面の認証回避")
    field(vulnerability, "タイトル（英語）").fill("Admin UI authentication bypass")
    field(vulnerability, "CWE").fill("CWE-287")
    vulnerability.get_by_role("button", name="追加", exact=True).click()
    told(page, "脆弱性 #1 を追加しました。")

    # The first contact attempt, with the details: day zero, details sent, the target.
    contact = open_action(page, "contact")
    field(contact, "参加者").select_option(label="さくらネットワーク機器株式会社 (製品開発者)")
    field(contact, "連絡手段").select_option("email")
    field(contact, "メールアドレス、電話番号または URL").fill("psirt@sakura.example")
    field(contact, "脆弱性の詳細情報を連絡済み").check()
    before = datetime.now(JST).date()
    contact.get_by_role("button", name="記録", exact=True).click()
    told(page, "連絡を記録しました。")
    after = datetime.now(JST).date()

    schedule = page.locator("#schedule")
    day_zero_text = fact(schedule, "起算日")
    expect(day_zero_text).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \(JST\)$"))
    day_zero = datetime.strptime(day_zero_text.inner_text()[:10], "%Y-%m-%d").date()
    assert before <= day_zero <= after, (before, day_zero, after)
    expect(fact(schedule, "詳細情報連絡日")).to_have_text(re.compile(rf"^{JST_AND_UTC}$"))
    # The default target publication: day zero + 45 days, at 12:00 JST (03:00 UTC).
    default_target = f"{day_zero + timedelta(days=45):%Y-%m-%d} 12:00 JST (03:00 UTC)"
    expect(fact(schedule, "公表予定日")).to_contain_text(default_target)
    sakura_row = participants.get_by_role("row").filter(has_text="さくらネットワーク機器株式会社")
    expect(sakura_row).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} JST"))
    expect(fact(header, "フェーズ")).to_have_text("製品開発者による検証中")

    # An embargo ending in about 30 days: proposed, then accepted.
    ends = (datetime.now(JST) + timedelta(days=30)).replace(hour=12, minute=0)
    ends_shown = f"{ends:%Y-%m-%d} 12:00 JST (03:00 UTC)"
    propose = open_action(page, "propose")
    field(propose, "エンバーゴ終了日時").fill(f"{ends:%Y-%m-%dT%H:%M}")
    propose.get_by_role("button", name="提案", exact=True).click()
    told(page, "エンバーゴを提案しました。")
    embargo = page.locator("#embargo")
    proposals = embargo.get_by_role("table", name="検討中の提案")
    expect(proposals).to_contain_text(ends_shown)
    proposals.get_by_role("button", name="承認", exact=True).click()
    told(page, "エンバーゴが発効しました。")
    expect(fact(embargo, "状態")).to_have_text("発効中")
    expect(fact(embargo, "条件の有効期限")).to_contain_text(ends_shown)
    expect(fact(header, "フェーズ")).to_have_text("公表日の合意済み")
    expect(fact(schedule, "公表予定日")).to_contain_text(ends_shown)  # the agreed end
    screenshot(page, "case-ja.png")

    # --- English ----------------------------------------------------------------------
    page.locator(".language-switch").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(rf"/en/cases/{case_id}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(fact(header, "Phase")).to_have_text("Publication date agreed")
    expect(fact(embargo, "State")).to_have_text("Active")
    expect(fact(schedule, "Day zero (起算日)")).to_have_text(f"{day_zero:%Y-%m-%d} (JST)")

    # The vendor's status "fixed", with a statement in each language; then approved.
    status = open_action(page, "status")
    field(status, "Vendor").select_option(label="Sakura Network Devices K.K.")
    field(status, "Vulnerability").select_option(index=1)
    field(status, "Status").select_option(label="Fixed")
    field(status, "Statement (Japanese)").fill("ファームウェア 2.4.1 で修正しました。")
    field(status, "Statement (English)").fill("Fixed in firmware 2.4.1.")
    field(status, "Fixed in version").fill("2.4.1")
    status.get_by_role("button", name="Record", exact=True).click()
    told(page, "The vendor status was recorded; it awaits approval.")
    sakura_statuses = (
        page.locator("table.matrix")
        .get_by_role("row")
        .filter(has_text="Sakura Network Devices K.K.")
    )
    expect(sakura_statuses.locator(".s-fixed")).to_have_text("Fixed")
    sakura_statuses.get_by_role("button", name="Approve", exact=True).click()
    told(page, "The status was approved.")
    expect(sakura_statuses.locator(".approved")).to_be_visible()
    expect(sakura_statuses.get_by_role("button", name="Approve")).to_have_count(0)

    # Public awareness (P): the embargo ends at once.
    event = open_action(page, "event")
    field(event, "Event").select_option("P")
    field(event, "Source").fill("https://sakura.example/advisory/2026-01")
    field(event, "Evidence").fill("The vendor published its advisory.")
    event.get_by_role("button", name="Record", exact=True).click()
    told(page, "The event was recorded.")
    expect(fact(embargo, "State")).to_have_text("Exited")
    expect(fact(embargo, "Terms in force until")).to_have_count(0)
    expect(fact(header, "World state")).to_contain_text("Pxa")

    # Refused: no embargo after P. The page no longer offers one ...
    expect(embargo.get_by_role("link", name=re.compile("^Propose"))).to_have_count(0)
    # ... and a proposal posted anyway is refused, naming the state, changing nothing.
    revision = page.locator("[name=participants-revision]").input_value()
    steps_before = page.locator("#timeline li").all_inner_texts()
    end = f"{datetime.now(JST) + timedelta(days=20):%Y-%m-%dT12:00}"
    page.evaluate(POST_PROPOSAL, [f"/en/cases/{case_id}/embargo/propose/", end])
    expect(page.get_by_role("status")).to_have_text(
        "“propose” is not allowed while the embargo is “Exited”. Allowed now: nothing."
    )
    expect(fact(embargo, "State")).to_have_text("Exited")
    expect(embargo.get_by_role("table", name="Open proposals")).to_have_count(0)
    expect(page.locator("[name=participants-revision]")).to_have_value(revision)
    assert page.locator("#timeline li").all_inner_texts() == steps_before

    # The advisory is out: the phase moves to "Published"; then the case is closed.
    page.goto(f"/en/cases/{case_id}/")
    header.get_by_role("button", name="Publish", exact=True).click()
    told(page, "The phase is now “Published”.")
    close = open_action(page, "close")
    field(close, "Reason").select_option(label="Published; no further updates expected")
    field(close, "Note").fill("Advisory JVN#00000000 published.")
    close.get_by_role("button", name="Close", exact=True).click()
    told(page, "The case was closed.")
    expect(fact(header, "Phase")).to_have_text("Closed — Published; no further updates expected")
    expect(page.locator("#act-close")).to_have_count(0)
    expect(page.locator("#act-reopen")).to_be_visible()
    screenshot(page, "case-en.png")

    # The steps, in the full timeline (newest first).
    page.get_by_role("link", name="The full timeline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Timeline of {reference}")
    steps = page.locator("ol.timeline > li")
    expected = [
        "The coordination phase: ∅ → Identifying vendors",
        "Report management: ∅ → Start (2 participants)",
        "Contact attempt by E-mail to psirt@sakura.example: Sent, no answer yet (details sent)",
        f"Target publication set to {default_target}: Initial target",
        "The coordination phase: Contacting vendors → Vendors verifying",
        f"Embargo proposed until {ends_shown}",
        "The embargo: Proposed → Active",
        f"Target publication set to {ends_shown}: An embargo was agreed",
        "The coordination phase: Vendors verifying → Publication date agreed",
        "Vendor status for #1: Fixed (version 1)",
        "Event: public aware",
        "The embargo: Active → Exited",
        "The coordination phase: Publication date agreed → Published",
        "The coordination phase: Published → Closed",
    ]
    for text in expected:
        expect(steps.filter(has_text=text), f"timeline step {text!r}").to_have_count(1)
    # Steps of separate requests are in order (one request's steps share an instant).
    texts = [re.sub(r"\s+", " ", t) for t in steps.all_inner_texts()]
    one_per_request = [
        "∅ → Identifying vendors",
        "Contact attempt by E-mail",
        "Embargo proposed until",
        "The embargo: Proposed → Active",
        "Vendor status for #1",
        "Event: public aware",
        "Publication date agreed → Published",
        "Published → Closed",
    ]
    positions = [next(i for i, t in enumerate(texts) if e in t) for e in one_per_request]
    assert positions == sorted(positions, reverse=True), "\n".join(texts)
    expect(steps.filter(has_text="Published → Closed")).to_contain_text(
        "Advisory JVN#00000000 published."
    )
