"""The REST API v1: one NinjaAPI, one router per app.

Refused actions map to status codes in one place (:func:`on_refusal`), so every router
just calls the domain's actions and lets their ``WorkflowError`` through.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kakehashi.accounts.api import router as accounts_router
from kakehashi.advisories.api import router as advisories_router
from kakehashi.cases.api import router as cases_router
from kakehashi.cna.api import router as cna_router
from kakehashi.core.workflow import (
    ConcurrentChange,
    GuardFailed,
    InvalidInput,
    NotPermitted,
    TransitionNotAllowed,
    WorkflowError,
)
from kakehashi.disclosures.api import router as disclosures_router
from kakehashi.intake.api import router as intake_router
from kakehashi.messaging.api import router as messaging_router
from kakehashi.portal.api import router as portal_router
from kakehashi.vendors.api import router as vendors_router

from .auth import TokenAuth

api = NinjaAPI(
    title="Kakehashi API",
    version="1",
    description=(
        "Coordinated vulnerability disclosure: reports, cases, advisories, CVE records. "
        "A refused action answers {detail, code}: 409 for ConcurrentChange (a stale "
        "revision), TransitionNotAllowed and GuardFailed; 403 for NotPermitted; 422 for "
        "InvalidInput. Messages follow Accept-Language, else the token user's language."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", accounts_router)
api.add_router("/cases", cases_router)
api.add_router("/reports", intake_router)
api.add_router("/vendors", vendors_router)
api.add_router("/cve", cna_router)
api.add_router("/portal", portal_router)
api.add_router("/disclosures", disclosures_router)
api.add_router("/advisories", advisories_router)
api.add_router("/messaging", messaging_router)

# How a refused action answers. 409: the case is not in a state that allows it (or
# changed under the caller); 403: the caller's role may never fire this transition;
# 422: the input itself is wrong. The body names the refusal class in ``code``.
REFUSAL_STATUS: dict[type[WorkflowError], int] = {
    ConcurrentChange: 409,
    TransitionNotAllowed: 409,
    GuardFailed: 409,
    NotPermitted: 403,
    InvalidInput: 422,
}


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Missing, invalid, expired or revoked token.")}, status=401
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A JSON body (base64 files included) beyond DATA_UPLOAD_MAX_MEMORY_SIZE.
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return api.create_response(
        request,
        {"detail": _("The request is too large: at most %(size)s.") % {"size": limit}},
        status=413,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Absent and not allowed look the same, so a case's existence does not leak.
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(WorkflowError)
def on_refusal(request: HttpRequest, exc: WorkflowError) -> HttpResponse:
    status = next((s for cls, s in REFUSAL_STATUS.items() if isinstance(exc, cls)), 409)
    return api.create_response(
        request, {"detail": str(exc), "code": type(exc).__name__}, status=status
    )


urlpatterns = api.urls
