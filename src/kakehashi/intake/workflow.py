"""The reception's state machines as data: one per report, and the website line.

Product and self-reports go received ⇄ needs information → accepted (受理) or rejected
(不受理) → forwarded to coordination (a case) → closed. Website reports are handled by
the reception itself after acceptance, along their own line.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kakehashi.accounts.choices import Role
from kakehashi.core.workflow import SYSTEM, Transition, Workflow

DESK = frozenset({Role.RECEPTION_CLERK, Role.ADMINISTRATOR, SYSTEM})
DESK_OR_FINDER = DESK | {Role.FINDER}


class ReportState(models.TextChoices):
    RECEIVED = "received", _("Received")
    NEEDS_INFO = "needs_info", _("Waiting for the finder")
    ACCEPTED = "accepted", pgettext_lazy("report state", "Accepted")
    REJECTED = "rejected", _("Not accepted")
    FORWARDED = "forwarded", _("Forwarded to coordination")
    CLOSED = "closed", _("Closed")


REPORT_OPEN = frozenset({"received", "needs_info", "accepted", "forwarded"})
REPORT_UNDECIDED = frozenset({"received", "needs_info"})

RECEPTION = Workflow(
    name="reception",
    label=_("the report"),
    states=ReportState,
    transitions=[
        Transition("received", "ask", "needs_info", DESK),
        Transition("needs_info", "ask", "needs_info", DESK),
        Transition("needs_info", "answer", "received", DESK_OR_FINDER),
        Transition("received", "accept", "accepted", DESK),
        Transition("received", "reject", "rejected", DESK),
        Transition("needs_info", "reject", "rejected", DESK),
        Transition("accepted", "forward", "forwarded", DESK),
        Transition("accepted", "close", "closed", DESK),
        Transition("forwarded", "close", "closed", DESK),
        Transition("received", "close", "closed", DESK),  # duplicates are linked and closed
        Transition("rejected", "reopen", "received", DESK),
        Transition("closed", "reopen", "accepted", DESK),
    ],
    event_labels={
        "ask": _("ask the finder"),
        "answer": _("answer"),
        "accept": pgettext_lazy("report event", "accept"),
        "reject": _("reject"),
        "forward": _("forward to coordination"),
        "close": _("close"),
        "reopen": _("reopen"),
    },
)


class SiteState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    SEARCHING = "searching", _("Finding the operator's contact")
    CONTACT_CONFIRMED = "contact_confirmed", _("Contact window confirmed")
    DETAILS_SENT = "details_sent", _("Details sent to the operator")
    VERIFYING = "verifying", _("Operator verifying")
    FIXED = "fixed", _("Fixed")
    FINDER_NOTIFIED = "finder_notified", _("Finder told of the fix")


WEBSITE = Workflow(
    name="website",
    label=_("the website handling"),
    states=SiteState,
    transitions=[
        Transition("not_started", "start", "searching", DESK),
        Transition("searching", "confirm_contact", "contact_confirmed", DESK),
        Transition("contact_confirmed", "send_details", "details_sent", DESK),
        Transition("details_sent", "verify", "verifying", DESK),
        Transition("details_sent", "fix", "fixed", DESK),
        Transition("verifying", "fix", "fixed", DESK),
        Transition("fixed", "notify_finder", "finder_notified", DESK),
    ],
    event_labels={
        "start": _("start looking for the operator"),
        "confirm_contact": _("confirm the contact window"),
        "send_details": _("send the details"),
        "verify": _("operator is verifying"),
        "fix": _("record the fix"),
        "notify_finder": _("tell the finder"),
    },
)
