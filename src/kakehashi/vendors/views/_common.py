"""What every registry screen shares: finding the entry named in the URL through
``vendors.access``, and how an action endpoint behaves.

Valid form → exactly one action → redirect with a message (post/redirect/get). Invalid
form or a refusal (``WorkflowError``, whose text is a translated message) → the page
again with status 400, the form still filled in and the reason shown; the action's
transaction rolled back, so nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from kakehashi.core.workflow import WorkflowError


def perform(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[], str],
    *,
    success_url: str,
    render_again: Callable[[forms.Form], HttpResponse],
) -> HttpResponse:
    """Run ``action`` (which returns the success message) if ``form`` is valid."""
    if form.is_valid():
        try:
            success = action()
        except WorkflowError as error:
            form.add_error(None, str(error))
            messages.error(request, str(error))
        else:
            messages.success(request, success)
            return redirect(success_url)
    else:
        messages.error(request, _("Nothing was changed: correct the form below."))
    response = render_again(form)
    response.status_code = 400
    return response
