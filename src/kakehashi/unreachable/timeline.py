"""The listing's steps in the case timeline (``cases.timeline`` merges them): one
query, whatever the number of listings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .choices import RemovalReason
from .models import UnreachableListing


def entries(case: Any, limit: int) -> list[Any]:
    from kakehashi.cases.timeline import Entry

    rows: list[Any] = []
    for listing in (
        UnreachableListing.objects.filter(case=case)
        .select_related(
            "participant__organisation",
            "participant__user",
            "listed_by",
            "product_listed_by",
            "removed_by",
        )
        .order_by("-listed_at")[:limit]
    ):
        who = [listing.participant]
        rows.append(
            Entry(
                at=listing.listed_at,
                kind="unreachable",
                actor=listing.listed_by,
                participants=who,
                text=_("Listed publicly as unreachable: %(did)s") % {"did": listing.did},
            )
        )
        if listing.product_listed_at:
            rows.append(
                Entry(
                    at=listing.product_listed_at,
                    kind="unreachable",
                    actor=listing.product_listed_by,
                    participants=who,
                    text=_("Product information published for %(did)s: %(product)s")
                    % {"did": listing.did, "product": listing.product_information()},
                )
            )
        if listing.removed_at:
            rows.append(
                Entry(
                    at=listing.removed_at,
                    kind="unreachable",
                    actor=listing.removed_by,
                    participants=who,
                    note=listing.removal_note,
                    text=_("%(did)s removed from the public list: %(reason)s")
                    % {
                        "did": listing.did,
                        "reason": RemovalReason(listing.removal_reason).label,
                    },
                )
            )
    return rows
