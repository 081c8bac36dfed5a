"""The REST API v1: one NinjaAPI, one router per app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kakehashi.accounts.api import router as accounts_router

from .auth import TokenAuth

api = NinjaAPI(
    title="Kakehashi API",
    version="1",
    description="Coordinated vulnerability disclosure: reports, cases, advisories, CVE records.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", accounts_router)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Missing, invalid, expired or revoked token."}, status=401
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


urlpatterns = api.urls
