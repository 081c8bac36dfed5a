"""Forms of the advisory editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from kakehashi.accounts.models import Organisation

from .choices import AdvisoryKind, ReviewState


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
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", "—"), *AdvisoryKind.choices],
    )
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


class AlertForm(forms.Form):
    """A new alert without a case; the organisation is asked only when there is a choice."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Issued by"), queryset=Organisation.objects.none(), empty_label=None
    )
    title_ja = forms.CharField(label=gettext_lazy("Title (Japanese)"), max_length=300)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=300)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            field.initial = organisations[0].pk
            field.widget = forms.HiddenInput()


class AlertFactsForm(forms.Form):
    cve_ids = forms.CharField(
        label=gettext_lazy("CVE IDs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Separated by spaces or new lines, e.g. CVE-2026-12345."),
    )
    cwe_id = forms.CharField(label=gettext_lazy("CWE"), required=False, max_length=16)
    cvss_v3_vector = forms.CharField(
        label=gettext_lazy("CVSS v3.1 vector"), required=False, max_length=200
    )
    cvss_v4_vector = forms.CharField(
        label=gettext_lazy("CVSS v4.0 vector"), required=False, max_length=300
    )


class AlertProductForm(forms.Form):
    vendor_ja = forms.CharField(
        label=gettext_lazy("Vendor (Japanese)"), required=False, max_length=200
    )
    vendor_en = forms.CharField(label=gettext_lazy("Vendor (English)"), max_length=200)
    name = forms.CharField(label=gettext_lazy("Product"), max_length=200)
    versions = forms.CharField(
        label=gettext_lazy("Affected versions"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("e.g. 4.2.0 and earlier"),
    )
    fixed_in = forms.CharField(
        label=gettext_lazy("Fixed in"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Leave empty while no fix exists."),
    )
    cpe = forms.CharField(label=gettext_lazy("CPE 2.3"), required=False, max_length=300)
    purl = forms.CharField(
        label=gettext_lazy("Package URL"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("With a package URL the alert is also published as OSV."),
    )


class PublicationTimeForm(forms.Form):
    when = forms.ChoiceField(
        label=gettext_lazy("Publish"),
        widget=forms.RadioSelect,
        choices=[
            ("now", gettext_lazy("At once, as soon as it is approved")),
            ("at", gettext_lazy("At the time below")),
            ("schedule", gettext_lazy("On the case's schedule (at once without a case)")),
        ],
    )
    at = forms.DateTimeField(
        label=gettext_lazy("Time"),
        required=False,
        help_text=gettext_lazy("In your time zone, e.g. 2026-12-01 11:00."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == "at" and not data.get("at"):
            self.add_error("at", gettext_lazy("Give the time of publication."))
        return data
