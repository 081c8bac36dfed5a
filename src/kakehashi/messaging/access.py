"""Who may read and write which thread of a case (STYLE point 6): ``access_thread``.

A thread's audience is explicit:
- the coordination side of the case (``cases.access``: its coordinator organisation's
  staff) reads and writes every thread;
- a vendor (``cases.access.access_participation``: a current vendor of the case that
  may receive pre-publication information) reads and writes the general thread, its
  own private thread, and topic threads opened to all vendors — never another
  vendor's private thread;
- the finder (a current finder participant of the case) only topic threads the
  coordinator opened to the finder. The reception ↔ finder conversation stays on the
  report (``intake.ReportMessage``), which the reception desk already runs.
Anything else is ``Http404``, as for a thread or case that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kakehashi.cases.access import access_case, access_participation, can_coordinate
from kakehashi.cases.choices import ParticipantRole
from kakehashi.cases.models import Case, Participant

from .choices import ThreadKind, TopicAudience
from .models import Thread

SIDES = ("coordination", "vendor", "finder")


@dataclass(frozen=True)
class Viewer:
    """The user as the case knows them: which side, and for a vendor or finder, as
    which participant."""

    user: Any
    case: Case
    side: str
    participant: Participant | None = None

    @property
    def coordinates(self) -> bool:
        return self.side == "coordination" and can_coordinate(self.user, self.case)


@dataclass(frozen=True)
class ThreadRef:
    """A thread of the case, which may not exist yet (general and private threads are
    created by their first message)."""

    case: Case
    kind: str
    participant: Participant | None
    thread: Thread | None


def case_viewer(user: Any, case_id: int) -> Viewer:
    """The user's side in the case, or ``Http404``."""
    try:
        return Viewer(user, access_case(user, case_id, need="details"), "coordination")
    except Http404:
        pass
    try:
        participation = access_participation(user, case_id)
    except Http404:
        participation = None
    if participation is not None:
        return Viewer(user, participation.case, "vendor", participation)
    if getattr(user, "is_authenticated", False):
        finder = (
            Participant.objects.current()
            .filter(case_id=case_id, role=ParticipantRole.FINDER, user=user)
            .select_related("case")
            .first()
        )
        if finder is not None:
            return Viewer(user, finder.case, "finder", finder)
    raise Http404


def visible_threads(viewer: Viewer) -> QuerySet[Thread]:
    """The existing threads of the viewer's case that the viewer may read."""
    threads = Thread.objects.filter(case=viewer.case)
    if viewer.side == "coordination":
        return threads
    if viewer.side == "vendor":
        return threads.filter(
            Q(kind=ThreadKind.GENERAL)
            | Q(kind=ThreadKind.VENDOR, participant=viewer.participant)
            | Q(kind=ThreadKind.TOPIC, audience=TopicAudience.VENDORS)
        )
    return threads.filter(kind=ThreadKind.TOPIC, finder_included=True)


def _parse_key(key: str) -> tuple[str, int | None]:
    if key == "general":
        return ThreadKind.GENERAL, None
    prefix, _sep, number = key.partition("-")
    if prefix in ("vendor", "topic") and number.isdigit():
        return prefix, int(number)
    raise Http404


def _may_read_vendor_thread(viewer: Viewer, participant_id: int) -> bool:
    if viewer.side == "coordination":
        return True
    return (
        viewer.side == "vendor"
        and viewer.participant is not None
        and (viewer.participant.pk == participant_id)
    )


def access_thread(user: Any, case_id: int, key: str) -> tuple[Viewer, ThreadRef]:
    """The thread named ``key`` ("general", "vendor-<participant>", "topic-<thread>")
    of the case, if the user may read it (whoever may read a thread may write in it);
    otherwise ``Http404``."""
    viewer = case_viewer(user, case_id)
    kind, number = _parse_key(key)
    if kind == ThreadKind.GENERAL:
        if viewer.side == "finder":
            raise Http404
        thread = Thread.objects.filter(case=viewer.case, kind=kind).first()
        return viewer, ThreadRef(viewer.case, kind, None, thread)
    if kind == ThreadKind.VENDOR:
        assert number is not None
        if not _may_read_vendor_thread(viewer, number):
            raise Http404
        # A vendor reads only its own thread: its participation, which case_viewer has
        # just checked (a current vendor of this case), is the thread's participant.
        participant = viewer.participant
        if viewer.side == "coordination":
            participant = (
                Participant.objects.vendors()
                .filter(case=viewer.case, pk=number)
                .select_related("organisation")
                .first()
            )
        if participant is None:
            raise Http404
        thread = Thread.objects.filter(kind=kind, participant=participant).first()
        return viewer, ThreadRef(viewer.case, kind, participant, thread)
    thread = visible_threads(viewer).filter(kind=ThreadKind.TOPIC, pk=number or 0).first()
    if thread is None:
        raise Http404
    return viewer, ThreadRef(viewer.case, kind, None, thread)


STAFF_ROLES = ("coordinator", "administrator", "cna_officer", "translator")


def readers_of(ref: ThreadRef) -> list[Any]:
    """Every active account that may read the thread (for @mentions and
    notifications), in a fixed number of queries."""
    from kakehashi.accounts.models import User
    from kakehashi.cases.access import PORTAL_ROLES
    from kakehashi.vendors.rules import pre_publication_recipients_of

    case = ref.case
    audience = Q(
        memberships__organisation_id=case.coordinator_org_id, memberships__role__in=STAFF_ROLES
    )
    vendors: list[Participant] = []
    if ref.kind == ThreadKind.VENDOR and ref.participant is not None:
        vendors = [ref.participant]
    elif ref.kind == ThreadKind.GENERAL or (
        ref.thread is not None and ref.thread.audience == TopicAudience.VENDORS
    ):
        vendors = list(Participant.objects.vendors().filter(case=case))
    if vendors:
        allowed = pre_publication_recipients_of([case])
        organisations = [
            p.organisation_id for p in vendors if p.pk in allowed and p.organisation_id
        ]
        audience |= Q(
            memberships__organisation_id__in=organisations, memberships__role__in=PORTAL_ROLES
        )
    if ref.thread is not None and ref.thread.finder_included:
        audience |= Q(
            pk__in=Participant.objects.current()
            .filter(case=case, role=ParticipantRole.FINDER, user__isnull=False)
            .values("user_id")
        )
    return list(User.objects.filter(audience, is_active=True).distinct().order_by("pk"))
