"""The reception passes the case's milestones to the finder (guideline IV.3(1)): day
zero (起算日), the day the vendor got the details (詳細情報連絡日), a critical-infrastructure
pre-release (without its recipients), and publication.

Each becomes a message from the desk on the report, written in the report's
language and mailed to the finder, in the transaction of the action that reached it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from kakehashi.cases.models import Case
from kakehashi.cases.signals import case_milestone
from kakehashi.cases.templatetags.cases_tags import jst_utc
from kakehashi.core import audit

from .actions._common import mail_finder
from .models import ReportMessage


def _text(case: Case, milestone: str) -> str:
    if milestone == "day_zero":
        return _(
            "The coordinator first tried to contact the vendor on %(date)s. This is day zero "
            "(起算日); the target publication is about %(days)d days later."
        ) % {
            "date": case.day_zero.isoformat() if case.day_zero else "",
            "days": settings.KAKEHASHI_TARGET_DAYS,
        }
    if milestone == "details_sent":
        return _("The vendor was sent the details of your report on %(date)s.") % {
            "date": jst_utc(case.details_sent_at)
        }
    if milestone == "pre_released":
        # Guideline IV.3(1)12: the finder learns that it happened, never to whom.
        return _(
            "Before the public date, the coordinator shared the information on the "
            "vulnerability and its fix, under confidentiality, with designated "
            "critical-infrastructure operators and government bodies (guideline IV.4.8)."
        )
    return _("The vulnerability you reported has been published. Thank you for your report.")


def relay_milestone(sender: Any, case: Case, milestone: str, **kwargs: Any) -> None:
    for report in case.reports.select_related("finder_user"):
        with translation.override(report.language):
            body = _text(case, milestone)
        ReportMessage.objects.create(report=report, from_finder=False, body=body)
        audit.record(
            "report.milestone_relayed",
            actor=None,
            subject=report,
            case_id=case.pk,
            summary=f"{report.tracking_id}: {milestone}",
        )
        mail_finder(report, "report_message")


def connect() -> None:
    case_milestone.connect(relay_milestone, dispatch_uid="intake.relay_milestone")
