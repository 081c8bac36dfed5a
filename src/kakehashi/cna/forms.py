"""Forms of the CNA officer's screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .actions import CNA_TAGS, MAX_RESERVATION


class ReserveForm(forms.Form):
    amount = forms.IntegerField(
        label=gettext_lazy("How many IDs"), min_value=1, max_value=MAX_RESERVATION, initial=5
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1999)
    sequential = forms.BooleanField(
        label=gettext_lazy("Sequential IDs"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class AddIdsForm(forms.Form):
    ids = forms.CharField(
        label=gettext_lazy("CVE IDs reserved elsewhere"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One per line, or separated by spaces or commas."),
    )

    def cleaned_ids(self) -> list[str]:
        return self.cleaned_data["ids"].replace(",", " ").split()


class RecordForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    description_en = forms.CharField(
        label=gettext_lazy("Description (English, required)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=4096,
    )
    description_ja = forms.CharField(
        label=gettext_lazy("Description (Japanese)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=4096,
    )
    references = forms.CharField(
        label=gettext_lazy("References"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=gettext_lazy(
            "One per line: URL | tags separated by commas | name (tags and name optional)."
        ),
    )
    cna_tags = forms.MultipleChoiceField(
        label=gettext_lazy("Record tags"),
        choices=[(tag, tag) for tag in sorted(CNA_TAGS)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean_references(self) -> list[dict[str, Any]]:
        references = []
        for number, line in enumerate(self.cleaned_data["references"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) > 3:
                raise ValidationError(
                    _("Line %(line)d has more than three parts.") % {"line": number}
                )
            url, tags, name = [*parts, "", ""][:3]
            references.append(
                {
                    "url": url,
                    "tags": [t.strip() for t in tags.split(",") if t.strip()],
                    "name": name,
                }
            )
        return references


def references_text(references: list[dict[str, Any]]) -> str:
    """The references as the form's text: the inverse of ``clean_references``."""
    lines = []
    for reference in references:
        parts = [reference.get("url", ""), ", ".join(reference.get("tags", []))]
        if reference.get("name"):
            parts.append(reference["name"])
        lines.append(" | ".join(parts).rstrip(" |"))
    return "\n".join(lines)


class RejectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason for the rejection (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4096,
    )
