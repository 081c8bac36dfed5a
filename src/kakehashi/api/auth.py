"""Bearer-token authentication and scope checks for the REST API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from kakehashi.accounts.actions import authenticate_api_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = authenticate_api_token(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        _activate_language(request)
        return api_token


def _activate_language(request: HttpRequest) -> None:
    """Messages follow the request's Accept-Language (``LocaleMiddleware`` has already
    activated it); a request without one gets the token user's preferred language."""
    if request.headers.get("Accept-Language"):
        return
    preferred = getattr(request.user, "language", "")
    if preferred:
        translation.activate(preferred)
        request.LANGUAGE_CODE = translation.get_language()


def require_scope(request: HttpRequest, scope: str) -> None:
    token = getattr(request, "api_token", None)
    if token is None or not token.has_scope(scope):
        raise HttpError(403, _("This token lacks the '%(scope)s' scope.") % {"scope": scope})
