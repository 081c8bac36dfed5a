"""What the finder's pages share: the honeypot, and the refusals for bots and floods."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ..forms import HONEYPOT_FIELD
from ..ratelimit import Limited


def honeypot_tripped(request: HttpRequest) -> bool:
    """People never see the field (it is off-screen and labelled "leave empty")."""
    return bool(request.POST.get(HONEYPOT_FIELD, "").strip())


def refuse_bot(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("The form could not be accepted"),
            "message": _(
                "A field that must stay empty was filled in, which is what automated "
                "programs do. If you are a person, go back, leave that field empty and send "
                "the form again; nothing you typed was lost."
            ),
        },
        status=400,
    )


def rate_limited(request: HttpRequest, limited: Limited) -> HttpResponse:
    minutes = max(1, (limited.retry_after + 59) // 60)
    response = render(request, "intake/public/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response
