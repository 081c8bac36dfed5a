"""Forms of the listing's desk actions. They check shape only; the actions check
meaning (the waiting periods, the channels tried) and refuse with their own message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.models import Participant

from .choices import DeveloperKind, RemovalReason


class ListingForm(forms.Form):
    participant = forms.ModelChoiceField(label=_("Vendor"), queryset=Participant.objects.none())
    kind = forms.ChoiceField(label=_("Kind of developer"), choices=DeveloperKind.choices)
    developer_name_ja = forms.CharField(
        label=_("Developer (Japanese)"), max_length=200, required=False
    )
    developer_name_en = forms.CharField(
        label=_("Developer (English)"), max_length=200, required=False
    )
    related_information = forms.CharField(
        label=_("Related information (e.g. URL)"), max_length=500, required=False
    )
    remarks_ja = forms.CharField(label=_("Remarks (Japanese)"), max_length=500, required=False)
    remarks_en = forms.CharField(label=_("Remarks (English)"), max_length=500, required=False)

    def __init__(self, *args: Any, vendors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = vendors  # type: ignore[attr-defined]


class ProductForm(forms.Form):
    product_name = forms.CharField(label=_("Product"), max_length=200)
    product_version = forms.CharField(label=_("Version"), max_length=200)
    contact_deadline = forms.DateField(
        label=_("Contact deadline (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RemoveForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RemovalReason.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))
