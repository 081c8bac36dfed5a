"""Forms of the registry screens. They only parse input: every change is made by one
action in ``actions`` (which validates again and refuses with a translated message)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import Organisation
from kakehashi.cases.forms import CaseActionForm
from kakehashi.cases.models import Participant

from .access import MAINTAINER_ONLY_FIELDS, maintains_registry
from .choices import ContactKind, EmailRole, RegistrationType, VersionScheme
from .models import ContactPoint, Product, VendorGroup, VendorKey, VendorProfile

# The profile fields in the order the edit form shows them.
PROFILE_FORM_FIELDS = (
    "preferred_language",
    "time_zone",
    "keywords",
    "public_listing",
    "direct_report_url",
    "registration_type",
    "overseas",
    "coordinating_partner",
)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Vendor, product, CPE, purl or keyword"), required=False, max_length=200
    )


class RegisterVendorForm(forms.Form):
    """An existing vendor organisation, or the names of a new one."""

    organisation = forms.ModelChoiceField(
        label=_("Existing vendor organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— a new organisation, named below —"),
    )
    name_ja = forms.CharField(
        label=_("New organisation's name (Japanese)"), max_length=200, required=False
    )
    name_en = forms.CharField(
        label=_("New organisation's name (English)"), max_length=200, required=False
    )
    registration_type = forms.ChoiceField(
        label=_("Registration type"), choices=RegistrationType.choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        # Vendor organisations not in the registry yet.
        field.queryset = Organisation.objects.filter(
            kind=OrganisationKind.VENDOR, vendor_profile__isnull=True
        ).order_by("name_en")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = bool(data.get("name_ja", "").strip() or data.get("name_en", "").strip())
        if data.get("organisation") is not None and named:
            raise forms.ValidationError(
                _("Choose an existing organisation or name a new one, not both.")
            )
        if data.get("organisation") is None and not named and "organisation" not in self.errors:
            raise forms.ValidationError(
                _("Choose an existing vendor organisation or give the new one's names.")
            )
        return data


class InviteVendorMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(r.value, r.label) for r in (Role.VENDOR_ADMIN, Role.VENDOR_PSIRT)],
    )
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)


class ProfileForm(forms.Form):
    """The profile's fields; a vendor's own administrators do not get the coordinator's."""

    def __init__(self, *args: Any, profile: VendorProfile, user: Any, **kwargs: Any) -> None:
        names = [
            name
            for name in PROFILE_FORM_FIELDS
            if maintains_registry(user) or name not in MAINTAINER_ONLY_FIELDS
        ]
        kwargs.setdefault("initial", model_to_dict(profile, fields=names))
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(VendorProfile, fields=names))

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class ContactPointForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    value = forms.CharField(label=_("Address or number"), max_length=500)
    email_role = forms.ChoiceField(
        label=_("E-mail role"),
        choices=[("", _("— (not e-mail)")), *EmailRole.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class KeyForm(forms.Form):
    armored = forms.CharField(
        label=_("OpenPGP public key"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("Paste the ASCII-armoured public key (-----BEGIN PGP PUBLIC KEY BLOCK-----)."),
        max_length=100_000,
    )


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Product name"), max_length=200)
    cpe = forms.CharField(label=_("CPE 2.3 name"), max_length=500, required=False)
    purl = forms.CharField(label=_("Package URL (purl)"), max_length=500, required=False)
    version_scheme = forms.ChoiceField(
        label=_("Version scheme"), choices=VersionScheme.choices, initial=VersionScheme.OTHER
    )
    keywords = forms.CharField(
        label=_("Keywords"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class _RowForm(forms.Form):
    """A button acting on one row of the profile: the row must belong to the profile."""

    row = forms.ModelChoiceField(queryset=ContactPoint.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, profile: VendorProfile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["row"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = self.rows(profile)
        field.error_messages["invalid_choice"] = _("This entry is no longer in the registry.")

    def rows(self, profile: VendorProfile) -> Any:
        raise NotImplementedError


class RemoveContactForm(_RowForm):
    def rows(self, profile: VendorProfile) -> Any:
        return ContactPoint.objects.filter(profile=profile)


class WithdrawKeyForm(_RowForm):
    def rows(self, profile: VendorProfile) -> Any:
        # Withdrawn keys too: the action answers that one is already withdrawn.
        return VendorKey.objects.filter(profile=profile)


class RemoveProductForm(_RowForm):
    def rows(self, profile: VendorProfile) -> Any:
        return Product.objects.filter(profile=profile)


class _ProfilesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.organisation.name_ja} / {obj.organisation.name_en}"


class VendorGroupForm(forms.Form):
    name_ja = forms.CharField(label=_("Name (Japanese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    members = _ProfilesField(
        label=_("Members"),
        queryset=VendorProfile.objects.select_related("organisation").order_by(
            "organisation__name_en"
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args: Any, group: VendorGroup | None = None, **kwargs: Any) -> None:
        if group is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name_ja": group.name_ja,
                    "name_en": group.name_en,
                    "description": group.description,
                    "members": list(group.members.all()),
                },
            )
        super().__init__(*args, **kwargs)


# --- On a case: adding vendors, notifying them, recording a bounce ----------------------


class AddVendorsForm(CaseActionForm):
    prefix = "vendors"

    organisations = forms.ModelMultipleChoiceField(
        label=_("Vendors"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.VENDOR),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Vendor groups"),
        queryset=VendorGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("organisations") and not data.get("groups"):
            raise forms.ValidationError(_("Choose at least one vendor or vendor group."))
        return data


class _CaseVendorsMixin:
    case: Any

    def setup_field(self, name: str, form_field: forms.Field) -> None:
        if name in {"participants", "participant"}:
            assert isinstance(form_field, forms.ModelChoiceField)
            form_field.queryset = Participant.objects.vendors().filter(case=self.case)


class NotifyVendorsForm(_CaseVendorsMixin, CaseActionForm):
    prefix = "notify"

    scope = forms.ChoiceField(
        choices=[
            ("all", _("Every vendor not yet notified")),
            ("chosen", _("The vendors ticked")),
        ]
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Vendors"),
        queryset=Participant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "chosen" and not data.get("participants"):
            raise forms.ValidationError(_("Choose at least one vendor to notify."))
        return data


class BounceForm(_CaseVendorsMixin, CaseActionForm):
    prefix = "bounce"

    participant = forms.ModelChoiceField(label=_("Vendor"), queryset=Participant.objects.none())
    address = forms.EmailField(label=_("Address that bounced"))
    note = forms.CharField(
        label=_("From the bounce message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
