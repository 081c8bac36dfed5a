"""Who may work as the CNA, and the one way to fetch CVE IDs and records (STYLE point 6).

CNA officers and administrators of a coordinator organisation manage the ID pool and
the records; a record is opened by the officers of its case's coordinator. Anyone else
gets ``Http404``, as for a record that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.cases.access import access_case
from kakehashi.cases.models import Vulnerability

from .models import CveId, CveRecord

CNA_ROLES = frozenset({Role.CNA_OFFICER, Role.ADMINISTRATOR})


def cna_organisations(user: Any) -> set[int]:
    """The coordinator organisations in which ``user`` acts for the CNA."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return {
        m.organisation_id
        for m in user.memberships_cached()
        if m.role in CNA_ROLES and m.organisation.kind == OrganisationKind.COORDINATOR
    }


def is_cna_officer(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or cna_organisations(user))


def require_cna_officer(user: Any) -> None:
    if not is_cna_officer(user):
        raise Http404


def require_desk_staff(user: Any) -> None:
    """The CVE corpus is public data, but its search is a tool of the desk: reception
    and coordination staff only."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    if not (getattr(user, "is_superuser", False) or user.is_desk_staff()):
        raise Http404


def access_cve_id(user: Any, cve_id: str) -> CveId:
    require_cna_officer(user)
    found = CveId.objects.filter(cve_id=cve_id.strip().upper()).first()
    if found is None:
        raise Http404
    return found


def access_record(user: Any, cve_id: str) -> CveRecord:
    """The record of ``cve_id`` for an officer of its case's coordinator."""
    record = (
        CveRecord.objects.select_related("cve__vulnerability__case")
        .filter(cve__cve_id=cve_id.strip().upper())
        .first()
    )
    if record is None or record.cve.vulnerability is None:
        raise Http404
    case = record.cve.vulnerability.case
    if not getattr(user, "is_superuser", False) and case.coordinator_org_id not in (
        cna_organisations(user)
    ):
        raise Http404
    return record


def access_vulnerability(user: Any, vulnerability_id: int) -> Vulnerability:
    """A vulnerability to assign an ID to: the user sees its case on the desk
    (``cases.access``) and is a CNA officer of the case's coordinator."""
    vulnerability = Vulnerability.objects.filter(pk=vulnerability_id).first()
    if vulnerability is None:
        raise Http404
    case = access_case(user, vulnerability.case_id, need="view")
    if not getattr(user, "is_superuser", False) and case.coordinator_org_id not in (
        cna_organisations(user)
    ):
        raise Http404
    return vulnerability
