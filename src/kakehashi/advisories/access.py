"""Who may see which advisory (STYLE point 6).

Drafts are the coordination desk's: fetched through the case's access (``cases.access``,
need "details" to read, "coordinate" to change). An alert without a case belongs to its
coordinator organisation: only its coordinators and administrators read or change it.
The public sees only advisories with a published revision, by their URL name — a
draft's URL answers 404 exactly like a name that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation
from kakehashi.cases.access import COORDINATING_ROLES, access_case, access_participation
from kakehashi.cases.models import Participant

from .choices import AdvisoryState
from .models import Advisory


def can_coordinate_alert(user: Any, organisation_id: int) -> bool:
    """Coordinators and administrators of the organisation (and superusers) own its
    alerts without a case."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(
        m.organisation_id == organisation_id and m.role in COORDINATING_ROLES
        for m in user.memberships_cached()
    )


def alert_organisations(user: Any) -> list[Organisation]:
    """The coordinator organisations in whose name ``user`` may issue alerts."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return list(Organisation.objects.filter(kind=OrganisationKind.COORDINATOR).order_by("pk"))
    found = {
        m.organisation_id: m.organisation
        for m in user.memberships_cached()
        if m.role in COORDINATING_ROLES and m.organisation.kind == OrganisationKind.COORDINATOR
    }
    return [found[pk] for pk in sorted(found)]


def access_draft(user: Any, advisory_pk: int, *, need: str = "details") -> Advisory:
    advisory = Advisory.objects.filter(pk=advisory_pk).select_related("case").first()
    if advisory is None:
        raise Http404
    if advisory.case_id is None:
        if not can_coordinate_alert(user, advisory.coordinator_org_id):
            raise Http404
        return advisory
    access_case(user, advisory.case_id, need=need)
    return advisory


def public_advisory(slug: str) -> Advisory:
    advisory = (
        Advisory.objects.published().select_related("current_revision").filter(slug=slug).first()
    )
    if advisory is None:
        raise Http404
    return advisory


def access_review(user: Any, case_id: int) -> tuple[Participant, Advisory]:
    """A vendor's view of its case's advisory draft (preview and answer): the user's
    vendor participation as the portal allows it (``access_participation`` applies
    the pre-publication rule of ``vendors.rules``) and the case's advisory, unless
    withdrawn. Anyone else, and a case without an advisory, gets 404."""
    participation: Participant = access_participation(user, case_id)
    advisory = (
        Advisory.objects.filter(case_id=case_id)
        .exclude(state=AdvisoryState.WITHDRAWN)
        .select_related("case")
        .first()
    )
    if advisory is None:
        raise Http404
    return participation, advisory
