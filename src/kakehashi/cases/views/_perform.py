"""How every action endpoint of the desk behaves (POST, coordinators only).

Valid form → exactly one action → redirect back to the case page with a message
(post/redirect/get). Invalid form or a refusal from the action (``WorkflowError``,
whose text is a translated message) → the case page again, as it now is, with the
form still filled in and the reason shown; the action's transaction has rolled back,
so nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from kakehashi.core.perform import perform as core_perform
from kakehashi.core.workflow import ConcurrentChange

from ..access import access_case
from ..forms import CaseActionForm
from ..models import Case


def viewer_zone(request: HttpRequest) -> str:
    return str(getattr(request.user, "timezone", "") or "UTC")


def case_url(case: Case, anchor: str = "") -> str:
    url = reverse("cases:detail", kwargs={"case_id": case.pk})
    return f"{url}#{anchor}" if anchor else url


def check_revision(case: Case, form: CaseActionForm) -> None:
    """For actions without a ``revision`` argument: refuse a form rendered from an
    older revision of the case (the action's own compare-and-swap covers the race)."""
    if form.seen_revision != case.revision:
        raise ConcurrentChange


def perform(
    request: HttpRequest,
    case: Case,
    form: CaseActionForm,
    action: Callable[[], str | None],
    *,
    anchor: str,
) -> HttpResponse:
    """``core.perform`` on the case page: when the form or the action refuses, the page
    again as the case now is (the failed action may have touched objects in memory)."""
    from .pages import render_case_page

    def again(bound_form: forms.Form) -> HttpResponse:
        fresh = access_case(request.user, case.pk)
        form.show_revision(fresh.revision)
        return render_case_page(request, fresh, bound={str(bound_form.prefix): bound_form})

    return core_perform(
        request, form, action, success_url=case_url(case, anchor), render_again=again
    )


def warn(request: HttpRequest, warnings: list[Any]) -> None:
    for warning in warnings:
        messages.warning(request, str(warning))
