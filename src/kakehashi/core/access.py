"""Access to operator-only and desk-staff pages, shared by every app."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kakehashi.accounts.access import is_operator_admin


def require_operator_admin(user: Any) -> None:
    """Raise Http404 unless the user administers the operator (not-allowed looks like absent)."""
    if not is_operator_admin(user):
        raise Http404


def require_desk_staff(user: Any) -> None:
    """Desk pages (case list, vendor registry) are for the operator's staff; others
    get ``Http404``."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    if user.is_superuser:
        return
    if not user.is_desk_staff():
        raise Http404
