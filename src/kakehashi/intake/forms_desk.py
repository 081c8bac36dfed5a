"""Forms of the reception desk: the queue's filters, and one small form per action.

Every action form carries the report ``revision`` it was rendered from, so that a form
left open while another clerk acted is refused (``ConcurrentChange``) instead of
silently applied to a report that has moved on. The forms check shape only; the
actions check meaning (the workflow, the five checks, the confirmed window) and their
refusals are shown as form errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation
from kakehashi.cases.choices import ContactChannel, ContactOutcome
from kakehashi.cases.forms import ZonedDateTimeField, use_fast_selects
from kakehashi.cases.priority import Scope

from .choices import (
    WEBSITE_CLOSURES,
    AcceptanceCheck,
    CheckResult,
    FixMethod,
    OperatorType,
    RejectionReason,
    ReportClosureReason,
    Track,
)
from .desk_queries import ALL_STATES, desk_clerks
from .models import Report
from .workflow import ReportState

_ANY = [("", pgettext_lazy("filter", "Any"))]


def note_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 2}), required=False)


class QueueFilterForm(forms.Form):
    """The queue's filters (GET): every field optional."""

    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Work to do")), (ALL_STATES, _("Every state")), *ReportState.choices],
        required=False,
    )
    track = forms.ChoiceField(
        label=_("Kind of report"), choices=_ANY + Track.choices, required=False
    )
    assignee = forms.ChoiceField(
        label=_("Assigned to"),
        choices=[
            ("", pgettext_lazy("assignee", "Anyone")),
            ("me", _("Me")),
            ("unassigned", _("Nobody")),
        ],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue"), required=False)


class ReportActionForm(forms.Form):
    """The base of every action form: the report and the revision it was shown at."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, report: Report, zone: str = "Asia/Tokyo", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.report = report
        self.initial.setdefault("revision", report.revision)
        for form_field in self.fields.values():
            if isinstance(form_field, ZonedDateTimeField):
                form_field.zone = zone
                form_field.help_text = _t("In your time zone (%(zone)s).") % {"zone": zone}
        self.setup()
        use_fast_selects(self)

    def setup(self) -> None:
        """Hook: narrow choices to this report."""

    @property
    def seen_revision(self) -> int:
        return int(self.cleaned_data["revision"])

    def show_revision(self, revision: int) -> None:
        """Re-render a bound form for the report as it now is (after a refusal)."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        data[self.add_prefix("revision")] = str(revision)
        self.data = data


class AcknowledgeForm(ReportActionForm):
    prefix = "ack"


class AssignForm(ReportActionForm):
    prefix = "assign"

    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def setup(self) -> None:
        self.fields["assignee"].queryset = desk_clerks(self.report)  # type: ignore[attr-defined]
        self.initial.setdefault("assignee", self.report.assignee_id)


class ScopeForm(ReportActionForm):
    prefix = "scope"

    scope = forms.ChoiceField(
        label=_("Scope of impact (影響範囲)"),
        choices=Scope.choices,
        help_text=_("With the CVSS v3 base score, this sets the guideline's priority."),
    )

    def setup(self) -> None:
        self.initial.setdefault("scope", self.report.scope)


class AskForm(ReportActionForm):
    prefix = "ask"

    question = forms.CharField(label=_("Question to the finder"), widget=forms.Textarea)


class MessageForm(ReportActionForm):
    prefix = "message"

    body = forms.CharField(label=_("Message to the finder"), widget=forms.Textarea)


class CheckForm(ReportActionForm):
    """One acceptance check; the page shows one such form per check."""

    prefix = "check"

    check = forms.ChoiceField(choices=AcceptanceCheck.choices, widget=forms.HiddenInput)
    result = forms.ChoiceField(choices=CheckResult.choices)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class AcceptForm(ReportActionForm):
    prefix = "accept"

    note = note_field(_("Note to the finder"))


class RejectForm(ReportActionForm):
    prefix = "reject"

    reason = forms.ChoiceField(
        label=_("Reason (told to the finder)"), choices=RejectionReason.choices
    )
    note = note_field(_("Note to the finder"))


class DecryptForm(ReportActionForm):
    prefix = "decrypt"


class DuplicateForm(ReportActionForm):
    prefix = "duplicate"

    original = forms.CharField(
        label=_("Tracking ID of the original report"),
        max_length=32,
        help_text=_("This report is closed as its duplicate and linked to it; nothing is deleted."),
    )

    def clean_original(self) -> Report:
        original = (
            Report.objects.filter(
                reception_org_id=self.report.reception_org_id,
                tracking_id=self.cleaned_data["original"].strip(),
            )
            .exclude(pk=self.report.pk)
            .first()
        )
        if original is None:
            raise forms.ValidationError(_("No other report of this desk has this tracking ID."))
        return original


class ForwardForm(ReportActionForm):
    prefix = "forward"

    coordinator_org = forms.ModelChoiceField(
        label=_("Coordinator"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.COORDINATOR).order_by("name_en"),
        empty_label=None,
    )


class CloseForm(ReportActionForm):
    prefix = "close"

    reason = forms.ChoiceField(label=_("Reason"), choices=ReportClosureReason.choices)
    note = note_field(_("Note to the finder"))

    # Transfer and duplicate have their own actions, which link what they close.
    OWN_ACTIONS = (ReportClosureReason.TRANSFERRED, ReportClosureReason.DUPLICATE)

    def setup(self) -> None:
        allowed = WEBSITE_CLOSURES if self.report.is_website else set(ReportClosureReason.values)
        self.fields["reason"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in ReportClosureReason.choices
            if value in allowed and value not in self.OWN_ACTIONS
        ]


class ReopenForm(ReportActionForm):
    prefix = "reopen"

    note = note_field(_("Note"))


# --- The website line -------------------------------------------------------------------


class OperatorContactForm(ReportActionForm):
    prefix = "contact"

    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    address = forms.CharField(label=_("Address, number or URL"), max_length=300)
    attempted_at = ZonedDateTimeField(label=_("Attempted at (empty: now)"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactOutcome.choices)
    window_confirmed = forms.BooleanField(
        label=_("The operator confirmed this as its contact window"), required=False
    )
    operator_type = forms.ChoiceField(
        label=_("Type of operator (for the statistics)"),
        choices=[("", "—"), *OperatorType.choices],
        required=False,
    )
    note = note_field(_("Note"))

    def setup(self) -> None:
        self.fields["operator_type"].initial = self.report.operator_type


class SendDetailsForm(ReportActionForm):
    prefix = "send"

    address = forms.ChoiceField(label=_("Confirmed window"), choices=[])

    def setup(self) -> None:
        confirmed = (
            self.report.operator_contacts.filter(window_confirmed=True)
            .values_list("address", flat=True)
            .distinct()
        )
        self.fields["address"].choices = [(a, a) for a in confirmed]  # type: ignore[attr-defined]


class SiteStepForm(ReportActionForm):
    """The website line's buttons that need no data (start, verifying, tell the finder)."""

    prefix = "site"

    event = forms.ChoiceField(choices=[(e, e) for e in ("start", "verify", "notify_finder")])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class FixForm(ReportActionForm):
    prefix = "fix"

    method = forms.ChoiceField(label=_("How it was fixed"), choices=FixMethod.choices)
    fixed_at = ZonedDateTimeField(label=_("Fixed at (empty: now)"), required=False)
    note = note_field(_("Note"))


class TransferForm(ReportActionForm):
    """The flaw is in a product: a new product report, written afresh without the site."""

    prefix = "transfer"

    product_name = forms.CharField(label=_("Product"), max_length=200)
    vendor_name = forms.CharField(label=_("Vendor"), max_length=200, required=False)
    description = forms.CharField(
        label=_("The vulnerability, without the site's name, address or operator"),
        widget=forms.Textarea,
    )
