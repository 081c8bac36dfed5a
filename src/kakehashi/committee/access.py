"""Who may open a committee file and what they may do with it (STYLE point 6).

Needs:
- ``"view"``: read the file — the committee's members, and the coordinators and
  administrators of the case's coordinator organisation;
- ``"feed"``: open files, add draft texts and notices — coordinators and
  administrators;
- ``"judge"``: record opinions, criteria, the decision, the vendor's statement and
  METI's confirmation — committee members and administrators.

A committee member sees the file and nothing else of the case: ``cases.access`` does
not open the case to them. Anyone else gets ``Http404``, as for a missing file.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kakehashi.accounts.choices import OrganisationKind, Role

from .models import CommitteeFile

NEEDS = {
    "view": frozenset({Role.COMMITTEE_MEMBER, Role.COORDINATOR, Role.ADMINISTRATOR}),
    "feed": frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}),
    "judge": frozenset({Role.COMMITTEE_MEMBER, Role.ADMINISTRATOR}),
}


def file_roles(user: Any, coordinator_org_id: int | None) -> set[str]:
    """The user's roles in the coordinator organisation that runs the file's case."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return {Role.ADMINISTRATOR}
    return {m.role for m in user.memberships_cached() if m.organisation_id == coordinator_org_id}


def may(user: Any, coordinator_org_id: int | None, need: str) -> bool:
    return bool(file_roles(user, coordinator_org_id) & NEEDS[need])


def reads_committee_files(user: Any) -> bool:
    """Whether the committee's pages are for this user at all (superusers included)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(
        m.role in NEEDS["view"] and m.organisation.kind == OrganisationKind.COORDINATOR
        for m in user.memberships_cached()
    )


def access_file(user: Any, file_id: int, *, need: str = "view") -> CommitteeFile:
    if need not in NEEDS:
        raise ValueError(need)
    committee_file = (
        CommitteeFile.objects.visible_to(user)
        .select_related("case", "listing")
        .filter(pk=file_id)
        .first()
    )
    if committee_file is None:
        raise Http404
    if not may(user, committee_file.case.coordinator_org_id, need):
        raise Http404
    return committee_file
