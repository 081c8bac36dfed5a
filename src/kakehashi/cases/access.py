"""Who may open a case and what they may do in it (STYLE point 6).

Views, the API and the CLI fetch cases only through :func:`access_case`. A case the
user may not see raises ``Http404`` exactly like a case that does not exist, so an
embargoed case's existence does not leak.

Needs:
- ``"view"``: the desk's view of the case — its coordinator organisation's staff, and
  the reception desk that forwarded it (which sees the schedule, not the vendors);
- ``"details"``: the vendors, statuses and timeline — the coordination side only;
- ``"coordinate"``: change it — coordinators and administrators of its coordinator
  organisation.
Participants' own views (the vendor portal) are added with their own needs.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import Organisation

from .models import Case

COORDINATING_ROLES = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})
# Publication committee members see only the committee's files (committee.access),
# never the case itself.
CASE_BLIND_ROLES = frozenset({Role.COMMITTEE_MEMBER})
NEEDS = ("view", "details", "coordinate")


def case_roles(user: Any, case: Case) -> dict[str, set[str]]:
    """The user's roles towards the case, by side: ``coordination`` and ``reception``."""
    sides: dict[str, set[str]] = {"coordination": set(), "reception": set()}
    if not getattr(user, "is_authenticated", False):
        return sides
    if user.is_superuser:
        sides["coordination"].add(Role.ADMINISTRATOR)
        return sides
    for membership in user.memberships_cached():
        if membership.role in CASE_BLIND_ROLES:
            continue
        if membership.organisation_id == case.coordinator_org_id:
            sides["coordination"].add(membership.role)
        if membership.organisation_id == case.reception_org_id:
            sides["reception"].add(membership.role)
    return sides


def can_coordinate(user: Any, case: Case) -> bool:
    return bool(case_roles(user, case)["coordination"] & COORDINATING_ROLES)


def desk_side(user: Any, case: Case) -> str | None:
    """ "coordination" or "reception": which desk view the user gets, if any."""
    sides = case_roles(user, case)
    if sides["coordination"]:
        return "coordination"
    if sides["reception"]:
        return "reception"
    return None


def access_case(user: Any, case_id: int, *, need: str = "view") -> Case:
    """The case, if ``user`` has ``need`` on it; otherwise ``Http404``."""
    if need not in NEEDS:
        raise ValueError(need)
    case = Case.objects.for_desk(user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    if need == "view" and desk_side(user, case) is not None:
        return case
    if need == "details" and desk_side(user, case) == "coordination":
        return case
    if need == "coordinate" and can_coordinate(user, case):
        return case
    raise Http404


def coordinating_organisations(user: Any) -> list[Organisation]:
    """The coordinator organisations in which ``user`` may open cases."""
    if not getattr(user, "is_authenticated", False):
        return []
    coordinators = Organisation.objects.filter(kind=OrganisationKind.COORDINATOR)
    if user.is_superuser:
        return list(coordinators)
    ids = [m.organisation_id for m in user.memberships_cached() if m.role in COORDINATING_ROLES]
    return list(coordinators.filter(pk__in=ids))


def access_coordinating_organisation(user: Any, organisation_id: int | None) -> Organisation:
    """The coordinator organisation to open a case in: the one given, if the user
    coordinates there, or else the user's only one; otherwise ``Http404``."""
    candidates = coordinating_organisations(user)
    if organisation_id is not None:
        candidates = [o for o in candidates if o.pk == organisation_id]
    if len(candidates) != 1:
        raise Http404
    return candidates[0]


# ---------------------------------------------------------------------------
# Participants' side: the vendor portal and the vendor API.

PORTAL_ROLES = frozenset({Role.VENDOR_PSIRT, Role.VENDOR_ADMIN})


def _portal_organisations(user: Any) -> list[int]:
    """The vendor organisations in which ``user`` holds a portal role."""
    return [
        m.organisation_id
        for m in user.memberships_cached()
        if m.role in PORTAL_ROLES and m.organisation.kind == OrganisationKind.VENDOR
    ]


def vendor_participations(user: Any) -> Any:
    """The vendor participations ``user`` may open in the portal: current vendor
    participants of the user's vendor organisations that may receive pre-publication
    information (``vendors.rules``: the 個別登録 rule), newest case first."""
    from kakehashi.vendors.rules import pre_publication_recipients_of

    from .models import Participant

    if not getattr(user, "is_authenticated", False):
        return Participant.objects.none()
    organisations = _portal_organisations(user)
    candidates = list(
        Participant.objects.vendors()
        .filter(organisation_id__in=organisations)
        .select_related("case", "organisation")
    )
    recipients = pre_publication_recipients_of({p.case_id: p.case for p in candidates}.values())
    allowed = [p.pk for p in candidates if p.pk in recipients]
    return (
        Participant.objects.filter(pk__in=allowed)
        .select_related("case", "organisation")
        .order_by("-case__created_at", "pk")
    )


def access_participation(user: Any, case_id: int) -> Any:
    """The user's vendor participation in the case, if the portal may show it;
    otherwise ``Http404`` — the same answer as for a case that does not exist. The same
    rule as :func:`vendor_participations`, asked for this one case only."""
    from kakehashi.vendors.rules import receives_pre_publication

    from .models import Participant

    if not getattr(user, "is_authenticated", False):
        raise Http404
    organisations = _portal_organisations(user)
    candidates = (
        Participant.objects.vendors()
        .filter(case_id=case_id, organisation_id__in=organisations)
        .select_related("case", "organisation")
        .order_by("pk")
    )
    for participation in candidates:
        if receives_pre_publication(participation):
            return participation
    raise Http404
