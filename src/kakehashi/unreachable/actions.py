"""Every change to the unreachable-developer listing (STYLE point 3).

Each action claims or locks the case like the case actions do, is audited in the same
transaction, and refuses bad input or a premature step with a translated message,
changing nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.cases.actions._common import (
    claimed,
    lock_case,
    require,
    require_coordinator,
    require_open,
)
from kakehashi.cases.choices import ParticipantRole
from kakehashi.cases.models import Case, Participant
from kakehashi.core import audit
from kakehashi.core.public import clear_public_cache
from kakehashi.core.workflow import ConcurrentChange, GuardFailed, InvalidInput

from . import rules
from .choices import DeveloperKind, RemovalReason
from .models import UnreachableListing


def list_unreachable(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    kind: str,
    developer_name_ja: str = "",
    developer_name_en: str = "",
    related_information: str = "",
    remarks_ja: str = "",
    remarks_en: str = "",
    revision: int | None = None,
) -> UnreachableListing:
    """List a silent vendor publicly with a new DID number (連絡不能開発者一覧)."""
    if kind not in DeveloperKind.values:
        raise InvalidInput(_("Choose the kind of developer."))
    names = (developer_name_ja.strip(), developer_name_en.strip())
    remarks = (remarks_ja.strip(), remarks_en.strip())
    if not any(names) and not any(remarks) and participant.organisation is not None:
        # Nothing typed: the vendor's names as the registry knows them.
        organisation = participant.organisation
        names = (organisation.name_ja.strip(), organisation.name_en.strip())
    if not any(names) and not any(remarks):
        raise InvalidInput(
            _("Give the developer's name, or say in the remarks whose product it is.")
        )
    require(
        participant.case_id == case.pk
        and participant.is_current
        and participant.role == ParticipantRole.VENDOR,
        _("Only a vendor of this case can be listed as unreachable."),
    )
    with claimed(case, revision):
        require_coordinator(actor, case)
        require_open(case)
        require(
            not UnreachableListing.objects.filter(
                participant=participant, removed_at__isnull=True
            ).exists(),
            _("This vendor is already listed as unreachable."),
        )
        quiet = rules.silence(participant)
        days = rules.listing_after_days()
        require(
            quiet.lasted(days),
            _(
                "The vendor cannot be listed yet: it must have left every contact attempt "
                "unanswered for %(days)d days, counted from the first unanswered attempt."
            )
            % {"days": days},
        )
        now = timezone.now()
        listing = _create_with_new_number(
            case=case,
            participant=participant,
            kind=kind,
            developer_name_ja=names[0],
            developer_name_en=names[1],
            related_information=related_information.strip(),
            remarks_ja=remarks[0],
            remarks_en=remarks[1],
            silent_since=quiet.since,
            listed_at=now,
            listed_by=actor,
        )
        audit.record(
            "unreachable.listed",
            actor=actor,
            subject=listing,
            case_id=case.pk,
            summary=f"{case.reference}: {listing.did}",
            data={"participant": participant.pk, "silent_since": quiet.since},
        )
        transaction.on_commit(clear_public_cache)
    return listing


def _create_with_new_number(**fields: Any) -> UnreachableListing:
    """The next DID number: one above the highest ever given. Listings are never
    deleted, so a number is never reused; the unique index turns a race between two
    listings into a clean conflict."""
    highest = UnreachableListing.objects.aggregate(n=Max("number"))["n"] or 0
    try:
        with transaction.atomic():
            return UnreachableListing.objects.create(number=highest + 1, **fields)
    except IntegrityError as error:
        raise ConcurrentChange from error


def add_product_information(
    listing: UnreachableListing,
    *,
    actor: Any,
    product_name: str,
    product_version: str,
    contact_deadline: date | None = None,
    revision: int | None = None,
) -> UnreachableListing:
    """About three months after listing, publish the product name and version, and
    optionally the deadline after which the case is judged unreachable (付録5.2)."""
    if not product_name.strip():
        raise InvalidInput(_("Give the product name."))
    if not product_version.strip():
        raise InvalidInput(_("Give the product version."))
    now = timezone.now()
    if contact_deadline is not None and contact_deadline <= timezone.localdate(now):
        raise InvalidInput(_("The contact deadline must be in the future."))
    case = listing.case
    with claimed(case, revision):
        require_coordinator(actor, case)
        days = rules.product_after_days()
        require(listing.is_open, _("This listing has been removed."))
        require(
            listing.product_listed_at is None,
            _("The product information has already been published."),
        )
        earliest = listing.listed_at + timedelta(days=days)
        require(
            now >= earliest,
            _(
                "Product information may be published %(days)d days after the listing, "
                "from %(date)s."
            )
            % {"days": days, "date": timezone.localdate(earliest).isoformat()},
        )
        changed = UnreachableListing.objects.filter(
            pk=listing.pk, removed_at__isnull=True, product_listed_at__isnull=True
        ).update(
            product_name=product_name.strip(),
            product_version=product_version.strip(),
            contact_deadline=contact_deadline,
            product_listed_at=now,
            product_listed_by=actor,
        )
        if changed != 1:
            raise ConcurrentChange
        listing.refresh_from_db()
        audit.record(
            "unreachable.product_listed",
            actor=actor,
            subject=listing,
            case_id=case.pk,
            summary=f"{case.reference}: {listing.did} {listing.product_information()}",
            data={"contact_deadline": contact_deadline},
        )
        transaction.on_commit(clear_public_cache)
    return listing


def remove_listing(
    listing: UnreachableListing,
    *,
    actor: Any,
    reason: str,
    note: str = "",
) -> UnreachableListing:
    """Take the entry off the public list; the row stays as history."""
    if reason not in RemovalReason.values:
        raise InvalidInput(_("Choose why the listing is removed."))
    if reason == RemovalReason.OTHER and not note.strip():
        raise InvalidInput(_("Explain the removal in the note."))
    case = listing.case
    with transaction.atomic():
        lock_case(case)
        if actor is not None:
            require_coordinator(actor, case)
        changed = UnreachableListing.objects.filter(pk=listing.pk, removed_at__isnull=True).update(
            removed_at=timezone.now(),
            removed_by=actor,
            removal_reason=reason,
            removal_note=note.strip(),
        )
        require(changed == 1, _("This listing has already been removed."))
        listing.refresh_from_db()
        audit.record(
            "unreachable.removed",
            actor=actor,
            subject=listing,
            case_id=case.pk,
            summary=f"{case.reference}: {listing.did} ({reason})",
            data={"note": note.strip()},
        )
        transaction.on_commit(clear_public_cache)
    return listing


def resume_contact(participant: Participant) -> list[UnreachableListing]:
    """Remove the vendor's open listing if it answered after its silence began (the
    platform acts: called from the contact and portal signals and the periodic job)."""
    removed = []
    for listing in UnreachableListing.objects.filter(
        participant=participant, removed_at__isnull=True
    ).select_related("case"):
        if rules.answered_since(participant, listing.silent_since):
            try:
                removed.append(
                    remove_listing(listing, actor=None, reason=RemovalReason.CONTACT_RESUMED)
                )
            except GuardFailed:
                continue  # removed meanwhile by someone else: nothing left to do
    return removed


def remove_listings_of_closed_cases() -> int:
    """A closed case has nothing left to coordinate: take its listings off the list."""
    count = 0
    for listing in UnreachableListing.objects.filter(
        removed_at__isnull=True, case__phase="closed"
    ).select_related("case"):
        try:
            remove_listing(listing, actor=None, reason=RemovalReason.CASE_CLOSED)
        except GuardFailed:
            continue
        count += 1
    return count


def resume_answered_listings() -> int:
    """The periodic check: every open listing whose vendor has answered since."""
    count = 0
    participants = Participant.objects.filter(
        unreachable_listings__removed_at__isnull=True
    ).distinct()
    for participant in participants:
        count += len(resume_contact(participant))
    return count
