"""Who may read and keep the vendor registry (STYLE point 6).

- the registry's maintainers: coordinators and administrators of a coordinator
  organisation (the JPCERT/CC role) — every entry, every field;
- a vendor's own administrators (``vendor_admin``) — their own entry, except the fields
  the coordinator decides (registration type, overseas flag, partner CERT);
- other desk staff read every entry; a vendor's PSIRT members read their own.
"Not found" and "not allowed" look the same to the caller.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kakehashi.accounts.choices import OrganisationKind, Role

from .models import VendorGroup, VendorProfile

MAINTAINER_ROLES = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})
# Decided by the coordinator at registration (一般登録 / 個別登録 follow an agreement).
MAINTAINER_ONLY_FIELDS = frozenset({"registration_type", "overseas", "coordinating_partner"})
NEEDS = ("view", "edit")


def maintains_registry(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(
        m.organisation.kind == OrganisationKind.COORDINATOR and m.role in MAINTAINER_ROLES
        for m in user.memberships_cached()
    )


def administers_vendor(user: Any, organisation_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return any(
        m.organisation_id == organisation_id and m.role == Role.VENDOR_ADMIN
        for m in user.memberships_cached()
    )


def may_edit(user: Any, profile: VendorProfile) -> bool:
    return maintains_registry(user) or administers_vendor(user, profile.organisation_id)


def access_profile(user: Any, profile_id: int, *, need: str = "view") -> VendorProfile:
    """The profile, if ``user`` has ``need`` on it; otherwise ``Http404``."""
    if need not in NEEDS:
        raise ValueError(need)
    profile = (
        VendorProfile.objects.visible_to(user)
        .select_related("organisation")
        .filter(pk=profile_id)
        .first()
    )
    if profile is None:
        raise Http404
    if need == "view":
        return profile
    if need == "edit" and may_edit(user, profile):
        return profile
    raise Http404


def access_profile_of(user: Any, organisation_id: int, *, need: str = "view") -> VendorProfile:
    """The registry entry of ``organisation_id`` (URLs and the API name the organisation,
    which the rest of the platform knows) if ``user`` has ``need`` on it; else 404."""
    profile_id = (
        VendorProfile.objects.filter(organisation_id=organisation_id)
        .values_list("pk", flat=True)
        .first()
    )
    if profile_id is None:
        raise Http404
    return access_profile(user, profile_id, need=need)


def access_group(user: Any, group_id: int) -> VendorGroup:
    """A vendor group, for desk staff; anyone else gets ``Http404`` as for a missing one
    (a group names no secret, but which vendors the desk groups is the desk's business)."""
    from kakehashi.core.access import require_desk_staff

    require_desk_staff(user)
    group = VendorGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise Http404
    return group
