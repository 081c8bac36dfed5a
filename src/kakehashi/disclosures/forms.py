"""Forms check shape only; the actions are the one place that checks meaning."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.forms import CaseActionForm

from .actions import RecipientInput
from .choices import COORDINATOR_KINDS, DisclosureKind
from .terms import DEFAULT_TERMS_EN, DEFAULT_TERMS_JA

RECIPIENT_SLOTS = 3


def _text(label: Any, *, rows: int = 3, required: bool = False, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class DisclosureForm(CaseActionForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in DisclosureKind if k in COORDINATOR_KINDS],
    )
    summary = _text(_("What is shared"), required=True)
    includes_fix = forms.BooleanField(label=_("The fix is included"), required=False)
    justification = _text(
        _("Justification"),
        help_text=_("Required except for a critical-infrastructure pre-release."),
    )
    reception_consulted_on = forms.DateField(
        label=_("Reception desk (IPA) consulted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reception_consultation = _text(_("Reception desk's answer"), rows=2)
    vendor_consulted_on = forms.DateField(
        label=_("Vendor consulted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    vendor_consultation = _text(_("Vendor's answer"), rows=2)
    terms_ja = _text(_("Confidentiality terms (Japanese)"), rows=6, initial=DEFAULT_TERMS_JA)
    terms_en = _text(_("Confidentiality terms (English)"), rows=6, initial=DEFAULT_TERMS_EN)
    send_by_mail = forms.BooleanField(
        label=_("Mail the package, encrypted, to every recipient"),
        required=False,
        help_text=_("Every recipient then needs an e-mail address and an OpenPGP key."),
    )


class RecipientForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.CharField(label=_("E-mail address"), max_length=254, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="ja")
    key = _text(_("OpenPGP public key"), rows=3)

    def recipient(self) -> RecipientInput | None:
        """The recipient typed in, or ``None`` for an untouched slot."""
        data = self.cleaned_data
        if not any(data.get(f, "").strip() for f in ("organisation", "name", "email", "key")):
            return None
        return RecipientInput(
            organisation=data["organisation"],
            name=data["name"],
            email=data["email"],
            language=data["language"],
            key=data["key"],
        )


MAX_RECIPIENTS = 20

RecipientFormSet = forms.formset_factory(
    RecipientForm, extra=RECIPIENT_SLOTS, max_num=MAX_RECIPIENTS, validate_max=True
)


def recipient_formset(slots: str | None = None) -> Any:
    """An empty formset with ``slots`` blank recipients (``?slots=`` on the page)."""
    try:
        extra = int(slots or RECIPIENT_SLOTS)
    except ValueError:
        extra = RECIPIENT_SLOTS
    extra = max(1, min(extra, MAX_RECIPIENTS))
    formset_class = forms.formset_factory(
        RecipientForm, extra=extra, max_num=MAX_RECIPIENTS, validate_max=True
    )
    return formset_class(prefix="recipient")


class DecisionForm(CaseActionForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    note = _text(_("Note"), rows=2, help_text=_("Required when refusing."))


class UserNoticeRequestForm(forms.Form):
    summary = _text(_("What you will tell your users"), required=True)
    audience = _text(
        _("To whom"),
        rows=2,
        required=True,
        help_text=_("Which users, directly or through which integrators."),
    )
    justification = _text(_("How notifying them first lowers their risk"), required=True)
    terms_ja = _text(_("Confidentiality terms (Japanese)"), rows=6, initial=DEFAULT_TERMS_JA)
    terms_en = _text(_("Confidentiality terms (English)"), rows=6, initial=DEFAULT_TERMS_EN)
