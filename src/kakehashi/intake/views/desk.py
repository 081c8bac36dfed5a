"""The reception desk (the IPA role): the queue, a report's page with the actions
allowed now, the coordinators' read-only view of the report behind their case, and
attachment downloads. Action endpoints are declared in ``desk_actions``."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from kakehashi.core.dates import jst_date

from .. import forms_desk as forms
from ..access import access_attachment, access_report, redacted_finder
from ..deadlines import clock_for
from ..desk_queries import (
    PAGE_SIZE,
    DeskAllowed,
    allowed_on,
    clock_of,
    filter_queue,
    load_report_page,
    require_reception_staff,
)
from ..downloads import attachment_response
from ..known import find_similar
from ..models import Report
from ..workflow import RECEPTION
from .desk_actions import ACTIONS, endpoint, report_url, viewer_zone

QUARANTINE_CONFIRMATION = "download"  # the POST value that says "I know it was flagged"


# --- The queue ----------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    require_reception_staff(request.user)
    now = timezone.now()
    filters = forms.QueueFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(filter_queue(request.user, cleaned, now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(report, clock_of(report, now)) for report in page]
    return render(
        request,
        "intake/desk/queue.html",
        {"filters": filters, "page": page, "rows": rows, "now": now},
    )


# --- A report's page --------------------------------------------------------------------


@login_required
@require_GET
def report_page(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access_report(request, report_id, need="desk")
    return render_report_page(request, report)


def render_report_page(
    request: HttpRequest,
    report: Report,
    *,
    bound: dict[str, django_forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = report_page_context(request, report, bound or {})
    response = render(request, "intake/desk/report.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def report_page_context(
    request: HttpRequest, report: Report, bound: dict[str, django_forms.Form]
) -> dict[str, Any]:
    now = timezone.now()
    data = load_report_page(report)
    answers = [h.at for h in data["history"] if h.machine == RECEPTION.name and h.event == "answer"]
    allowed = allowed_on(report, request.user)
    query = request.GET.get("known", "").strip()[:200]
    known = find_similar(report, query or None) if allowed.checks or query else None
    return {
        **data,
        "report": report,
        "here": report_url(report),
        "now": now,
        "clock": clock_for(
            state=report.state,
            submitted_at=report.submitted_at,
            acknowledged_at=report.acknowledged_at,
            last_answer_at=max(answers, default=None),
            now=now,
        ),
        "allowed": allowed,
        "fix_target_passed": bool(data["fix_target"])
        and report.fixed_at is None
        and jst_date(now) > data["fix_target"],
        "passed_checks": sum(1 for row in data["checks"] if row.passed),
        "known": known,
        "known_query": query,
        "forms": _action_forms(request, report, allowed, bound),
    }


# Forms opened by a link (``?act=<key>``); the others are buttons rendered in place.
LINKED_FORMS: dict[str, str] = {
    "assign": "assign",
    "scope": "scope",
    "ask": "ask",
    "message": "message",
    "accept": "accept",
    "reject": "reject",
    "duplicate": "duplicate",
    "forward": "forward",
    "close": "close",
    "reopen": "reopen",
    "contact": "website",
    "send": "send_details",
    "fix": "fix",
    "transfer": "transfer",
}


def _action_forms(
    request: HttpRequest,
    report: Report,
    allowed: DeskAllowed,
    bound: dict[str, django_forms.Form],
) -> dict[str, Any]:
    """The forms the page shows open: the one asked for, and the one just refused
    (bound, with its errors). Only actions allowed now; each form costs its choices."""
    wanted = request.GET.get("act", "")
    made: dict[str, Any] = {}
    for key, allowed_name in LINKED_FORMS.items():
        form_class = ACTIONS[key].form
        prefix = str(form_class.prefix)
        if prefix in bound:
            made[key] = bound[prefix]
        elif key == wanted and getattr(allowed, allowed_name):
            made[key] = form_class(report=report, zone=viewer_zone(request))
    # Forms whose fields are buttons in place: shown only to report their errors.
    for key in ("acknowledge", "check", "decrypt", "site"):
        made[key] = bound.get(str(ACTIONS[key].form.prefix))
    return made


# --- The coordinators' view of the report behind their case -----------------------------


@login_required
@require_GET
def report_for_case(request: HttpRequest, report_id: int) -> HttpResponse:
    """What was reported, for the coordinators of the case it became: read-only, and
    without the finder's identity unless the finder allowed it to be passed on."""
    report = access_report(request, report_id, need="coordination")
    return render(
        request,
        "intake/desk/for_case.html",
        {
            "report": report,
            "finder": redacted_finder(report),
            "credit": (report.credit_name or report.finder_name) if report.publish_credit else "",
            "attachments": list(report.attachments.all()),
        },
    )


# --- Attachments --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """Download an attachment (desk, finder, or the case's coordinators). A file the
    scanner flagged is served only after an explicit confirmation (POST)."""
    try:
        found = access_attachment(request, attachment_id)
    except Http404:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise
    confirmed = request.method == "POST" and request.POST.get("confirm") == QUARANTINE_CONFIRMATION
    if found.quarantined and not confirmed:
        return render(
            request,
            "intake/desk/quarantined.html",
            {"attachment": found, "confirmation": QUARANTINE_CONFIRMATION},
        )
    try:
        return attachment_response(found)
    except FileNotFoundError:
        raise Http404 from None


urlpatterns: list[URLPattern] = [
    path("reception/", queue, name="desk_queue"),
    path("reception/reports/<int:report_id>/", report_page, name="desk_report"),
    path("reception/reports/<int:report_id>/for-case/", report_for_case, name="desk_for_case"),
    path("reception/attachments/<int:attachment_id>/", attachment, name="attachment"),
    *(
        path(f"reception/reports/<int:report_id>/{name}/", endpoint(name), name=f"desk_{name}")
        for name in ACTIONS
    ),
]
