"""Enforce a second factor for members of organisations that require one."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404

# URL names a user without MFA may still reach: enrolment, log-out, language switch.
_EXEMPT_NAMESPACES = {"mfa"}
_EXEMPT_NAMES = {
    "account_logout",
    "account_login",
    "account_email",
    "account_confirm_email",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_generate_recovery_codes",
    "mfa_view_recovery_codes",
    "healthz",
}


def user_needs_mfa_enrolment(user: object) -> bool:
    """True when the user belongs to an organisation requiring MFA and has none."""
    if not getattr(user, "is_authenticated", False):
        return False
    memberships = user.memberships_cached()  # type: ignore[attr-defined]
    if not any(m.organisation.requires_mfa() for m in memberships):
        return False
    return not Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


class RequireMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_enrol(request):
            if request.headers.get("HX-Request") == "true":
                # A fragment (the nav's notification count …) is refused, not redirected:
                # htmx would follow the redirect and swap the whole enrolment page into the
                # fragment, whose own nav asks for the fragment again, without end.
                return HttpResponseForbidden()
            return redirect("mfa_index")
        return self.get_response(request)

    def _must_enrol(self, request: HttpRequest) -> bool:
        path = request.path_info
        if path.startswith(("/static/", "/api/")):
            return False
        if not user_needs_mfa_enrolment(request.user):
            return False
        try:
            match = resolve(path)
        except Resolver404:
            return False
        exempt = match.url_name in _EXEMPT_NAMES or set(match.namespaces) & _EXEMPT_NAMESPACES
        return not exempt
