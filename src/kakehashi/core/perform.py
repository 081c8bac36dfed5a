"""How a POST action endpoint behaves (post/redirect/get), for every app's screens.

Valid form → exactly one action → redirect with the action's success message. Invalid
form, or a refusal from the action (``WorkflowError``, whose text is translated) → the
page again with the form still filled in and the reason shown: 400, or 409 when the
refusal is a stale version (``ConcurrentChange``). The action's transaction rolled back,
so nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .workflow import ConcurrentChange, WorkflowError


def perform(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[], str | None],
    *,
    success_url: str | Callable[[], str],
    render_again: Callable[[forms.Form], HttpResponse],
) -> HttpResponse:
    """Run ``action`` (which returns the success message, if any) if ``form`` is valid.

    ``success_url`` may be a callable, for a page that exists only once the action ran."""
    status = 400
    if form.is_valid():
        try:
            success = action()
        except WorkflowError as error:
            form.add_error(None, str(error))
            messages.error(request, str(error))
            status = 409 if isinstance(error, ConcurrentChange) else 400
        else:
            if success:
                messages.success(request, success)
            return redirect(success_url() if callable(success_url) else success_url)
    else:
        messages.error(request, _("Nothing was changed: correct the form below."))
    response = render_again(form)
    response.status_code = status
    return response
