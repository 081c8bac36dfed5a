"""Messages in the case timeline (``cases.timeline`` merges them): that a message was
posted, by whom and in which thread — never its text. One query."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .choices import ThreadKind
from .models import Message


def entries(case: Any, limit: int) -> list[Any]:
    from kakehashi.cases.timeline import Entry

    rows: list[Any] = []
    for message in (
        Message.objects.filter(thread__case=case)
        .select_related("author", "thread__participant__organisation", "thread__participant__user")
        .order_by("-created_at", "-id")[:limit]
    ):
        thread = message.thread
        who: list[Any] = []
        if thread.kind == ThreadKind.VENDOR and thread.participant is not None:
            who = [thread.participant]
            text = _("Message in the private thread with the vendor")
        elif thread.kind == ThreadKind.TOPIC:
            text = _("Message in the topic “%(topic)s”") % {"topic": thread.title}
        else:
            text = _("Message to all participants")
        rows.append(
            Entry(
                at=message.created_at,
                kind="message",
                actor=message.author,
                participants=who,
                text=text,
            )
        )
    return rows
