"""Telling users of their notifications by e-mail, per their preference.

The e-mail names the case by its reference and links to the thread; it never carries
the message's text, because these mails are not encrypted (the encrypted copy for
participants without portal access is outbound mail's job, a later slice). Each
notification is mailed at most once: a job claims it by setting ``mailed_at`` with
a conditional update before sending, so a job run twice sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from kakehashi.accounts.models import User
from kakehashi.core.mail import send_templated_mail

from .choices import MailFrequency
from .models import MailPreference, Notification

UNSUBSCRIBE_SALT = "kakehashi.messaging.unsubscribe"


def unsubscribe_token(user: Any) -> str:
    return signing.dumps({"user": user.pk}, salt=UNSUBSCRIBE_SALT)


def user_of_token(token: str) -> User | None:
    """The user a digest's unsubscribe link was made for; ``None`` if forged."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("user"), int):
        return None
    return User.objects.filter(pk=value["user"], is_active=True).first()


def frequency_of(user: Any) -> str:
    preference = MailPreference.objects.filter(user=user).first()
    return preference.frequency if preference else MailFrequency.IMMEDIATE


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _link(notification: Notification, language: str) -> str:
    with translation.override(language):
        path = reverse(
            "messaging:thread",
            kwargs={"case_id": notification.case_id, "key": notification.thread.key},
        )
    return _absolute(f"{path}#m{notification.message_id}")


def _claim(notifications: Iterable[Notification]) -> list[Notification]:
    """The notifications this run may mail: those it marks as mailed itself."""
    now = timezone.now()
    claimed = []
    for notification in notifications:
        if Notification.objects.filter(pk=notification.pk, mailed_at__isnull=True).update(
            mailed_at=now
        ):
            claimed.append(notification)
    return claimed


def _lines(notifications: list[Notification], language: str) -> list[dict[str, Any]]:
    return [
        {
            "kind": n.kind,
            "author": str(n.message.author) if n.message.author else "",
            "reference": n.case.reference,
            "at": n.created_at,
            "link": _link(n, language),
        }
        for n in notifications
    ]


def mail_immediately(notification_ids: list[int]) -> int:
    """Mail the given notifications to users who want them at once; unread ones only."""
    rows = list(
        Notification.objects.filter(
            pk__in=notification_ids, mailed_at__isnull=True, read_at__isnull=True
        )
        .exclude(user__mail_preference__frequency__in=[MailFrequency.DAILY, MailFrequency.NEVER])
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "case", "thread", "message__author")
    )
    sent = 0
    for notification in _claim(rows):
        user = notification.user
        language = user.language or settings.LANGUAGE_CODE
        send_templated_mail(
            "message_notification",
            [user.email],
            {"user": user, "items": _lines([notification], language)},
            language=language,
        )
        sent += 1
    return sent


def send_digests(now: Any = None) -> int:
    """One digest per user who chose it: every unread, unmailed notification older than
    a few minutes (so a thread being read right now is not mailed). Idempotent."""
    now = now or timezone.now()
    due = (
        Notification.objects.filter(
            mailed_at__isnull=True,
            read_at__isnull=True,
            created_at__lte=now - timedelta(minutes=5),
            user__mail_preference__frequency=MailFrequency.DAILY,
            user__is_active=True,
        )
        .exclude(Q(user__email=""))
        .select_related("user", "case", "thread", "message__author")
        .order_by("user_id", "id")
    )
    by_user: dict[int, list[Notification]] = {}
    for notification in due:
        by_user.setdefault(notification.user_id, []).append(notification)
    sent = 0
    for rows in by_user.values():
        mine = _claim(rows)
        if not mine:
            continue
        user = mine[0].user
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            unsubscribe = _absolute(
                reverse("messaging:unsubscribe", kwargs={"token": unsubscribe_token(user)})
            )
        send_templated_mail(
            "message_digest",
            [user.email],
            {"user": user, "items": _lines(mine, language), "unsubscribe_url": unsubscribe},
            language=language,
        )
        sent += 1
    return sent
