"""Finding a case by its listing's DID number (問合せ番号) in the desk's case search.

A developer on the public list writes in with the DID number in the subject, the one
name of the case it knows: the coordinator types that number into the case list's
search. Only listings the coordinator may see (``visible_to``) lead to their case, so
the number says nothing to anyone else.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db.models import Q

from .models import UnreachableListing


def did_number(text: str) -> int | None:
    """The number of a DID as typed: the prefix in any case, then its digits
    (``DID#00000012``, ``did#12``); None for any other text."""
    prefix = re.escape(settings.KAKEHASHI_DID_PREFIX.strip())
    found = re.fullmatch(rf"{prefix}\s*(\d{{1,9}})", text.strip(), re.IGNORECASE | re.ASCII)
    return int(found.group(1)) if found else None


def cases_by_did(user: Any, text: str) -> Q | None:
    """The condition on cases for ``cases.queries.register_case_matcher``."""
    number = did_number(text)
    if number is None:
        return None
    listings = UnreachableListing.objects.visible_to(user).filter(number=number)
    return Q(pk__in=listings.values("case_id"))
