"""SCENARIOS.md 6 — a conference talk drives the date, end to end in the browser.

The finder says in her report that she presents at a security conference in 40 days.
The talk date travels with the report into the case as a schedule constraint; once the
vendor is notified, the default target (day zero + 45 days) falls after the talk, so
the coordinator is warned on the case page. The vendor fixes earlier and asks for a
date before the talk; the coordinator grants it and the warning is gone.

The other way out (a second test): the vendor cannot fix before the talk, and the finder
agrees to present without the vulnerability's details; the coordinator records it on the
case, the warning goes, and the vendor reads that the target stands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kakehashi.accounts.models import Organisation, User
from kakehashi.cases import actions as case_actions
from kakehashi.cases.choices import CaseOrigin
from kakehashi.cases.models import Case

from .steps import (
    CAMERA,
    Finding,
    Lang,
    camera_vendor_with_key,
    deliver_mail,
    fact,
    file_report,
    find_and_add_vendor,
    local_input,
    open_action,
    open_report,
    pass_checks_accept_and_forward,
    sign_in,
    submit,
    told,
)

pytestmark = pytest.mark.browser

VENDOR_NAMES = {"ja": "さくらネットワーク機器株式会社", "en": "Sakura Network Devices K.K."}


@pytest.mark.parametrize("code", ["ja", "en"])
@pytest.mark.usefixtures("demo_data")
def test_a_talk_before_the_default_target_warns_and_the_date_moves_before_it(
    code: str,
    page: Page,
    new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], None],
    public_outputs: Callable[[Page], Iterator[tuple[str, str]]],
) -> None:
    lang = Lang(code)
    camera_vendor_with_key()
    talk = timezone.localdate() + timedelta(days=40)
    shot = lambda who, step: screenshot(who, f"scenario6-{code}-{step}.png")  # noqa: E731

    # The finder names the talk in the report.
    tracking_id = file_report(
        page,
        lang,
        Finding(
            name="",
            email="talk-finder@research.example.jp",
            credit_name="kasumi",
            title="SakuraCam NC-200: authentication bypass in the firmware update API",
            product=CAMERA,
            versions="2.8.0",
            vendor="Sakura Network Devices",
            description="The update endpoint accepts unsigned firmware without a session.",
            environment="Firmware 2.8.0",
            reproduction="POST an image to /api/update.",
            impact="Anyone on the network replaces the firmware.",
            cvss="CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            talk_title="Breaking cameras in 40 days",
            talk_venue="CODE BLUE",
            talk_date=talk,
        ),
    )
    deliver_mail()

    clerk = new_page(locale=lang.locale)
    sign_in(clerk, "clerk", lang)
    open_report(clerk, lang, tracking_id)
    expect(clerk.locator("main")).to_contain_text(talk.isoformat())
    reference = pass_checks_accept_and_forward(clerk, lang)
    case = Case.objects.get(reference=reference)
    assert case.planned_talk_date == talk

    # Notified: day zero + 45 falls after the talk, and the coordinator is warned.
    coordinator = new_page(locale=lang.locale)
    sign_in(coordinator, "coordinator", lang)
    find_and_add_vendor(coordinator, lang, case.pk, "NC-200", VENDOR_NAMES[code])
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    submit(
        coordinator,
        coordinator.get_by_role("button", name=lang.t("Notify every vendor not yet notified")),
    )
    deliver_mail()
    case.refresh_from_db()
    assert case.target_publication_at is not None
    assert timezone.localdate(case.target_publication_at) > talk
    coordinator.reload()
    schedule = coordinator.locator("#schedule")
    expect(fact(schedule, lang.t("Planned talk or paper"))).to_contain_text(talk.isoformat())
    warning = lang.t(
        "The finder plans a public talk or paper on %(date)s, before the target.",
        date=talk.isoformat(),
    )
    expect(schedule.get_by_role("alert")).to_have_text(warning)
    shot(coordinator, "01-warned")

    # The vendor's portal tells it the day the publication should come before — not
    # that it is a talk (with the day, that would find the speaker), nor its title or
    # venue, nor who gives it — and that a date before it is being negotiated.
    vendor = new_page(locale=lang.locale)
    sign_in(vendor, "psirt", lang)
    vendor.goto(lang.url(f"/portal/cases/{case.pk}/"))
    talk_notice = vendor.locator("section#schedule #date-constraint")
    expect(talk_notice).to_contain_text(
        lang.t("The report asks for publication before %(date)s.", date=talk)
    )
    expect(talk_notice).to_contain_text(
        lang.t("The coordinator is negotiating a publication date before it.")
    )
    for withheld in ("Breaking cameras", "CODE BLUE", "talk-finder@research.example.jp"):
        expect(vendor.locator("main")).not_to_contain_text(withheld)
    for word in ("talk", "講演"):
        expect(talk_notice).not_to_contain_text(word)
    shot(vendor, "02-vendor-sees-the-talk")

    # The vendor can fix earlier and asks for a date three days before the talk.
    submit(vendor, vendor.get_by_role("button", name=lang.t("Acknowledge the notice")))
    earlier = timezone.localtime(case.target_publication_at) - timedelta(
        days=(timezone.localdate(case.target_publication_at) - talk).days + 3
    )
    section = vendor.locator("section#schedule")
    section.locator("input[name=schedule-requested_target]").fill(local_input(earlier))
    section.locator("textarea[name=schedule-reason]").fill("The fix is ready early.")
    submit(vendor, section.get_by_role("button", name=lang.t("Send the request")))

    # The coordinator grants it: the target is before the talk, the warning gone.
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    submit(coordinator, coordinator.get_by_role("button", name=lang.t("Grant")).first)
    told(coordinator, lang.t("The request was granted; the target publication moved."))
    case.refresh_from_db()
    assert timezone.localdate(case.target_publication_at) == talk - timedelta(days=3)
    expect(coordinator.locator("#schedule").get_by_role("alert")).to_have_count(0)
    shot(coordinator, "03-before-the-talk")
    vendor.reload()
    expect(talk_notice).to_contain_text(lang.t("The target publication comes before it."))
    assert any("psirt@demo.kakehashi.invalid" in m.to for m in deliver_mail())

    # Nothing is public yet: neither the case nor the talk appears in any public output.
    for path, body in public_outputs(page):
        for secret in ("authentication bypass", "Breaking cameras", "CODE BLUE", reference):
            assert secret not in body, (path, secret)


def _warned_case(talk_days: int) -> Case:
    """A forwarded report whose finder talks in ``talk_days`` days, its vendor notified
    today (so the default target, day zero + 45, falls after the talk)."""
    case = case_actions.create_case(
        actor=User.objects.get(username="clerk"),
        coordinator_org=Organisation.objects.get(slug="coordination"),
        reception_org=Organisation.objects.get(slug="reception"),
        origin=CaseOrigin.REPORT,
        title_en="SakuraCam NC-200: command injection in the diagnostics page",
        finder_name="Kasumi",
        finder_email="talk-finder@research.example.jp",
        planned_talk_title="Breaking cameras in 40 days",
        planned_talk_venue="CODE BLUE",
        planned_talk_date=timezone.localdate() + timedelta(days=talk_days),
    )
    coordinator = User.objects.get(username="coordinator")
    (vendor,) = case_actions.add_participants(
        case,
        actor=coordinator,
        role="vendor",
        organisations=[Organisation.objects.get(slug="sakura-network")],
    )
    case_actions.record_contact_attempt(
        Case.objects.get(pk=case.pk),
        vendor,
        actor=coordinator,
        channel="email",
        address="psirt@sakura.example",
    )
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("code", ["ja", "en"])
@pytest.mark.usefixtures("people")
def test_the_finder_agrees_to_present_without_details_and_the_target_stands(
    code: str, page: Page, new_page: Callable[..., Page]
) -> None:
    lang = Lang(code)
    case = _warned_case(talk_days=40)
    talk = case.planned_talk_date
    assert talk is not None and case.talk_before_target
    target = case.target_publication_at

    coordinator = page
    sign_in(coordinator, "coordinator", lang)
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    schedule = coordinator.locator("#schedule")
    expect(schedule.get_by_role("alert")).to_have_count(1)

    # Agreed with the finder: the talk goes ahead without details. Recorded on the case.
    edit = open_action(coordinator, "details")
    edit.get_by_label(
        lang.t("The finder agreed to present without details before publication")
    ).check()
    submit(coordinator, edit.locator("button[type=submit]"))
    case.refresh_from_db()
    assert case.talk_without_details and case.target_publication_at == target
    expect(schedule.get_by_role("alert")).to_have_count(0)
    expect(schedule.locator("#talk-without-details")).to_have_text(
        lang.t("The finder agreed to present without details before publication.")
    )

    vendor = new_page(locale=lang.locale)
    sign_in(vendor, "psirt", lang)
    vendor.goto(lang.url(f"/portal/cases/{case.pk}/"))
    talk_notice = vendor.locator("section#schedule #date-constraint")
    expect(talk_notice).to_contain_text(
        lang.t(
            "The report asked for publication before %(date)s; that date no longer binds it: "
            "the target publication stands.",
            date=talk,
        )
    )
    expect(talk_notice).not_to_contain_text(
        lang.t("The coordinator is negotiating a publication date before it.")
    )
