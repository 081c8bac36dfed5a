from __future__ import annotations

from typing import Any

from django import template

from ..forms import MailPreferenceForm
from ..mail import frequency_of

register = template.Library()


@register.inclusion_tag("messaging/_mail_preference.html", takes_context=True)
def mail_preference_form(context: template.Context) -> dict[str, Any]:
    """The e-mail preference form on the accounts preferences page (one query)."""
    user = context["user"]
    form = MailPreferenceForm(initial={"frequency": frequency_of(user)})
    return {"form": form, "csrf_token": context.get("csrf_token")}
