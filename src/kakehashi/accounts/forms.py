from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ROLES_BY_KIND, Role, TokenScope
from .models import Organisation


class PreferencesForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(label=_("Time zone"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["timezone"].choices = [  # type: ignore[attr-defined]
            (name, name) for name in sorted(zoneinfo.available_timezones())
        ]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, organisation: Organisation, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        allowed = ROLES_BY_KIND.get(organisation.kind, frozenset())
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in Role.choices if value in allowed
        ]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=settings.KAKEHASHI_API_TOKEN_MAX_DAYS,
        initial=90,
    )

    def expires_at(self) -> object:
        return timezone.now() + timedelta(days=self.cleaned_data["expires_in_days"])
