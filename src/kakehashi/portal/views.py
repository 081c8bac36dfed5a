"""The vendor portal: a vendor's members see the cases their organisation takes part
in, each only as far as ``cases.access`` allows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kakehashi.cases.access import access_participation, vendor_participations


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    participations = vendor_participations(request.user)
    return render(request, "portal/case_list.html", {"participations": participations})


@require_GET
@login_required
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = access_participation(request.user, case_id)
    case = participation.case
    return render(
        request,
        "portal/case.html",
        {"participation": participation, "case": case},
    )
