"""Read-side queries with a fixed number of SQL statements, whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kakehashi.cases.models import Participant

from .access import Viewer, visible_threads
from .choices import ThreadKind
from .models import ReadMarker, Thread


@dataclass
class ThreadRow:
    key: str
    kind: str
    title: str
    participant: Participant | None
    thread: Thread | None
    unread: bool

    @property
    def label(self) -> str:
        """The thread's name for lists, computed here rather than in the template (a
        list of a thousand vendors' threads must render fast)."""
        if self.kind == ThreadKind.GENERAL:
            return _("All participants")
        if self.kind == ThreadKind.VENDOR and self.participant is not None:
            return _("Private: %(name)s and the coordinator") % {
                "name": self.participant.display_name()
            }
        return self.title


def _with_marker(threads: Any, user: Any) -> Any:
    marker = ReadMarker.objects.filter(thread=OuterRef("pk"), user=user)
    return threads.annotate(read_up_to=Coalesce(Subquery(marker.values("last_read_id")[:1]), 0))


def _row(key: str, kind: str, title: str, thread: Thread | None, p: Any = None) -> ThreadRow:
    unread = thread is not None and thread.last_message_id > getattr(thread, "read_up_to", 0)
    return ThreadRow(key, kind, title, p, thread, unread)


def thread_rows(viewer: Viewer) -> list[ThreadRow]:
    """The viewer's threads of the case: the general thread, the private vendor threads
    (every current vendor for the coordination, its own for a vendor) and the topics.
    Three queries."""
    threads = list(
        _with_marker(visible_threads(viewer), viewer.user).select_related(
            "vulnerability", "product"
        )
    )
    general = next((t for t in threads if t.kind == ThreadKind.GENERAL), None)
    by_participant = {t.participant_id: t for t in threads if t.kind == ThreadKind.VENDOR}
    rows: list[ThreadRow] = []
    if viewer.side != "finder":
        rows.append(_row("general", ThreadKind.GENERAL, "", general))
    vendors: list[Participant] = []
    if viewer.side == "coordination":
        vendors = list(
            Participant.objects.vendors().filter(case=viewer.case).select_related("organisation")
        )
    elif viewer.side == "vendor" and viewer.participant is not None:
        vendors = [viewer.participant]
    for p in vendors:
        rows.append(_row(f"vendor-{p.pk}", ThreadKind.VENDOR, "", by_participant.get(p.pk), p))
    for t in threads:
        if t.kind == ThreadKind.TOPIC:
            rows.append(_row(t.key, ThreadKind.TOPIC, t.title, t))
    return rows


# Vendors' private threads per page of the coordination's overview (a case may have 1,000).
VENDOR_ROWS_PER_PAGE = 100
# The threads every page of the overview lists (index ``thread_case_kind``).
SHARED_KINDS = (ThreadKind.GENERAL, ThreadKind.TOPIC)
# What a vendor's label needs (``Participant.display_name``).
_VENDOR_FIELDS = (
    "id",
    "case_id",
    "role",
    "name",
    "email",
    "organisation__name_ja",
    "organisation__name_en",
    "user__display_name",
    "user__username",
)


@dataclass
class ThreadOverview:
    """The case's thread list as one page shows it: every shared thread (general and
    topics) and one page of the vendors' private threads (``vendor_page``, None when the
    viewer sees only its own)."""

    rows: list[ThreadRow]
    vendor_page: Page[Participant] | None


def thread_overview(viewer: Viewer, page_number: str | None) -> ThreadOverview:
    """The overview of a case's threads. For the coordination the vendors are paged in
    the database (a count, the page's participants, their threads), so a case with
    a thousand vendors costs what a case with ten does: three queries, a hundred rows.
    Other sides see at most their own private thread and take ``thread_rows``."""
    if viewer.side != "coordination":
        return ThreadOverview(thread_rows(viewer), None)
    vendors = (
        Participant.objects.vendors()
        .filter(case=viewer.case)
        .select_related("organisation", "user")
        .only(*_VENDOR_FIELDS)
        .order_by("pk")
    )
    page = Paginator(vendors, VENDOR_ROWS_PER_PAGE).get_page(page_number)
    participants = list(page.object_list)
    # One query for the shared threads (index ``thread_case_kind``) and the page's private
    # threads, found by participant (they are this case's): the one-private-thread-per-vendor
    # index answers that, where filtering on the case would walk all its threads.
    threads = list(
        _with_marker(
            Thread.objects.filter(
                Q(case=viewer.case, kind__in=SHARED_KINDS)
                | Q(kind=ThreadKind.VENDOR, participant_id__in=[p.pk for p in participants])
            ),
            viewer.user,
        ).select_related("vulnerability", "product")
    )
    shared = [t for t in threads if t.kind != ThreadKind.VENDOR]
    by_participant = {t.participant_id: t for t in threads if t.kind == ThreadKind.VENDOR}
    general = next((t for t in shared if t.kind == ThreadKind.GENERAL), None)
    rows = [_row("general", ThreadKind.GENERAL, "", general)]
    rows.extend(
        _row(t.key, ThreadKind.TOPIC, t.title, t) for t in shared if t.kind == ThreadKind.TOPIC
    )
    rows.extend(
        _row(f"vendor-{p.pk}", ThreadKind.VENDOR, "", by_participant.get(p.pk), p)
        for p in participants
    )
    return ThreadOverview(rows, page)


def unread_counts(threads: list[Thread], user: Any) -> dict[int, int]:
    """Per thread, the messages after the user's read marker. One query."""
    from django.db.models import Count

    from .models import Message

    if not threads:
        return {}
    marker = ReadMarker.objects.filter(thread=OuterRef("thread_id"), user=user)
    read_up_to = Coalesce(Subquery(marker.values("last_read_id")[:1]), 0)
    return dict(
        Message.objects.filter(thread__in=[t.pk for t in threads])
        .alias(read_up_to=read_up_to)
        .filter(id__gt=F("read_up_to"))
        .values("thread_id")
        .annotate(n=Count("id"))
        .values_list("thread_id", "n")
    )


@dataclass
class VendorActivity:
    key: str
    participant: Participant
    notified_at: datetime | None
    seen_at: datetime | None
    acknowledged_at: datetime | None
    last_answer_at: datetime | None


def vendor_activity(
    case: Any, participants: list[Participant] | None = None
) -> list[VendorActivity]:
    """Per vendor: notified, seen (a member first opened the vendor's private thread),
    acknowledged, last answer (a member's last message anywhere in the case). One query,
    given the case's participants (the case page has them already).

    Both go through the membership of the vendor's organisation, so a person in two
    vendors' organisations counts for each; the coordination's own reads of a vendor's
    thread never count as the vendor's."""
    from .models import Message

    if participants is None:
        participants = list(Participant.objects.vendors().filter(case=case))
    vendors = [p for p in participants if p.role == "vendor" and p.removed_at is None]
    first_read = (
        ReadMarker.objects.filter(
            thread__kind=ThreadKind.VENDOR,
            thread__participant_id=OuterRef("pk"),
            user__memberships__organisation_id=OuterRef("organisation_id"),
        )
        .order_by("first_read_at")
        .values("first_read_at")[:1]
    )
    last_message = (
        Message.objects.filter(
            thread__case=case, author__memberships__organisation_id=OuterRef("organisation_id")
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    found: dict[int, tuple[datetime | None, datetime | None]] = {
        pk: (seen, answered)
        for pk, seen, answered in Participant.objects.filter(pk__in=[p.pk for p in vendors])
        .annotate(seen=Subquery(first_read), answered=Subquery(last_message))
        .values_list("pk", "seen", "answered")
    }
    return [
        VendorActivity(
            key=f"vendor-{p.pk}",
            participant=p,
            notified_at=p.notified_at,
            seen_at=found.get(p.pk, (None, None))[0],
            acknowledged_at=p.acknowledged_at,
            last_answer_at=found.get(p.pk, (None, None))[1],
        )
        for p in vendors
    ]


@dataclass
class BroadcastRow:
    broadcast: Any
    posted: int


def recent_broadcasts(case: Any, limit: int = 5) -> list[BroadcastRow]:
    """The case's latest messages to all vendors and how many copies are posted so far
    (the jobs may still be running). One query."""
    from django.db.models import Count

    from .models import Broadcast

    rows = list(
        Broadcast.objects.filter(case=case)
        .select_related("author")
        .annotate(posted=Count("messages"))
        .order_by("-id")[:limit]
    )
    return [BroadcastRow(b, b.posted) for b in rows]
