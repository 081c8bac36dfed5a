"""The coordinator's side of the vendors' portal answers: granting or refusing a
vendor's request for another publication date (from the desk case page)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kakehashi.cases import actions
from kakehashi.cases.access import access_case
from kakehashi.cases.models import ScheduleRequest
from kakehashi.core.workflow import ConcurrentChange, WorkflowError


class DecisionForm(forms.Form):
    prefix = "decide"

    decision = forms.ChoiceField(
        choices=[("grant", gettext_lazy("Grant")), ("refuse", gettext_lazy("Refuse"))]
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


@require_POST
@login_required
def decide_schedule_request(request: HttpRequest, case_id: int, request_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    schedule_request = (
        ScheduleRequest.objects.select_related("participant")
        .filter(case=case, pk=request_id)
        .first()
    )
    if schedule_request is None:
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, _("Nothing was changed: choose grant or refuse."), 400)
    data = form.cleaned_data
    if data["revision"] != case.revision:
        return _refused(request, case, str(ConcurrentChange()), 409)
    try:
        _done, warnings = actions.decide_schedule_request(
            case,
            schedule_request,
            actor=request.user,
            grant=data["decision"] == "grant",
            note=data["note"],
            revision=data["revision"],
        )
    except WorkflowError as error:
        return _refused(
            request, case, str(error), 409 if isinstance(error, ConcurrentChange) else 400
        )
    if data["decision"] == "grant":
        messages.success(request, _("The request was granted; the target publication moved."))
    else:
        messages.success(request, _("The request was refused; the vendor sees your note."))
    for warning in warnings:
        messages.warning(request, warning)
    return redirect(reverse("cases:detail", kwargs={"case_id": case.pk}) + "#vendor-answers")


def _refused(request: HttpRequest, case: object, message: str, status: int) -> HttpResponse:
    from kakehashi.cases.views.pages import render_case_page

    messages.error(request, message)
    fresh = access_case(request.user, case.pk)  # type: ignore[attr-defined]
    return render_case_page(request, fresh, status=status)
