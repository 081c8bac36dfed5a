"""What proves a vendor unreachable, read from the case's own records.

Every rule rests on the logged contact attempts (channel, address, time, outcome) and
on ``Participant.acknowledged_at``, so what the coordinator declares can be shown:

- *silent*: no answer on any channel since the first unanswered attempt, and that
  attempt is at least ``KAKEHASHI_UNREACHABLE_AFTER_DAYS`` old (listing);
- *impossible to coordinate* (調整不能, guideline IV.3(2)1(ア)): silent for
  ``KAKEHASHI_UNREACHABLE_IMPOSSIBLE_AFTER_DAYS`` (six months) and every channel
  tried and logged — each kind of contact point of the vendor's registry entry, or
  e-mail and post for a vendor without an entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from kakehashi.cases.choices import AWARE_OUTCOMES, ContactChannel
from kakehashi.cases.models import ContactAttempt, Participant

# The registry's contact-point kinds, as the channels a contact attempt is logged on.
CHANNEL_OF_CONTACT_KIND = {
    "email": ContactChannel.EMAIL,
    "phone": ContactChannel.PHONE,
    "fax": ContactChannel.FAX,
    "post": ContactChannel.POST,
    "web_form": ContactChannel.WEB,
}
# A vendor without a registry entry: at least e-mail and post (guideline IV.4.2).
CHANNELS_WITHOUT_ENTRY = (ContactChannel.EMAIL, ContactChannel.POST)


@dataclass(frozen=True)
class Silence:
    """The vendor's silence: since when, and which channels were tried meanwhile."""

    since: datetime | None  # the first unanswered attempt; None: nothing to wait for
    channels_tried: frozenset[str]

    def lasted(self, days: int, now: datetime | None = None) -> bool:
        if self.since is None:
            return False
        return (now or timezone.now()) - self.since >= timedelta(days=days)


def last_answer(participant: Participant) -> datetime | None:
    """When the vendor last answered: its acknowledgement or an answered attempt."""
    answered = (
        ContactAttempt.objects.filter(participant=participant, outcome__in=AWARE_OUTCOMES)
        .order_by("-attempted_at")
        .values_list("attempted_at", flat=True)
        .first()
    )
    candidates = [t for t in (answered, participant.acknowledged_at) if t is not None]
    return max(candidates) if candidates else None


def silence(participant: Participant) -> Silence:
    answer = last_answer(participant)
    attempts = ContactAttempt.objects.filter(participant=participant)
    if answer is not None:
        attempts = attempts.filter(attempted_at__gt=answer)
    rows = list(attempts.order_by("attempted_at").values_list("attempted_at", "channel"))
    if not rows:
        return Silence(None, frozenset())
    return Silence(rows[0][0], frozenset(channel for _at, channel in rows))


def answered_since(participant: Participant, since: datetime) -> bool:
    answer = last_answer(participant)
    return answer is not None and answer >= since


def required_channels(participant: Participant) -> list[str]:
    """Every channel the vendor's registry entry offers (or e-mail and post)."""
    from kakehashi.vendors.models import ContactPoint

    if participant.organisation_id is None:
        return list(CHANNELS_WITHOUT_ENTRY)
    kinds = set(
        ContactPoint.objects.filter(
            profile__organisation_id=participant.organisation_id
        ).values_list("kind", flat=True)
    )
    if not kinds:
        return list(CHANNELS_WITHOUT_ENTRY)
    channels = {CHANNEL_OF_CONTACT_KIND[kind] for kind in kinds if kind in CHANNEL_OF_CONTACT_KIND}
    return [c for c in ContactChannel.values if c in channels]


def untried_channels(participant: Participant, tried: frozenset[str]) -> list[str]:
    return [c for c in required_channels(participant) if c not in tried]


def listing_after_days() -> int:
    return int(settings.KAKEHASHI_UNREACHABLE_AFTER_DAYS)


def product_after_days() -> int:
    return int(settings.KAKEHASHI_UNREACHABLE_PRODUCT_AFTER_DAYS)


def impossible_after_days() -> int:
    return int(settings.KAKEHASHI_UNREACHABLE_IMPOSSIBLE_AFTER_DAYS)
