"""Scenario 5 — a website (the IPA track): a student reports SQL injection on a
prefectural event-booking site; the desk confirms the operator's window, sends the
details there only, the operator fixes within five weeks, the finder is told, the
report closes. Nothing public; the quarterly statistics count one local-government
site fixed within 90 days."""

from __future__ import annotations

from datetime import timedelta

from kakehashi.intake import actions as intake_actions
from kakehashi.intake.models import Report

from ._base import Cast, accept, shift_into_past

TITLE = "県のイベント予約サイトにおける SQL インジェクション"
SITE = "https://events.pref.example.jp/booking"
WINDOW = "webmaster@pref.example.jp"
DATA = {
    "title": TITLE,
    "site_url": SITE,
    "description": "予約検索の日付欄に ' を含めるとデータベースのエラーが表示されます。",
    "finder_name": "高橋 学",
    "finder_email": "student@demo.kakehashi.invalid",
}


def load(people: Cast) -> Report:
    existing = Report.objects.filter(title=TITLE).first()
    if existing is not None:
        return existing
    clerk = people.clerk
    report = intake_actions.submit_report(
        track="website", language="ja", data=DATA, reception_org=people.orgs["reception"]
    ).report
    accept(report, people)
    intake_actions.record_operator_contact(
        report,
        actor=clerk,
        channel="email",
        address=WINDOW,
        outcome="answered",
        window_confirmed=True,
        operator_type="local_government",
    )
    intake_actions.send_details_to_operator(report, actor=clerk, address=WINDOW)
    shift_into_past(report, timedelta(days=35))
    report = Report.objects.get(pk=report.pk)
    intake_actions.record_fix(report, actor=clerk, method="application_fixed")
    intake_actions.website_step(report, "notify_finder", actor=clerk)
    intake_actions.close_report(report, actor=clerk, reason="completed")
    return report
