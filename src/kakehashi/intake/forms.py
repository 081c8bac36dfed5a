"""Forms of the finder's side: the report form's steps, the reply form, the policy editor.

The forms check shape (lengths, dates, the CVSS calculator, that an encrypted file is
text); meaning is checked by the action: each step runs ``actions.validate_report`` on
its own fields, so the finder sees the action's message next to the field, on the page
where the field is, and the confirmation page runs it again over everything.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from kakehashi.cases.forms import ZonedDateTimeField

from .actions import ReportInvalid, validate_report
from .actions.submit import NOT_FOR_SELF_REPORTS, REPORT_FIELDS
from .choices import SelfCoordination, Track

ENCRYPTED_FILE_MAX_BYTES = 1_000_000
LONG_TEXT = 20_000  # characters of one free-text answer
HONEYPOT_FIELD = "homepage_url"
PUBLICATION_ZONE = "Asia/Tokyo"  # the zone of a self-report's wanted publication time  # a field people never see; bots fill in every field

# --- Files: Django's documented pattern for <input type="file" multiple> -------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


# --- The CVSS v3.1 calculator ---------------------------------------------------------

_NONE = pgettext_lazy("cvss", "None")
_LOW = pgettext_lazy("cvss", "Low")
_HIGH = pgettext_lazy("cvss", "High")
CVSS_METRICS: tuple[tuple[str, Any, list[tuple[str, Any]]], ...] = (
    (
        "AV",
        _("Attack vector"),
        [
            ("N", pgettext_lazy("cvss", "Network")),
            ("A", pgettext_lazy("cvss", "Adjacent")),
            ("L", pgettext_lazy("cvss", "Local")),
            ("P", pgettext_lazy("cvss", "Physical")),
        ],
    ),
    ("AC", _("Attack complexity"), [("L", _LOW), ("H", _HIGH)]),
    ("PR", _("Privileges required"), [("N", _NONE), ("L", _LOW), ("H", _HIGH)]),
    (
        "UI",
        _("User interaction"),
        [("N", _NONE), ("R", pgettext_lazy("cvss", "Required"))],
    ),
    (
        "S",
        _("Scope"),
        [("U", pgettext_lazy("cvss", "Unchanged")), ("C", pgettext_lazy("cvss", "Changed"))],
    ),
    ("C", _("Confidentiality"), [("H", _HIGH), ("L", _LOW), ("N", _NONE)]),
    ("I", _("Integrity"), [("H", _HIGH), ("L", _LOW), ("N", _NONE)]),
    ("A", _("Availability"), [("H", _HIGH), ("L", _LOW), ("N", _NONE)]),
)
CVSS_FIELDS = tuple(f"cvss_{key.lower()}" for key, _label, _choices in CVSS_METRICS)


def cvss_vector_from(data: Any) -> tuple[str, str]:
    """(vector, refusal) from the calculator's fields or a typed vector: a typed
    vector wins; otherwise every metric must be chosen, or none."""
    typed = str(data.get("cvss_v3_vector") or "").strip()
    if typed:
        return typed, ""
    values = [str(data.get(name) or "") for name in CVSS_FIELDS]
    if not any(values):
        return "", ""
    if not all(values):
        return "", _t("Choose a value for every metric, or for none.")
    parts = [f"{key}:{value}" for (key, _l, _c), value in zip(CVSS_METRICS, values, strict=True)]
    return "CVSS:3.1/" + "/".join(parts), ""


def cvss_severity(score: Any) -> str:
    """The qualitative rating of a CVSS v3.1 base score."""
    value = float(score)
    if value == 0:
        return pgettext("cvss severity", "None")
    if value < 4:
        return pgettext("cvss severity", "Low")
    if value < 7:
        return pgettext("cvss severity", "Medium")
    if value < 9:
        return pgettext("cvss severity", "High")
    return pgettext("cvss severity", "Critical")


# --- The report form's steps ----------------------------------------------------------


def _text(label: Any, max_length: int, help_text: Any = "", **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


def _long(label: Any, help_text: Any = "", rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=LONG_TEXT,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class StepForm(forms.Form):
    """One page of the report form. ``track`` decides which fields it has."""

    title_text: ClassVar[Any] = ""
    not_for: ClassVar[dict[str, tuple[str, ...]]] = {}  # track -> fields it does not ask

    def __init__(self, *args: Any, track: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.track = track
        for name in self.not_for.get(track, ()):
            self.fields.pop(name, None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_with_action(data)
        return data

    def check_with_action(self, data: dict[str, Any]) -> None:
        """The action's own refusals, for the fields on this page that have none yet."""
        try:
            validate_report(self.track, {k: v for k, v in data.items() if k in REPORT_FIELDS})
        except ReportInvalid as refused:
            for name, message in refused.errors.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, message)

    def main_fields(self) -> list[forms.BoundField]:
        """The fields shown in the page's main list (the rest have sections of their own)."""
        return list(self)

    def report_data(self) -> dict[str, Any]:
        """What this page contributes to ``submit_report(data=…)``."""
        return {k: v for k, v in self.cleaned_data.items() if k in REPORT_FIELDS}

    def raw_data(self) -> dict[str, Any]:
        """What the finder typed, as typed (kept in the session even when invalid)."""
        kept: dict[str, Any] = {}
        for name, field in self.fields.items():
            if isinstance(field, forms.FileField):
                continue
            value = self.data.get(self.add_prefix(name))
            if value not in (None, ""):
                kept[name] = str(value)
        return kept


class AboutYouForm(StepForm):
    title_text = _("About you")

    finder_name = _text(
        _("Your name"),
        200,
        _("Optional: you may report anonymously."),
        autocomplete="name",
    )
    finder_email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        required=False,
        help_text=_(
            "Optional, but without it we cannot confirm receipt or ask you questions by "
            "mail; you then follow your report only through its secret link."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    finder_phone = _text(_("Your telephone number"), 40, autocomplete="tel")
    finder_affiliation = _text(_("Your organisation"), 200, autocomplete="organization")
    share_identity_with_vendor = forms.BooleanField(
        label=_("My name and contact details may be passed to the vendor"), required=False
    )
    allow_direct_contact = forms.BooleanField(
        label=_("The vendor may contact me directly"), required=False
    )
    publish_credit = forms.BooleanField(
        label=_("Publish my name in the advisory as the finder"), required=False
    )
    credit_name = _text(
        _("Name to publish"), 200, _("If different from your name: a handle, or a team.")
    )
    personal_data_note = _long(
        _("How we may handle your personal data"),
        _("Anything beyond the choices above, for example a name only for the vendor."),
        rows=3,
    )
    # A vendor reporting its own product is the vendor: nothing to pass on to it, and
    # no finder to credit.
    not_for = {Track.SELF_REPORT: NOT_FOR_SELF_REPORTS}

    def __init__(self, *args: Any, track: str, **kwargs: Any) -> None:
        super().__init__(*args, track=track, **kwargs)
        if track == Track.WEBSITE:
            self.fields["share_identity_with_vendor"].label = _(
                "My name and contact details may be passed to the site's operator"
            )
            self.fields["allow_direct_contact"].label = _(
                "The site's operator may contact me directly"
            )
            self.fields.pop("publish_credit")
            self.fields.pop("credit_name")


class VulnerabilityForm(StepForm):
    title_text = _("The vulnerability")
    not_for = {
        Track.WEBSITE: ("product_name", "product_version", "vendor_name"),
        Track.PRODUCT: ("site_url",),
        Track.SELF_REPORT: ("site_url",),
    }

    title = _text(_("Summary in one line"), 300)
    product_name = _text(_("Product name"), 200)
    product_version = _text(_("Affected versions"), 200)
    vendor_name = _text(_("Vendor (developer)"), 200)
    site_url = _text(
        _("Address of the website"),
        500,
        _("Starts with http:// or https://. It is never published."),
        inputmode="url",
    )
    description = _long(_("The vulnerability"), _("What is wrong, in your words."))
    environment = _long(_("Environment in which you confirmed it"), rows=3)
    reproduction = _long(_("Steps to reproduce, and the result"))
    impact = _long(_("Impact"), _("What an attacker can do."), rows=3)
    cvss_v3_vector = _text(
        _("CVSS v3.1 vector"),
        200,
        _("Optional. Type a vector, or choose the metrics below."),
        placeholder="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    encrypted_body = forms.CharField(
        label=_("Encrypted report (ASCII-armoured PGP message)"),
        required=False,
        max_length=ENCRYPTED_FILE_MAX_BYTES,
        help_text=_(
            "Instead of the description: paste the whole message, from “-----BEGIN PGP "
            "MESSAGE-----” to its END line."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    encrypted_file = forms.FileField(
        label=_("…or upload the encrypted message (.asc)"), required=False
    )

    def __init__(self, *args: Any, track: str, encryption: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, track=track, **kwargs)
        for key, label, choices in CVSS_METRICS:
            self.fields[f"cvss_{key.lower()}"] = forms.ChoiceField(
                label=label,
                choices=[("", pgettext_lazy("cvss metric", "—")), *choices],
                required=False,
            )
        if not encryption:  # no platform key: nobody could decrypt it
            self.fields.pop("encrypted_body")
            self.fields.pop("encrypted_file")

    def main_fields(self) -> list[forms.BoundField]:
        own_sections = {*CVSS_FIELDS, "cvss_v3_vector", "encrypted_body", "encrypted_file"}
        return [bound for bound in self if bound.name not in own_sections]

    def cvss_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CVSS_FIELDS]

    def encryption_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("encrypted_body", "encrypted_file") if name in self.fields]

    def clean_encrypted_file(self) -> str:
        upload = self.cleaned_data.get("encrypted_file")
        if not upload:
            return ""
        if upload.size > ENCRYPTED_FILE_MAX_BYTES:
            raise forms.ValidationError(_("An encrypted message larger than 1 MB is not text."))
        try:
            return upload.read().decode("ascii").strip()
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                _("Upload the ASCII-armoured message (gpg --armor), not binary data.")
            ) from error

    def clean(self) -> dict[str, Any]:
        data = forms.Form.clean(self) or {}
        if data.get("encrypted_file"):
            data["encrypted_body"] = data["encrypted_file"]
        vector, refusal = cvss_vector_from(data)
        if refusal:
            self.add_error("cvss_v3_vector", refusal)
        else:
            data["cvss_v3_vector"] = vector
        self.check_with_action(data)
        return data

    def raw_data(self) -> dict[str, Any]:
        kept = super().raw_data()
        uploaded = getattr(self, "cleaned_data", {}).get("encrypted_file")
        if uploaded:  # kept as the text it is, so it survives going back and forth
            kept["encrypted_body"] = uploaded
        return kept


def _publication_time_field() -> ZonedDateTimeField:
    """A date and time in JST: the advisory's time is agreed in Japanese time, whatever
    the reporting vendor's own zone."""
    field = ZonedDateTimeField(
        label=_("Wanted publication time (JST)"),
        required=False,
        help_text=_(
            "When the advisory should be published, for example together with your own "
            "advisory. The coordinator agrees the time with you."
        ),
    )
    field.zone = PUBLICATION_ZONE
    return field


class CircumstancesForm(StepForm):
    title_text = _("Who else knows")
    not_for = {
        Track.PRODUCT: ("wanted_publication_at", "cve_requested"),
        Track.WEBSITE: ("self_coordination", "wanted_publication_at", "cve_requested"),
        Track.SELF_REPORT: ("self_coordination",),
    }

    other_organisations_told = _long(
        _("Other organisations you have told"),
        _("The vendor, another CSIRT or security organisation — and when."),
        rows=3,
    )
    self_coordination = forms.ChoiceField(
        label=_("If you have also told the vendor"),
        choices=SelfCoordination.choices,
        initial=SelfCoordination.NOT_TOLD,
        required=False,
        widget=forms.RadioSelect,
    )
    planned_talk_title = _text(_("Planned talk or paper"), 300)
    planned_talk_venue = _text(_("Venue"), 300)
    planned_talk_date = forms.DateField(
        label=_("Date of the talk"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("If you plan to present or publish it, tell us before the date."),
    )
    # A vendor's self-report only (the other tracks drop these fields).
    wanted_publication_at = _publication_time_field()
    cve_requested = forms.BooleanField(
        label=_("Please assign a CVE ID"),
        required=False,
        help_text=_("Our CNA assigns the ID and publishes the CVE record with the advisory."),
    )

    def clean_self_coordination(self) -> str:
        return self.cleaned_data.get("self_coordination") or SelfCoordination.NOT_TOLD


class AttachmentsForm(forms.Form):
    """New files for the draft, and the staged ones to drop (by their row, not key)."""

    attachments = MultipleFileField(
        label=_("Add files"),
        required=False,
        help_text=_(
            "Proof-of-concept code, screenshots, logs. The type is read from the contents; "
            "the file is never opened on our side."
        ),
    )
    remove = forms.MultipleChoiceField(
        label=_("Remove"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, staged: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remove"].choices = [(str(row.pk), row.filename) for row in staged]  # type: ignore[attr-defined]


STEP_FORMS: dict[str, type[StepForm]] = {
    "you": AboutYouForm,
    "vulnerability": VulnerabilityForm,
    "circumstances": CircumstancesForm,
}
STEPS = (*STEP_FORMS, "files")
STEP_TITLES = {
    **{step: form.title_text for step, form in STEP_FORMS.items()},
    "files": _("Files"),
}
FIELD_STEP = {name: step for step, form in STEP_FORMS.items() for name in form.base_fields}


class TrackForm(forms.Form):
    track = forms.ChoiceField(
        label=_("What are you reporting?"),
        choices=Track.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you are reporting.")},
    )


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I agree that my report is handled this way."),
        error_messages={"required": _("Without your agreement we cannot take a product report.")},
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(label=_("Files"), required=False)


class PolicyForm(forms.Form):
    body_ja = forms.CharField(
        label=_("Policy in Japanese (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 24, "lang": "ja"}),
        max_length=100_000,
    )
    body_en = forms.CharField(
        label=_("Policy in English (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 24, "lang": "en"}),
        max_length=100_000,
    )
    change_note = forms.CharField(label=_("What changed"), max_length=200, required=False)
