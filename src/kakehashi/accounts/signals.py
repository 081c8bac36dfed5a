"""Audit failed log-ins (the username tried, never the password)."""

from typing import Any

from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver

from kakehashi.core import audit


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    tried = str(credentials.get("username") or credentials.get("email") or "")[:150]
    audit.record("accounts.login_failed", request=request, summary=tried, actor_label="anonymous")


@receiver(user_logged_out)
def on_logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        audit.record("accounts.logout", actor=user, subject=user, request=request)
