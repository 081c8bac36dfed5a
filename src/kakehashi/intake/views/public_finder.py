"""The finder follows a report: the secret link, the status page with the conversation
and the reply form, and the list of an account's own reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.core.errors import not_found
from kakehashi.core.workflow import WorkflowError

from .. import access, actions, forms
from ..models import Report
from ..workflow import ReportState

CLOSED_TO_REPLIES = frozenset({ReportState.CLOSED, ReportState.REJECTED})


@require_GET
def follow_up(request: HttpRequest, token: str) -> HttpResponse:
    """Trade the link in the receipt mail for this session, then leave its URL at once,
    so the secret stays out of the history, the Referer and the language links."""
    try:
        report = access.claim_follow_up_link(request, token)
    except Http404:
        response = not_found(request)
    else:
        response = redirect("intake:report_status", report_id=report.pk)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def report_status(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.access_report(request, report_id, need="finder")
    return _status_page(request, report, forms.ReplyForm())


@require_POST
def report_reply(request: HttpRequest, report_id: int) -> HttpResponse:
    """The finder answers a question or adds information and files."""
    report = access.access_report(request, report_id, need="finder")
    form = forms.ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        user = request.user
        own_account = user.is_authenticated and report.finder_user_id == user.pk
        try:
            actions.finder_reply(
                report,
                actor=user,
                body=form.cleaned_data["body"],
                uploads=form.cleaned_data["attachments"],
                via_secret_link=not own_account,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your message was sent to the reception desk."))
            return redirect(reverse("intake:report_status", args=[report.pk]) + "#conversation")
    return _status_page(request, report, form, status=400)


def _status_page(
    request: HttpRequest, report: Report, form: forms.ReplyForm, status: int = 200
) -> HttpResponse:
    conversation = report.messages.prefetch_related("attachments")
    first_files = report.attachments.filter(message__isnull=True)
    response = render(
        request,
        "intake/public/status.html",
        {
            "report": report,
            "conversation": conversation,
            "first_files": first_files,
            "form": form if report.state not in CLOSED_TO_REPLIES else None,
            "open_question": report.state == ReportState.NEEDS_INFO,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    """The finder portal: the reports filed from this account."""
    reports = access.own_reports(request.user)
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(request, "intake/public/mine.html", {"page": page})
