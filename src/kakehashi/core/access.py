"""Access to operator-only pages (jobs, audit log)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kakehashi.accounts.access import is_operator_admin


def require_operator_admin(user: Any) -> None:
    """Raise Http404 unless the user administers the operator (not-allowed looks like absent)."""
    if not is_operator_admin(user):
        raise Http404
