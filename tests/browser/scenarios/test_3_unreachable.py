"""SCENARIOS.md 3 — an unreachable developer (連絡不能) and the publication committee.

A finder reports a path traversal in a free Windows utility by an individual developer.
The developer's registry entry (set up directly, as the coordinator would have entered
it when the report came) has an e-mail address and a web form, no telephone. The
coordinator finds it by the product's name and notifies it: the mail bounces (the bounce
is recorded), the web form gets no answer (recorded): every channel of the entry has
been tried, each attempt logged with its channel and outcome. After thirty days of
silence the developer is listed as unreachable (DID#) with the product named in the
remarks; three months later product name and version are published with a contact
deadline; after six months coordination is declared impossible, the committee file is
prepared, members judge the four criteria and decide to publish. The advisory goes out
and the finder is told. The clock is moved by shifting the recorded instants back.

The variant where the developer writes in after the listing is
``test_3b_unreachable_resumes.py``; the steps both share are in ``steps.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kakehashi.advisories.models import Advisory
from kakehashi.advisories.tasks import publish_due_advisories
from kakehashi.committee.models import CommitteeFile, Decision
from kakehashi.core.testing import run_pending_jobs

from .steps import (
    FINDER_EMAIL,
    PRODUCT,
    Lang,
    field,
    individual_developer,
    list_as_unreachable,
    months_pass,
    notified_bounced_and_silent,
    received,
    reported_case,
    sign_in,
    submit,
)

pytestmark = pytest.mark.browser

DRAFT = {
    "ja": f"{PRODUCT} にはパストラバーサルの脆弱性があります。開発者と連絡が取れません。",
    "en": f"{PRODUCT} has a path traversal vulnerability. Its developer cannot be reached.",
}


# What the advisory's first draft says of an unreachable developer's case.
UNREACHABLE_NOTE = (
    "The developer of the product could not be reached. Following the decision of the "
    "publication committee, this advisory is published without the developer's "
    "confirmation."
)


@pytest.mark.parametrize("code", ["ja", "en"])
@pytest.mark.usefixtures("people")
def test_an_unreachable_developer_goes_to_the_committee_and_is_published(
    code: str,
    page: Page,
    new_page: Callable[..., Page],
    settings: Any,
    screenshot: Callable[[Page, str], None],
) -> None:
    lang = Lang(code)
    shot = lambda who, step: screenshot(who, f"scenario3-{code}-{step}.png")  # noqa: E731
    individual_developer()
    case, _clerk = reported_case(page, new_page, lang)

    # 1. Every channel of the entry tried and logged: e-mail bounced, web form silent.
    coordinator = new_page(locale=lang.locale)
    sign_in(coordinator, "coordinator", lang)
    developer = notified_bounced_and_silent(coordinator, lang, case)
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    notices = coordinator.locator("#vendor-notices")
    expect(notices).to_contain_text(lang.t("Every channel tried"))
    shot(coordinator, "01-all-channels-tried")

    # 2. A month of silence: listed as unreachable, the product named in the remarks.
    months_pass(case, developer, 31)
    listing = list_as_unreachable(coordinator, lang, case)
    public = new_page(locale=lang.locale)
    public.goto(lang.url("/unreachable/"))
    listed = public.locator("main")
    expect(listed).to_contain_text(listing.did)
    expect(listed).to_contain_text(PRODUCT)
    expect(listed).not_to_contain_text(case.reference)

    # 3. Three months later: product name and version, with a contact deadline.
    months_pass(case, developer, 91)
    deadline = timezone.localdate() + timedelta(days=30)
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    button = coordinator.get_by_role("button", name=lang.t("Publish the product information"))
    form = coordinator.locator("#unreachable form", has=button)
    form.locator("[name$=product_name]").fill(PRODUCT)
    form.locator("[name$=product_version]").fill("2.4.0 and earlier")
    form.locator("[name$=contact_deadline]").fill(deadline.isoformat())
    submit(coordinator, button)
    public.goto(lang.url("/unreachable/"))
    expect(listed).to_contain_text("2.4.0 and earlier")
    expect(listed).to_contain_text(deadline.isoformat())
    shot(public, "02-unreachable-list")

    # 4. Six months without contact: coordination impossible, the committee file.
    months_pass(case, developer, 62)
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    declare_label = lang.t("Declare coordination impossible (調整不能)")
    declare = coordinator.locator("form", has=coordinator.get_by_role("button", name=declare_label))
    declare.locator("textarea").fill("E-mail bounced; the web form has had no answer for months.")
    submit(coordinator, declare.get_by_role("button", name=declare_label))
    committee_file = CommitteeFile.objects.get(case=case)
    assert committee_file.for_unreachable
    coordinator.goto(lang.url(f"/committee/{committee_file.pk}/"))
    record_draft = lang.t("Record a new version of the draft")
    draft = coordinator.locator("form", has=coordinator.get_by_role("button", name=record_draft))
    draft.locator("textarea").nth(0).fill(DRAFT["ja"])
    draft.locator("textarea").nth(1).fill(DRAFT["en"])
    submit(coordinator, draft.get_by_role("button", name=record_draft))

    member = new_page(locale=lang.locale)
    sign_in(member, "committee", lang)
    member.goto(lang.url(f"/committee/{committee_file.pk}/"))
    record_assessment = lang.t("Record an assessment")
    for criterion in range(4):
        form = member.locator("form", has=member.get_by_role("button", name=record_assessment))
        form.locator("select").nth(0).select_option(index=criterion)
        form.locator("select").nth(1).select_option("yes")
        form.locator("textarea").fill(f"Criterion {criterion + 1} is met on the file.")
        submit(member, form.get_by_role("button", name=record_assessment))
    record_decision = lang.t("Record the decision")
    decision = member.locator("form", has=member.get_by_role("button", name=record_decision))
    decision.locator("select").select_option("publish")
    decision.locator("textarea").fill("Every criterion is met; users cannot learn of it otherwise.")
    # The opinion period runs to the listing's contact deadline: the decision comes after it
    # (the committee's clock moved; the file's records are append-only, never back-dated).
    later = timezone.now() + timedelta(days=31)
    clock = SimpleNamespace(now=lambda: later, localtime=timezone.localtime)
    with mock.patch("kakehashi.committee.actions.timezone", clock):
        submit(member, decision.get_by_role("button", name=record_decision))
    assert Decision.objects.get(file=committee_file).outcome == "publish"
    shot(member, "03-committee-decided")

    # 5. The advisory, as an unreachable-developer case, published; the finder told.
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    submit(coordinator, coordinator.get_by_role("button", name=lang.t("Draft the advisory")))
    advisory = Advisory.objects.get(case=case)
    coordinator.goto(lang.url(f"/advisories/desk/{advisory.pk}/"))
    for language in ("ja", "en"):
        column = coordinator.locator(f"section[lang={language}]")
        overview = field(column, lang.t("Overview")).input_value()
        assert Lang(language).t(UNREACHABLE_NOTE) in overview, overview
        submit(
            coordinator,
            column.get_by_role("button", name=lang.t("Approve version %(version)s", version=1)),
        )
    advisory.refresh_from_db()
    assert advisory.state == "scheduled", advisory.state
    before = len(received())
    with mock.patch(
        "django.utils.timezone.now", return_value=advisory.scheduled_for + timedelta(seconds=1)
    ):
        publish_due_advisories.call()
        run_pending_jobs()
    run_pending_jobs()
    advisory.refresh_from_db()
    assert advisory.state == "published"
    assert any(FINDER_EMAIL in m.to for m in received()[before:]), "the finder is told"
    for language in ("ja", "en"):
        public.goto(f"/{language}/advisories/{advisory.slug}/")
        expect(public.locator("main")).to_contain_text(advisory.advisory_id)
    shot(public, "04-advisory")
    for path, body in (
        (p, public.request.get(p).text())
        for p in ("/feeds/jvnrss.xml", lang.url("/feeds/advisories.atom"))
    ):
        assert advisory.advisory_id in body, path
        assert FINDER_EMAIL not in body, path
