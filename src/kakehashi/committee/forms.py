"""Forms of the committee file. They check shape only; the actions check meaning
(who acts, the order of the steps, the criteria) and refuse with their own message.
Date-times are typed in the viewer's zone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.forms import ZonedDateTimeField
from kakehashi.cases.models import Participant

from .choices import Criterion, NoticeMethod, OpinionForm, Outcome

_TEXT = {"rows": 4}


class ZonedForm(forms.Form):
    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            if isinstance(form_field, ZonedDateTimeField):
                form_field.zone = zone


class OpenFileForm(forms.Form):
    participant = forms.ModelChoiceField(label=_("Vendor"), queryset=Participant.objects.none())
    statement = forms.CharField(
        label=_("Why agreement on publication has become impracticable"),
        widget=forms.Textarea(_TEXT),
    )

    def __init__(self, *args: Any, vendors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = vendors  # type: ignore[attr-defined]


class DeclareForm(forms.Form):
    statement = forms.CharField(
        label=_("Why coordination is impossible"), widget=forms.Textarea(_TEXT)
    )


class DraftForm(forms.Form):
    text_ja = forms.CharField(
        label=_("Draft text (Japanese)"), widget=forms.Textarea(_TEXT), required=False
    )
    text_en = forms.CharField(
        label=_("Draft text (English)"), widget=forms.Textarea(_TEXT), required=False
    )


NOTICE_METHODS = [c for c in NoticeMethod.choices if c[0] != NoticeMethod.PUBLIC_LISTING]


class NoticeForm(ZonedForm):
    method = forms.ChoiceField(label=_("Sent by"), choices=NOTICE_METHODS)
    address = forms.CharField(label=_("Address"), max_length=300)
    sent_at = ZonedDateTimeField(label=_("Sent at"))
    opinion_deadline = ZonedDateTimeField(label=_("Opinion deadline"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea({"rows": 2}), required=False)


class OpinionEntryForm(ZonedForm):
    form = forms.ChoiceField(label=_("Form"), choices=OpinionForm.choices)
    author = forms.CharField(label=_("From"), max_length=200)
    received_at = ZonedDateTimeField(label=_("Received or heard at"))
    text = forms.CharField(label=_("Opinion or hearing record"), widget=forms.Textarea(_TEXT))
    attachment = forms.FileField(label=_("Attached document (optional)"), required=False)


class AssessmentForm(forms.Form):
    criterion = forms.ChoiceField(label=_("Criterion"), choices=Criterion.choices)
    met = forms.TypedChoiceField(
        label=_("Assessment"),
        choices=[("yes", _("Met")), ("no", _("Not met"))],
        coerce=lambda value: value == "yes",
    )
    reasoning = forms.CharField(label=_("Reasoning"), widget=forms.Textarea(_TEXT))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(_TEXT))


class StatementForm(forms.Form):
    text_ja = forms.CharField(
        label=_("Statement (Japanese)"), widget=forms.Textarea(_TEXT), required=False
    )
    text_en = forms.CharField(
        label=_("Statement (English)"), widget=forms.Textarea(_TEXT), required=False
    )


class MetiForm(ZonedForm):
    confirmed_at = ZonedDateTimeField(label=_("Confirmed at"))
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea({"rows": 2}), required=False)
