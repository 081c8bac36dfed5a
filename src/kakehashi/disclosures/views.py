"""The disclosure log on the desk, and a vendor's request from the portal.

POST endpoints run exactly one action; a refusal re-renders the page with the form
still filled in and the reason shown, and nothing has changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.cases.access import can_coordinate
from kakehashi.cases.models import Case
from kakehashi.core.workflow import ConcurrentChange, WorkflowError

from . import actions
from .access import access_disclosure, case_disclosures, vendor_disclosures
from .forms import (
    MAX_RECIPIENTS,
    DecisionForm,
    DisclosureForm,
    RecipientFormSet,
    UserNoticeRequestForm,
    recipient_formset,
)


def _log_url(case: Case) -> str:
    return reverse("disclosures:case", kwargs={"case_id": case.pk})


def _render_log(
    request: HttpRequest, case_id: int, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    case, disclosures = case_disclosures(request.user, case_id)
    bound = bound or {}
    coordinator = can_coordinate(request.user, case)
    rows = list(
        disclosures.select_related("requested_by", "decided_by", "vendor__organisation")
        .prefetch_related("recipients")
        .order_by("-requested_at", "-id")
    )
    context: dict[str, Any] = {
        "case": case,
        "disclosures": rows,
        "can_coordinate": coordinator,
        "max_recipients": MAX_RECIPIENTS,
    }
    if coordinator:
        context["form"] = bound.get("form") or DisclosureForm(case=case, prefix="disclosure")
        context["recipients"] = bound.get("recipients") or recipient_formset(
            request.GET.get("slots")
        )
        for row in rows:
            if row.is_pending:
                prefix = f"decision-{row.pk}"
                row.decision_form = bound.get(prefix) or DecisionForm(case=case, prefix=prefix)
    return render(request, "disclosures/case.html", context, status=status)


@login_required
@require_GET
def case_log(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_log(request, case_id)


def _refused(request: HttpRequest, error: WorkflowError) -> int:
    messages.error(request, str(error))
    return 409 if isinstance(error, ConcurrentChange) else 400


@login_required
@require_POST
def record(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _log = case_disclosures(request.user, case_id, need="coordinate")
    form = DisclosureForm(request.POST, case=case, prefix="disclosure")
    recipients = RecipientFormSet(request.POST, prefix="recipient")
    if form.is_valid() and recipients.is_valid():
        data = form.cleaned_data
        typed = [f.recipient() for f in recipients.forms if f.cleaned_data]
        try:
            actions.record_disclosure(
                case,
                actor=request.user,
                kind=data["kind"],
                summary=data["summary"],
                includes_fix=data["includes_fix"],
                justification=data["justification"],
                reception_consulted_on=data["reception_consulted_on"],
                reception_consultation=data["reception_consultation"],
                vendor_consulted_on=data["vendor_consulted_on"],
                vendor_consultation=data["vendor_consultation"],
                terms_ja=data["terms_ja"],
                terms_en=data["terms_en"],
                recipients=[r for r in typed if r is not None],
                send_by_mail=data["send_by_mail"],
                revision=form.seen_revision,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
            status = _refused(request, error)
        else:
            messages.success(request, _("The disclosure was recorded."))
            return redirect(_log_url(case))
    else:
        messages.error(request, _("Nothing was changed: correct the form below."))
        status = 400
    fresh, _log = case_disclosures(request.user, case_id, need="coordinate")
    form.show_revision(fresh.revision)
    return _render_log(
        request, case_id, bound={"form": form, "recipients": recipients}, status=status
    )


@login_required
@require_POST
def decide(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    disclosure = access_disclosure(request.user, disclosure_id, need="coordinate")
    case = disclosure.case
    prefix = f"decision-{disclosure.pk}"
    form = DecisionForm(request.POST, case=case, prefix=prefix)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            actions.decide_user_notice(
                disclosure,
                actor=request.user,
                approve=approve,
                note=form.cleaned_data["note"],
                revision=form.seen_revision,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
            status = _refused(request, error)
        else:
            messages.success(
                request,
                _("The request was approved.") if approve else _("The request was refused."),
            )
            return redirect(_log_url(case))
    else:
        messages.error(request, _("Nothing was changed: correct the form below."))
        status = 400
    fresh, _log = case_disclosures(request.user, case.pk, need="coordinate")
    form.show_revision(fresh.revision)
    return _render_log(request, case.pk, bound={prefix: form}, status=status)


@login_required
@require_POST
def request_user_notice(request: HttpRequest, case_id: int) -> HttpResponse:
    participation, _own = vendor_disclosures(request.user, case_id)
    form = UserNoticeRequestForm(request.POST, prefix="notice")
    status = 400
    if form.is_valid():
        try:
            actions.request_user_notice(participation, actor=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your request was sent to the coordinator."))
            return redirect(reverse("portal:case", kwargs={"case_id": case_id}) + "#notice")
    else:
        messages.error(request, _("Nothing was changed: correct the form below."))
    context = {"participation": participation, "case": participation.case, "notice_form": form}
    return render(request, "portal/case.html", context, status=status)
