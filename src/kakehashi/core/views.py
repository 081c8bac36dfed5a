"""Public home page, per-role dashboard, jobs page, health check, CSRF failure page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.tasks import TaskResultStatus
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from .access import require_operator_admin
from .dashboard import ROLE_GUIDES, desk_links, portal_cases
from .public import render_public_page


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: no database, no session, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    return render_public_page(request, "core/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships_cached()  # type: ignore[union-attr]
    roles = sorted({m.role for m in memberships}, key=list(ROLE_GUIDES).index)
    return render(
        request,
        "core/dashboard.html",
        {
            "memberships": memberships,
            "guides": [ROLE_GUIDES[r] for r in roles],
            "desk_links": desk_links(request.user),
            "portal_cases": portal_cases(request.user),
        },
    )


@login_required
def jobs(request: HttpRequest) -> HttpResponse:
    require_operator_admin(request.user)
    rows = DBTaskResult.objects.order_by("-enqueued_at")
    status = request.GET.get("status", "")
    if status in {"READY", "RUNNING", "SUCCESSFUL", "FAILED"}:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/jobs.html",
        {
            "page": page,
            "rows": [(job, job.args_kwargs["kwargs"].get("_attempt", 1)) for job in page],
            "status": status,
            "job_states": TaskResultStatus.choices,
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("The form expired"),
            "message": _(
                "For your security the form could not be accepted. Reload the page and try "
                "again; nothing was changed."
            ),
        },
        status=403,
    )
