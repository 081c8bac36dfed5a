"""The vendor portal's forms: one small form per action. They check shape only; the
actions in ``cases.actions`` check meaning and refuse with translated messages.

Forms that change the vendor's answer carry the ``version`` of the answer they were
rendered from, the status form the version of the status it changes (0: a new one),
so that two members of one PSIRT cannot silently overwrite each other."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.choices import (
    EmbargoAnswer,
    ResponseStatus,
    VerificationResult,
    VexJustification,
    VexStatus,
)
from kakehashi.cases.forms import ZonedDateTimeField
from kakehashi.cases.models import CaseProduct, Participant, VendorResponse, Vulnerability


def _text(label: Any, rows: int = 3, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class PortalForm(forms.Form):
    """The base: the participation the form acts for."""

    def __init__(self, *args: Any, participation: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participation = participation


class ResponseForm(PortalForm):
    """A form that changes the vendor's answer, at the version it was rendered from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, response: VendorResponse | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", response.version if response else 0)


class AcknowledgeForm(PortalForm):
    prefix = "ack"


class VerificationForm(ResponseForm):
    prefix = "verification"

    result = forms.ChoiceField(label=_("Result"), choices=VerificationResult.choices)
    note = _text(_("Note (needed unless confirmed)"))


class CountermeasureForm(ResponseForm):
    prefix = "countermeasure"

    response_status = forms.ChoiceField(label=_("Response status"), choices=ResponseStatus.choices)
    workaround_ja = _text(_("Workaround (Japanese)"))
    workaround_en = _text(_("Workaround (English)"))
    fix_ja = _text(_("Fix (Japanese)"))
    fix_en = _text(_("Fix (English)"))
    fixed_versions = forms.CharField(label=_("Fixed versions"), max_length=300, required=False)


class TrackingForm(ResponseForm):
    prefix = "tracking"

    tracking_id = forms.CharField(label=_("Your tracking ID"), max_length=100, required=False)


class SharingForm(ResponseForm):
    prefix = "sharing"

    share = forms.BooleanField(
        label=_("Share my statuses with the other vendors of this case"), required=False
    )


class StatusForm(PortalForm):
    prefix = "status"

    vulnerability = forms.ModelChoiceField(
        label=_("Vulnerability"), queryset=Vulnerability.objects.none()
    )
    product = forms.ModelChoiceField(
        label=_("Product (empty: all of your products in the case)"),
        queryset=CaseProduct.objects.none(),
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=VexStatus.choices)
    justification = forms.ChoiceField(
        label=_("Justification (for “not affected”)"),
        choices=[("", "—"), *VexJustification.choices],
        required=False,
    )
    reason = _text(_("Reason (for “disputed”)"), rows=2)
    statement_ja = _text(_("Statement (Japanese)"), rows=2)
    statement_en = _text(_("Statement (English)"), rows=2)
    fixed_in = forms.CharField(label=_("Fixed in version"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case_id = self.participation.case_id
        vulnerability = self.fields["vulnerability"]
        product = self.fields["product"]
        assert isinstance(vulnerability, forms.ModelChoiceField)
        assert isinstance(product, forms.ModelChoiceField)
        vulnerability.queryset = Vulnerability.objects.filter(case_id=case_id).order_by("number")
        product.queryset = CaseProduct.objects.filter(vendor=self.participation).order_by("name")


class ScheduleRequestForm(PortalForm):
    prefix = "schedule"

    requested_target = ZonedDateTimeField(label=_("Requested publication"))
    reason = _text(_("Reason"), required=True)

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = self.fields["requested_target"]
        assert isinstance(target, ZonedDateTimeField)
        target.zone = zone
        target.help_text = _("In your organisation's time zone (%(zone)s).") % {"zone": zone}


class EmbargoAnswerForm(PortalForm):
    prefix = "embargo"

    answer = forms.ChoiceField(label=_("Answer"), choices=EmbargoAnswer.choices)
    note = _text(_("Note"), rows=2)


class ReferralForm(PortalForm):
    prefix = "referral"

    vendor_name = forms.CharField(label=_("Other vendor"), max_length=200)
    product = forms.CharField(label=_("Product"), max_length=200, required=False)
    note = _text(_("Note"), rows=2)
