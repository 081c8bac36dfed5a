"""Outbound mail: render in the recipient's language, deliver from a background job.

Views and actions never talk SMTP: they call :func:`send_templated_mail`, which renders
``mail/<name>_subject.txt`` and ``mail/<name>_body.txt`` under the recipient's language
and enqueues :func:`kakehashi.core.tasks.deliver_mail` when the transaction commits.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def render_mail(name: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language):
        context = {
            "site_name": settings.KAKEHASHI_SITE_NAME,
            "site_url": settings.SITE_URL,
            **context,
        }
        subject = str(render_to_string(f"mail/{name}_subject.txt", context))
        body = str(render_to_string(f"mail/{name}_body.txt", context))
    return " ".join(subject.split()), body  # headers must not contain newlines


def send_templated_mail(
    name: str, to: list[str], context: dict[str, Any], language: str | None = None
) -> None:
    """Render now (so the text is fixed in the recipient's language), deliver later."""
    from .jobs import enqueue_on_commit
    from .tasks import deliver_mail

    subject, body = render_mail(name, context, language or settings.LANGUAGE_CODE)
    enqueue_on_commit(deliver_mail, subject=subject, body=body, to=to)


def build_message(
    subject: str, body: str, to: list[str], headers: dict[str, str] | None = None
) -> EmailMessage:
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers or {},
    )
