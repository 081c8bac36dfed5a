"""The one way to reach a listing from the desk (STYLE point 6): through the case.

A listing is the coordinator's: whoever may coordinate its case may act on it; anybody
else gets ``Http404``, as for a listing that does not exist. The public sees listings
only through ``UnreachableListing.objects.public()``, never this function.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kakehashi.cases.access import access_case

from .models import UnreachableListing


def access_listing(user: Any, listing_id: int) -> UnreachableListing:
    listing = UnreachableListing.objects.visible_to(user).filter(pk=listing_id).first()
    if listing is None:
        raise Http404
    listing.case = access_case(user, listing.case_id, need="coordinate")
    return listing
