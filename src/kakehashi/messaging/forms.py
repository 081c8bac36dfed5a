from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.models import Case, CaseProduct, Vulnerability

from .choices import MailFrequency, TopicAudience


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list[object]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown. Mention someone with @username."),
    )
    quoted = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class BroadcastForm(forms.Form):
    body = forms.CharField(
        label=_("Message to every vendor"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Markdown. Posted to each vendor's private thread, where each vendor answers on "
            "its own; no vendor sees the others."
        ),
    )


class EditForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=200)
    audience = forms.ChoiceField(label=_("Who may read it"), choices=TopicAudience.choices)
    finder_included = forms.BooleanField(label=_("The finder may read and write"), required=False)
    vulnerability = forms.ModelChoiceField(
        label=_("About the vulnerability"), queryset=Vulnerability.objects.none(), required=False
    )
    product = forms.ModelChoiceField(
        label=_("About the product"), queryset=CaseProduct.objects.none(), required=False
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this case's vulnerabilities and products can be chosen.
        vulnerability = self.fields["vulnerability"]
        product = self.fields["product"]
        assert isinstance(vulnerability, forms.ModelChoiceField)
        assert isinstance(product, forms.ModelChoiceField)
        vulnerability.queryset = Vulnerability.objects.filter(case=case).order_by("number")
        product.queryset = CaseProduct.objects.filter(case=case).order_by("name")


class MailPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("E-mail about new messages"),
        choices=MailFrequency.choices,
        help_text=_("The e-mail names the case and links to the thread; it never holds the text."),
    )
