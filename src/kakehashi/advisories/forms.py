"""Forms of the advisory editor."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .choices import ReviewState


class TextForm(forms.Form):
    """One language's draft; ``version`` is the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    overview = forms.CharField(
        label=gettext_lazy("Overview"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    affected = forms.CharField(
        label=gettext_lazy("Affected products"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    impact = forms.CharField(
        label=gettext_lazy("Impact"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    solution = forms.CharField(
        label=gettext_lazy("Solution"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    references = forms.CharField(
        label=gettext_lazy("References"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    notes = forms.CharField(
        label=gettext_lazy("Coordinator's notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    revision_note = forms.CharField(
        label=gettext_lazy("Revision history entry"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=gettext_lazy("What this publication changes (shown in the revision history)."),
    )


class WaiverForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Publish without"),
        choices=[("ja", gettext_lazy("Japanese")), ("en", gettext_lazy("English"))],
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    reason_ja = forms.CharField(
        label=gettext_lazy("Reason (Japanese)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    reason_en = forms.CharField(
        label=gettext_lazy("Reason (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    vendor = forms.CharField(label=gettext_lazy("Vendor"), required=False, max_length=200)
    product = forms.CharField(label=gettext_lazy("Product"), required=False, max_length=200)
    cwe = forms.RegexField(
        label=gettext_lazy("CWE"), regex=r"^(CWE-)?\d{1,5}$", required=False, max_length=10
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        required=False,
        choices=[
            ("", "—"),
            ("Critical", gettext_lazy("Critical")),
            ("High", gettext_lazy("High")),
            ("Medium", gettext_lazy("Medium")),
            ("Low", gettext_lazy("Low")),
        ],
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=1990, max_value=2999
    )


class VendorReviewForm(forms.Form):
    """A vendor's answer to the draft; ``ja``/``en`` are the text versions it read."""

    ja = forms.IntegerField(widget=forms.HiddenInput)
    en = forms.IntegerField(widget=forms.HiddenInput)
    state = forms.ChoiceField(
        label=gettext_lazy("Your answer"),
        choices=ReviewState.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        help_text=gettext_lazy("Required when you ask for changes: say what should change."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    vendor_advisory_url = forms.URLField(
        label=gettext_lazy("URL of your advisory"),
        help_text=gettext_lazy("It becomes a reference in the published advisory."),
        required=False,
        assume_scheme="https",
        max_length=200,
    )
    vendor_published_at = forms.DateTimeField(
        label=gettext_lazy("When your advisory is published"),
        help_text=gettext_lazy("In your time zone, e.g. 2026-12-01 11:00."),
        required=False,
    )
