"""Bringing vendors into a case and telling them: the coordinator's actions.

- :func:`add_vendors_to_case` adds chosen vendors and vendor groups in one step;
- :func:`notify_vendors` writes one :class:`VendorNotice` per vendor and returns at once:
  the mail goes out from background jobs (``vendors.tasks``, ``vendors.delivery``);
- :func:`record_bounce` logs a bounce the coordinator read in a bounce message;
- :func:`escalate_due_notices` (a periodic job) re-sends unacknowledged notices on the
  business-day schedule and, after the last step, asks the coordinator to try the
  vendor's other channels.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.models import Organisation
from kakehashi.cases import actions as case_actions
from kakehashi.cases.actions._common import claimed, require_coordinator, require_open
from kakehashi.cases.choices import ContactChannel, ContactOutcome, ParticipantRole
from kakehashi.cases.models import Case, ContactAttempt, Participant
from kakehashi.core import audit
from kakehashi.core.dates import add_business_days, jst_date
from kakehashi.core.jobs import enqueue_on_commit
from kakehashi.core.workflow import ConcurrentChange, InvalidInput

from .choices import ContactKind, NoticeState
from .models import ContactPoint, VendorGroup, VendorKey, VendorNotice

# Contact points the coordinator tries by hand when e-mail gets no answer.
OTHER_CHANNELS = (ContactKind.PHONE, ContactKind.FAX, ContactKind.POST, ContactKind.WEB_FORM)


def usable_keys(profile_id: int, now: datetime | None = None) -> list[VendorKey]:
    """The vendor's keys that mail may be encrypted to now: encryption-capable, not
    withdrawn, not expired. (``pgp.encrypt`` checks each one again when it is used.)"""
    return list(usable_keys_of([profile_id], now).order_by("-added_at", "-id"))


def usable_keys_of(profile_ids: Iterable[int], now: datetime | None = None) -> Any:
    """The usable keys of several vendors, as a queryset."""
    now = now or timezone.now()
    return VendorKey.objects.filter(
        profile_id__in=list(profile_ids), can_encrypt=True, revoked_at__isnull=True
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def escalation_days() -> list[int]:
    return sorted(set(settings.KAKEHASHI_VENDOR_ESCALATION_BUSINESS_DAYS))


def escalation_due(first_sent_at: datetime, step: int) -> datetime | None:
    """When reminder ``step`` (1, 2 …) falls due: that many business days (JST) after
    the first notice, at the same time of day; None after the last step."""
    days = escalation_days()
    if not 1 <= step <= len(days):
        return None
    start = jst_date(first_sent_at)
    return first_sent_at + timedelta(days=(add_business_days(start, days[step - 1]) - start).days)


# --- Adding vendors ---------------------------------------------------------------------


def add_vendors_to_case(
    case: Case,
    *,
    actor: Any,
    organisations: Iterable[Organisation] = (),
    groups: Iterable[VendorGroup] = (),
    revision: int | None = None,
) -> list[Participant]:
    """Add the chosen vendors and every member of the chosen groups, once each.

    A vendor chosen by name that already takes part is refused (the coordinator meant
    something else); a group's members that already take part are skipped.
    """
    chosen = {o.pk: o for o in organisations}
    groups = list(groups)
    if not chosen and not groups:
        raise InvalidInput(_("Choose at least one vendor or vendor group."))
    present = set(
        case.participants.vendors()
        .filter(organisation__isnull=False)
        .values_list("organisation_id", flat=True)
    )
    already = [o.display_name() for pk, o in chosen.items() if pk in present]
    if already:
        raise InvalidInput(
            _("Already in the case: %(names)s.") % {"names": ", ".join(sorted(already))}
        )
    members: dict[int, Organisation] = {}
    for group in groups:
        in_group = [m.organisation for m in group.members.select_related("organisation")]
        if not in_group:
            raise InvalidInput(
                _("The vendor group “%(name)s” has no members.") % {"name": group.display_name()}
            )
        members.update((o.pk, o) for o in in_group if o.pk not in present)
    fresh = {**members, **chosen}
    if not fresh:
        raise InvalidInput(_("Every vendor of the chosen groups already takes part."))
    return case_actions.add_participants(
        case,
        actor=actor,
        role=ParticipantRole.VENDOR,
        organisations=sorted(fresh.values(), key=lambda o: o.pk),
        revision=revision,
    )


# --- Notifying them ---------------------------------------------------------------------


def notify_vendors(
    case: Case,
    *,
    actor: Any,
    participants: Iterable[Participant] | None = None,
    revision: int | None = None,
) -> list[VendorNotice]:
    """Queue the first notice to the chosen vendors (default: every vendor of the case
    not yet notified). Writes one row per vendor; the mail goes out after commit.

    A vendor chosen by name whose notice bounced or found no address (and whose entry
    the coordinator has since corrected) is notified again from the start."""
    from .tasks import fan_out_notices

    with claimed(case, revision):
        require_coordinator(actor, case)
        require_open(case)
        vendors, retried = _vendors_to_notify(case, participants)
        with_email = set(
            ContactPoint.objects.filter(
                kind=ContactKind.EMAIL,
                profile__organisation_id__in=[p.organisation_id for p in vendors],
            ).values_list("profile__organisation_id", flat=True)
        )
        notices = _write_notices(case, actor, vendors, retried, with_email)
        queued = [n.pk for n in notices if n.state == NoticeState.QUEUED]
        audit.record(
            "vendors.notified",
            actor=actor,
            subject=case,
            case_id=case.pk,
            summary=f"{case.reference}: {len(queued)}/{len(notices)} vendor notices queued",
            data={"participants": [p.pk for p in vendors], "again": sorted(retried)},
        )
        if queued:
            enqueue_on_commit(fan_out_notices, case.pk, queued)
    return notices


# Notices that may be started again once the coordinator corrected the vendor's entry.
RESTARTABLE = frozenset({NoticeState.BOUNCED, NoticeState.NO_EMAIL})


def _write_notices(
    case: Case,
    actor: Any,
    vendors: list[Participant],
    retried: dict[int, VendorNotice],
    with_email: set[int],
) -> list[VendorNotice]:
    now = timezone.now()

    def fields(p: Participant) -> dict[str, Any]:
        reachable = p.organisation_id in with_email
        return {
            "state": NoticeState.QUEUED if reachable else NoticeState.NO_EMAIL,
            "other_channels_needed": not reachable,
            "requested_at": now,
            "requested_by": actor,
        }

    notices = VendorNotice.objects.bulk_create(
        VendorNotice(participant=p, case=case, **fields(p)) for p in vendors if p.pk not in retried
    )
    for p in vendors:
        notice = retried.get(p.pk)
        if notice is None:
            continue
        restart = {**fields(p), "step": 0, "first_sent_at": None, "next_escalation_at": None}
        updated = VendorNotice.objects.filter(pk=notice.pk, state__in=RESTARTABLE).update(
            last_error="", **restart
        )
        if updated != 1:
            raise ConcurrentChange
        notice.refresh_from_db()
        notices.append(notice)
    return notices


def _vendors_to_notify(
    case: Case, chosen: Iterable[Participant] | None
) -> tuple[list[Participant], dict[int, VendorNotice]]:
    """The vendors to notify, and among them those whose earlier notice starts again."""
    notices = {n.participant_id: n for n in VendorNotice.objects.filter(case=case)}
    if chosen is None:
        vendors = [
            p
            for p in case.participants.vendors().select_related("organisation")
            if p.pk not in notices and p.organisation_id is not None
        ]
        if not vendors:
            raise InvalidInput(_("Every vendor of the case has already been notified."))
        return vendors, {}
    vendors = list(chosen)
    if not vendors:
        raise InvalidInput(_("Choose at least one vendor to notify."))
    for p in vendors:
        if p.case_id != case.pk or p.role != ParticipantRole.VENDOR or not p.is_current:
            raise InvalidInput(_("Only the case's vendors can be notified."))
        if p.pk in notices and notices[p.pk].state not in RESTARTABLE:
            raise InvalidInput(
                _("%(name)s has already been notified.") % {"name": p.display_name()}
            )
    return vendors, {p.pk: notices[p.pk] for p in vendors if p.pk in notices}


def record_bounce(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    address: str,
    note: str = "",
    revision: int | None = None,
) -> ContactAttempt:
    """The coordinator read a bounce message: log it, stop the reminders to that
    address and ask for another channel."""
    notice = VendorNotice.objects.filter(participant=participant, case=case).first()
    if notice is None or notice.last_sent_at is None:
        raise InvalidInput(_("No notice has been sent to this vendor yet."))
    with transaction.atomic():
        attempt = case_actions.record_contact_attempt(
            case,
            participant,
            actor=actor,
            channel=ContactChannel.EMAIL,
            address=address,
            outcome=ContactOutcome.BOUNCED,
            note=note,
            revision=revision,
        )
        VendorNotice.objects.filter(pk=notice.pk).update(
            state=NoticeState.BOUNCED, next_escalation_at=None, other_channels_needed=True
        )
    return attempt


# --- Escalation --------------------------------------------------------------------------


def escalate_due_notices(now: datetime | None = None) -> int:
    """Queue the next reminder of every unacknowledged notice that is due; stop those
    whose vendor acknowledged or left. Idempotent: each step is claimed by one UPDATE."""
    from .tasks import deliver_notice

    now = now or timezone.now()
    due = VendorNotice.objects.filter(
        next_escalation_at__lte=now, state=NoticeState.SENT
    ).select_related("participant", "case")
    queued = 0
    for notice in due:
        participant = notice.participant
        stop = (
            participant.acknowledged_at is not None
            or not participant.is_current
            or notice.case.is_closed
        )
        with transaction.atomic():
            claimed_step = VendorNotice.objects.filter(
                pk=notice.pk, step=notice.step, state=NoticeState.SENT
            ).update(
                next_escalation_at=None,
                **({} if stop else {"step": notice.step + 1, "state": NoticeState.QUEUED}),
            )
            if claimed_step == 1 and not stop:
                enqueue_on_commit(deliver_notice, notice.pk, notice.step + 1)
                queued += 1
    return queued
