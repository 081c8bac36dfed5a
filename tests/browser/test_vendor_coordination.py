"""End to end in the browser, issue 5: the coordinator finds and notifies vendors (in
Japanese), a vendor asks for another date and the coordinator grants it, a silent
vendor goes onto the public unreachable list, is declared impossible to coordinate,
and the committee (in English) judges the four criteria and decides.

Button and link texts are looked up through the catalogs (``gettext`` under the page's
language), so the test follows the product's wording in both languages. Time that a
real case spends waiting (months of silence) is the only thing the test sets directly:
the silent vendor's contact attempts are dated seven months back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from kakehashi.accounts.models import Organisation, User
from kakehashi.cases import actions
from kakehashi.cases.models import Case, ContactAttempt, Participant, StateChange
from kakehashi.committee.models import CommitteeFile, Decision
from kakehashi.core import audit
from kakehashi.core.models import AuditEvent
from kakehashi.core.testing import run_pending_jobs
from kakehashi.unreachable.models import UnreachableListing
from kakehashi.vendors.models import VendorNotice

from .traffic import settle

pytestmark = pytest.mark.browser


def ja(text: str) -> str:
    with translation.override("ja"):
        return gettext(text)


def en(text: str) -> str:
    with translation.override("en"):
        return gettext(text)


def _new_case() -> Case:
    coordinator = User.objects.get(username="coordinator")
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=Organisation.objects.get(slug="coordination"),
        reception_org=Organisation.objects.get(slug="reception"),
        title_en="Path traversal in router firmware shared by two vendors",
        title_ja="2 社のルーターファームウェアにおけるパストラバーサル",
    )
    actions.add_vulnerability(case, actor=coordinator, title_en="Path traversal", cwe_id="CWE-22")
    return Case.objects.get(pk=case.pk)


def submit(page: Page, button: Any) -> None:
    """Click a form's button and wait until the answer has loaded: the live server and
    the test share the in-memory database, so the test reads it only between requests."""
    with page.expect_navigation():
        button.click()
    # The requests the page makes once loaded (htmx panels) end too: the worker's jobs
    # that the test runs next write to the same connection.
    settle(page)


def _add_from_search(page: Page, case: Case, query: str, vendor: str) -> None:
    page.goto(f"/ja/vendors/cases/{case.pk}/find/?q={query}")
    page.locator("#vendor-results tr", has_text=vendor).locator("input[type=checkbox]").check()
    submit(page, page.get_by_role("button", name=ja("Add the chosen vendors to the case")))
    expect(page.locator("#vendor-notices")).to_contain_text(vendor)


@pytest.mark.usefixtures("demo_data")
def test_find_notify_agree_and_judge_a_silent_vendor(
    page: Page,
    new_page: Callable[..., Page],
    sign_in: Callable[[Page, str], None],
    settings: Any,
    screenshot: Callable[[Page, str], None],
) -> None:
    settings.KAKEHASHI_COMMITTEE_OPINION_DAYS = 0  # the opinion period is not waited out
    case = _new_case()

    # 1. The coordinator finds both vendors in the registry and notifies them at once.
    sign_in(page, "coordinator")
    _add_from_search(page, case, "ルーター", "さくらネットワーク機器株式会社")
    _add_from_search(page, case, "NAS", "Northwind Appliances Inc.")
    page.goto(f"/ja/cases/{case.pk}/")
    submit(page, page.get_by_role("button", name=ja("Notify every vendor not yet notified")))
    run_pending_jobs()  # the worker's part: render, sign, send, record the attempts
    assert VendorNotice.objects.filter(case=case, state="sent").count() == 2
    assert {m.to[0] for m in mail.outbox} >= {"psirt@sakura.example", "security@northwind.example"}
    page.reload()
    expect(page.locator("#vendor-notices")).to_contain_text("Northwind Appliances Inc.")
    screenshot(page, "issue5-notified-ja.png")
    case.refresh_from_db()
    assert case.day_zero is not None and case.target_publication_at is not None

    # 2. Sakura's PSIRT asks for another date in the portal (English); it is granted.
    vendor = new_page(locale="en-US")
    sign_in(vendor, "psirt")
    vendor.goto(f"/en/portal/cases/{case.pk}/")
    submit(vendor, vendor.get_by_role("button", name=en("Acknowledge the notice")))
    wanted = timezone.localtime(case.target_publication_at + timedelta(days=14)).replace(
        second=0, microsecond=0
    )
    vendor.locator("input[name=schedule-requested_target]").fill(wanted.strftime("%Y-%m-%dT%H:%M"))
    vendor.locator("textarea[name=schedule-reason]").fill(
        "The fix needs two more weeks of testing."
    )
    submit(vendor, vendor.get_by_role("button", name=en("Send the request")))
    expect(vendor.locator("body")).to_contain_text("two more weeks")
    page.goto(f"/ja/cases/{case.pk}/")
    submit(page, page.get_by_role("button", name=ja("Grant")).first)
    case.refresh_from_db()
    assert case.target_publication_at == wanted

    # 3. Northwind stays silent for seven months on every registered channel.
    northwind = Participant.objects.get(case=case, organisation__slug="northwind")
    long_ago = timezone.now() - timedelta(days=210)
    ContactAttempt.objects.filter(participant=northwind).update(attempted_at=long_ago)
    actions.record_contact_attempt(
        Case.objects.get(pk=case.pk),
        northwind,
        actor=User.objects.get(username="coordinator"),
        channel="web",
        address="https://northwind.example/security",
        attempted_at=long_ago + timedelta(days=1),
        outcome="no_answer",
    )
    page.goto(f"/ja/cases/{case.pk}/")
    listing_form = page.locator(
        "form", has=page.get_by_role("button", name=ja("List as unreachable"))
    )
    chooser = listing_form.locator("select").first
    chooser.select_option(chooser.locator("option", has_text="Northwind").get_attribute("value"))
    submit(page, listing_form.get_by_role("button", name=ja("List as unreachable")))
    expect(page.locator("#unreachable")).to_contain_text("DID#")
    listing = UnreachableListing.objects.get(participant=northwind)
    public = new_page(locale="en-US")
    public.goto("/en/unreachable/")
    expect(public.locator("main")).to_contain_text(listing.did)
    expect(public.locator("main")).to_contain_text("Northwind Appliances Inc.")
    expect(public.locator("main")).not_to_contain_text(case.reference)
    screenshot(public, "issue5-unreachable-en.png")

    page.goto(f"/ja/cases/{case.pk}/")
    declare = page.locator(
        "form",
        has=page.get_by_role("button", name=ja("Declare coordination impossible (調整不能)")),
    )
    declare.locator("textarea").fill("メール、Web フォーム、郵送のいずれにも 7 か月応答がない。")
    submit(
        page, declare.get_by_role("button", name=ja("Declare coordination impossible (調整不能)"))
    )
    committee_file = CommitteeFile.objects.get(case=case)

    # 4. The coordinator puts the draft publication text in the file (Japanese); the
    #    committee (English) judges the four criteria and decides.
    page.goto(f"/ja/committee/{committee_file.pk}/")
    record_draft = ja("Record a new version of the draft")
    draft = page.locator("form", has=page.get_by_role("button", name=record_draft))
    draft.locator("textarea").nth(0).fill("Northwind NAS にはパストラバーサルの脆弱性があります。")
    draft.locator("textarea").nth(1).fill("Northwind NAS has a path traversal vulnerability.")
    submit(page, draft.get_by_role("button", name=record_draft))
    expect(page.locator("main")).to_contain_text("Northwind NAS has a path traversal")
    member = new_page(locale="en-US")
    sign_in(member, "committee")
    member.goto("/en/committee/")
    expect(member.locator("main")).to_contain_text(str(committee_file.pk))
    assert member.goto(f"/en/cases/{case.pk}/").status == 404  # the file, not the case
    member.goto(f"/en/committee/{committee_file.pk}/")
    record_assessment = en("Record an assessment")
    for criterion in range(4):
        form = member.locator("form", has=member.get_by_role("button", name=record_assessment))
        form.locator("select").nth(0).select_option(index=criterion)
        form.locator("select").nth(1).select_option("yes")
        form.locator("textarea").fill(f"Criterion {criterion + 1} is met on the file.")
        submit(member, form.get_by_role("button", name=record_assessment))
    record_decision = en("Record the decision")
    decision = member.locator("form", has=member.get_by_role("button", name=record_decision))
    decision.locator("select").select_option("publish")
    decision.locator("textarea").fill("Every criterion is met; users cannot learn of it otherwise.")
    submit(member, decision.get_by_role("button", name=record_decision))
    screenshot(member, "issue5-committee-en.png")
    assert Decision.objects.get(file=committee_file).outcome == "publish"

    # Every step is in the case timeline and in the audit log.
    page.goto(f"/ja/cases/{case.pk}/timeline/?limit=500")
    timeline = page.locator("main")
    expect(timeline).to_contain_text(listing.did)
    assert StateChange.objects.filter(case=case).exists()
    actions_logged = set(
        AuditEvent.objects.filter(case_id=case.pk).values_list("action", flat=True)
    )
    assert {"participants.added", "contact.attempted"} <= actions_logged
    assert any(a.startswith("committee.") for a in actions_logged)
    assert audit.first_problem() is None
