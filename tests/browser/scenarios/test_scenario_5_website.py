"""SCENARIOS.md 5 — a website, on the reception's own track; nothing public.

A student reports SQL injection on a prefecture's event-booking site. The clerk
accepts it, finds and confirms the operator's window (a local government), sends the
details only there; five weeks later the operator has fixed the application, the
finder is told and the report closes. The site appears in no public output; the
quarterly statistics count one website fixed within 90 days, operator "local
government".
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kakehashi.intake.models import OperatorContact, Report
from kakehashi.statistics.quarters import Quarter

from .conftest import Stage, move_back, open_action, t

pytestmark = pytest.mark.browser

SITE = "https://yoyaku.pref-kakehashi.example.lg.jp/events/booking"
HOST = "yoyaku.pref-kakehashi.example.lg.jp"
WINDOW = "johosec@pref-kakehashi.example.lg.jp"
REPORT_INSTANTS = ("submitted_at", "acknowledged_at", "accepted_at", "decided_at")
SITE_INSTANTS = ("operator_notified_at", "fixed_at", "closed_at")


def report_website(student: Page, lang: str, title: str) -> str:
    student.goto(f"/{lang}/report/")
    student.locator("input[name=track][value=website]").check()
    student.locator("form.panel button[type=submit]").click()
    expect(student).to_have_url(re.compile(rf"/{lang}/report/step/you/$"))  # no consent step
    student.locator("input[name=finder_name]").fill("佐々木 学")
    student.locator("input[name=finder_email]").fill("manabu.student@example.ac.jp")
    student.locator(".form-nav button[value=next]").click()
    student.locator("input[name=title]").fill(title)
    student.locator("input[name=site_url]").fill(SITE)
    student.locator("textarea[name=description]").fill(
        "イベント予約フォームの検索欄で SQL インジェクションが可能です。"
    )
    student.locator("textarea[name=reproduction]").fill(
        "検索欄に ' を入れるとSQLエラーが表示される"
    )
    student.locator(".form-nav button[value=next]").click()
    expect(student).to_have_url(re.compile(rf"/{lang}/report/step/circumstances/$"))
    student.locator(".form-nav button[value=next]").click()
    student.locator(".form-nav button[value=next]").click()
    expect(student).to_have_url(re.compile(rf"/{lang}/report/confirm/$"))
    expect(student.locator("main")).to_contain_text(SITE)
    student.locator("main form button[type=submit]").first.click()
    expect(student).to_have_url(re.compile(rf"/{lang}/report/done/$"))
    return student.locator("strong.reference").inner_text()


def accept(clerk: Page) -> None:
    rows = clerk.locator("#checks tbody tr")
    expect(rows).to_have_count(5)
    for index in range(5):
        rows.nth(index).locator("button[name=check-result][value=pass]").click()
        expect(rows.nth(index).locator(".badge")).to_have_text(
            t(clerk_lang(clerk), "Passed", "acceptance check")
        )
    form = open_action(clerk, "accept")
    form.locator("button[type=submit]").click()
    expect(clerk.locator("#website")).to_be_visible()


def clerk_lang(page: Page) -> str:
    return str(page.locator("html").get_attribute("lang"))


def test_a_website_is_fixed_in_five_weeks_and_only_counted(stage: Stage) -> None:
    lang, shot = stage.lang, stage.shot
    title = f"イベント予約サイトの SQL インジェクション ({lang})"
    tracking_id = report_website(stage.page, lang, title)
    report = Report.objects.get(tracking_id=tracking_id)

    # --- The clerk accepts and finds the operator's window -----------------------------
    clerk = stage.person("clerk")
    clerk.goto(f"/{lang}/reception/reports/{report.pk}/")
    accept(clerk)
    contact = open_action(clerk, "contact")
    contact.locator("select[name=contact-channel]").select_option("email")
    contact.locator("input[name=contact-address]").fill(WINDOW)
    contact.locator("select[name=contact-outcome]").select_option("answered")
    contact.locator("input[name=contact-window_confirmed]").check()
    contact.locator("select[name=contact-operator_type]").select_option("local_government")
    contact.locator("button[type=submit]").click()
    website = clerk.locator("#website")
    expect(website).to_contain_text(t(lang, "Local government"))
    expect(website).to_contain_text(t(lang, "Contact window confirmed"))
    send = open_action(clerk, "send")
    send.locator("select[name=send-address]").select_option(WINDOW)
    send.locator("button[type=submit]").click()
    expect(website).to_contain_text(t(lang, "Details sent to the operator"))
    shot(clerk, "scenario5", "desk-details-sent")

    # --- Five weeks later (the clock moved): the operator has fixed the application -----
    five_weeks = timedelta(weeks=5)
    move_back(Report, report.pk, REPORT_INSTANTS + SITE_INSTANTS, five_weeks)
    for attempt in OperatorContact.objects.filter(report=report):
        move_back(OperatorContact, attempt.pk, ("attempted_at",), five_weeks)
    clerk.reload()
    fix = open_action(clerk, "fix")
    fix.locator("select[name=fix-method]").select_option("application_fixed")
    fix.locator("button[type=submit]").click()
    expect(website).to_contain_text(t(lang, "The web application was fixed"))
    clerk.locator("button[name=site-event][value=notify_finder]").click()
    expect(website).to_contain_text(t(lang, "Finder told of the fix"))
    close = open_action(clerk, "close")
    close.locator("select[name=close-reason]").select_option("completed")
    close.locator("button[type=submit]").click()
    expect(clerk.locator("#report")).to_contain_text(t(lang, "Closed"))
    shot(clerk, "scenario5", "desk-closed")

    # --- The desk's statistics count it this quarter --------------------------------------
    clerk.goto(f"/{lang}/statistics/desk/")
    current = Quarter.containing(timezone.now())
    column = clerk.locator(f"#col-{current.code}")
    expect(column).to_be_visible()
    fixed = clerk.locator("#fig-websites_fixed_within_90_days td").first
    expect(fixed).to_have_text("1")
    expect(clerk.locator("#fig-websites_fixed_operator_local_government td").first).to_have_text(
        "1"
    )
    shot(clerk, "scenario5", "desk-statistics")

    # --- The quarter ends (the clock moved again): the public statistics count it -------
    last = current.previous()
    fixed_at = Report.objects.get(pk=report.pk).fixed_at
    assert fixed_at is not None
    into_last_quarter = fixed_at - (last.start + timedelta(days=45))
    move_back(Report, report.pk, REPORT_INSTANTS + SITE_INSTANTS, into_last_quarter)
    public = stage.page
    public.goto(f"/{lang}/statistics/")
    expect(public.locator("h1")).to_have_text(t(lang, "Quarterly statistics"))
    expect(public.locator(f"#col-{last.code}")).to_be_visible()
    for key in (
        "websites_fixed",
        "websites_fixed_application_fixed",
        "websites_fixed_within_90_days",
        "websites_fixed_operator_local_government",
    ):
        expect(public.locator(f"#fig-{key} td").first).to_have_text("1")
    expect(public.locator("#fig-websites_fixed_operator_company td").first).to_have_text("0")
    expect(public.locator("#fig-websites_long_open_at_end")).to_have_count(0)  # desk only
    shot(public, "scenario5", "public-statistics")

    # --- Nothing about the site in any public output --------------------------------------
    for path, body in stage.public_outputs(public):
        for secret in (HOST, WINDOW, title, tracking_id, "pref-kakehashi"):
            assert secret not in body, (path, secret)
