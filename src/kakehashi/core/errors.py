"""Error pages: translated, plain, never leaking what exists."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _


def _render(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    body: str
    try:
        body = loader.render_to_string(
            "core/error.html", {"title": title, "message": message}, request=request
        )
    except Exception:  # the error page itself must never fail
        body = f"<h1>{status}</h1>"
    return HttpResponse(body, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404, _("Not found"), _("There is nothing here, or you may not see it."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        500,
        _("Something went wrong"),
        _("The error was recorded. Nothing you sent was lost; please try again later."),
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(
        request,
        400,
        _("Bad request"),
        _("The request could not be understood. It may be too large or malformed."),
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403, _("Not allowed"), _("You may not do this."))
