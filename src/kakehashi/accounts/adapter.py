"""allauth adapter: mail in the recipient's language, delivered by a background job."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from kakehashi.core import audit
from kakehashi.core.jobs import enqueue_on_commit

from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Finders may register themselves; vendors and staff join by invitation.
        return bool(settings.KAKEHASHI_OPEN_SIGNUP)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # The language of the pages the person signed up on is theirs: without it the
        # field's default (the operator's language) would send the confirmation mail,
        # and every page after log-in, in a language they did not choose.
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            user.language = language
        return super().save_user(request, user, form, commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        from kakehashi.core.tasks import deliver_mail

        user = User.objects.filter(email__iexact=email).only("language").first()
        language = user.language if user else (translation.get_language() or "ja")
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        body = message.body
        enqueue_on_commit(
            deliver_mail, subject=str(message.subject), body=str(body), to=list(message.to)
        )

    def login(self, request: HttpRequest, user: Any) -> None:
        super().login(request, user)
        audit.record("accounts.login", actor=user, subject=user, request=request)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> Any:
        response = super().post_login(request, user, **kwargs)
        # Follow the user's preferred language after log-in.
        location = response.get("Location", "") if response is not None else ""
        preferred = getattr(user, "language", "")
        for code, _name in settings.LANGUAGES:
            prefix = f"/{code}/"
            if location.startswith(prefix) and preferred and preferred != code:
                response["Location"] = f"/{preferred}/" + location[len(prefix) :]
                break
        return response
