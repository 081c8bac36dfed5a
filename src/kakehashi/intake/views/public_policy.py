"""The disclosure policy page, its editor for the operator's administrators, and the
platform's OpenPGP key (the policy's secure channel)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kakehashi.accounts.access import is_operator_admin
from kakehashi.core import pgp
from kakehashi.core.access import require_operator_admin
from kakehashi.core.markdown import render_markdown
from kakehashi.core.public import render_public_page
from kakehashi.core.workflow import WorkflowError

from .. import forms
from ..models import DisclosurePolicy
from ..policy import policy_source, save_policy

logger = logging.getLogger(__name__)


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    current = DisclosurePolicy.objects.current()
    language = get_language() or "ja"
    return render_public_page(
        request,
        "intake/policy/page.html",
        {
            "policy_html": render_markdown(policy_source(language, current)),
            "current": current,
            "can_edit": is_operator_admin(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest) -> HttpResponse:
    require_operator_admin(request.user)
    current = DisclosurePolicy.objects.current()
    preview = None
    status = 200
    if request.method == "POST":
        form = forms.PolicyForm(request.POST)
        if form.is_valid() and request.POST.get("nav") == "preview":
            preview = {
                "ja": render_markdown(form.cleaned_data["body_ja"]),
                "en": render_markdown(form.cleaned_data["body_en"]),
            }
        elif form.is_valid():
            try:
                save_policy(actor=request.user, **form.cleaned_data)
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The new policy is in force."))
                return redirect("intake:policy")
        if form.errors:
            status = 400
    else:
        form = forms.PolicyForm(
            initial={
                "body_ja": policy_source("ja", current),
                "body_en": policy_source("en", current),
            }
        )
    history = DisclosurePolicy.objects.select_related("updated_by")[:50]
    return render(
        request,
        "intake/policy/edit.html",
        {"form": form, "preview": preview, "history": history, "current": current},
        status=status,
    )


@require_GET
def pgp_key(request: HttpRequest) -> HttpResponse:
    """The platform's public key, for finders who encrypt their report."""
    try:
        armor = pgp.public_key_armor()
    except ImproperlyConfigured:
        logger.exception("The platform OpenPGP key is misconfigured")
        armor = None
    if not armor:
        return render(
            request,
            "core/error.html",
            {
                "title": _("No encryption key yet"),
                "message": _(
                    "This site has no OpenPGP key for reports. Send your report through "
                    "the form: it is protected by HTTPS on its way to us."
                ),
            },
            status=404,
        )
    response = HttpResponse(armor, content_type="application/pgp-keys")
    response["Content-Disposition"] = 'inline; filename="pgp-key.asc"'
    return response
