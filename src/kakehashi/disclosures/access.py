"""Who sees and manages a case's disclosures (STYLE point 6).

Nothing here is public. The coordination side of a case sees its whole log
(``cases.access`` need ``"details"``) and its coordinators manage it (need
``"coordinate"``); a vendor member sees only its own organisation's requests in a
case its portal may show (``cases.access.access_participation``). Anything else is
``Http404``, the same answer as for a case or disclosure that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kakehashi.cases.access import access_case, access_participation
from kakehashi.cases.models import Case, Participant

from .models import Disclosure, DisclosureQuerySet

DESK_NEEDS = ("details", "coordinate")


def case_disclosures(user: Any, case_id: int, *, need: str = "details") -> tuple[Case, Any]:
    """The case and its whole disclosure log, for its coordination side."""
    if need not in DESK_NEEDS:
        raise ValueError(need)
    case = access_case(user, case_id, need=need)
    return case, Disclosure.objects.filter(case=case)


def access_disclosure(user: Any, disclosure_id: int, *, need: str = "coordinate") -> Disclosure:
    """One disclosure, through the access to its case; otherwise ``Http404``."""
    if need not in DESK_NEEDS:
        raise ValueError(need)
    disclosure = Disclosure.objects.select_related("case").filter(pk=disclosure_id).first()
    if disclosure is None:
        raise Http404
    disclosure.case = access_case(user, disclosure.case_id, need=need)
    return disclosure


def vendor_disclosures(user: Any, case_id: int) -> tuple[Participant, DisclosureQuerySet]:
    """The user's vendor participation in the case and its own requests only."""
    participation = access_participation(user, case_id)
    return participation, Disclosure.objects.of_vendor(participation)
