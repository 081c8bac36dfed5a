"""Contact resumed: a listed vendor that answers or acknowledges leaves the public list.

The case actions save a ``ContactAttempt`` with an answered outcome, and the portal
sets ``Participant.acknowledged_at``; either one, once committed, removes the vendor's
open listing. A change made without ``save()`` is caught by the periodic job
(``tasks.resume_answered_listings``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from kakehashi.cases.choices import AWARE_OUTCOMES
from kakehashi.cases.models import ContactAttempt, Participant


def _after_commit(participant_id: int) -> None:
    def check() -> None:
        from .actions import resume_contact
        from .models import UnreachableListing

        if not UnreachableListing.objects.filter(
            participant_id=participant_id, removed_at__isnull=True
        ).exists():
            return
        resume_contact(Participant.objects.get(pk=participant_id))

    transaction.on_commit(check)


@receiver(post_save, sender=ContactAttempt)
def contact_answered(sender: Any, instance: ContactAttempt, created: bool, **kwargs: Any) -> None:
    if instance.outcome in AWARE_OUTCOMES:
        _after_commit(instance.participant_id)


@receiver(post_save, sender=Participant)
def participant_acknowledged(sender: Any, instance: Participant, **kwargs: Any) -> None:
    if instance.acknowledged_at is not None:
        _after_commit(instance.pk)
