"""Who may see and manage organisations, memberships and tokens.

Views never fetch these rows themselves; they call the functions here. A row the
user may not see raises ``Http404``, exactly like a row that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from .choices import ORGANISATION_MANAGER_ROLES, STAFF_KINDS, Role
from .models import ApiToken, Membership, Organisation


def access_organisation(user: Any, organisation_id: int, *, need: str = "view") -> Organisation:
    """Return the organisation if ``user`` may ``need`` it ("view" or "manage")."""
    organisation = Organisation.objects.visible_to(user).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    if need == "view":
        return organisation
    if need == "manage" and can_manage_members(user, organisation):
        return organisation
    raise Http404


def can_manage_members(user: Any, organisation: Organisation) -> bool:
    if user.is_superuser:
        return True
    return any(
        m.organisation_id == organisation.pk and m.role in ORGANISATION_MANAGER_ROLES
        for m in user.memberships_cached()
    )


def access_membership(user: Any, membership_id: int) -> Membership:
    """A membership the user may remove: in an organisation the user manages."""
    membership = (
        Membership.objects.select_related("organisation", "user").filter(pk=membership_id).first()
    )
    if membership is None or not can_manage_members(user, membership.organisation):
        raise Http404
    return membership


def access_api_token(user: Any, token_id: int) -> ApiToken:
    """Users manage only their own tokens."""
    token = ApiToken.objects.filter(pk=token_id, user_id=user.pk).first()
    if token is None:
        raise Http404
    return token


def is_operator_admin(user: Any) -> bool:
    """Administrators of the operator (reception or coordinator organisations)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(
        m.role == Role.ADMINISTRATOR and m.organisation.kind in STAFF_KINDS
        for m in user.memberships_cached()
    )
