"""Bearer-token authentication and scope checks for the REST API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
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
        return api_token


def require_scope(request: HttpRequest, scope: str) -> None:
    token = getattr(request, "api_token", None)
    if token is None or not token.has_scope(scope):
        raise HttpError(403, f"This token lacks the '{scope}' scope.")
