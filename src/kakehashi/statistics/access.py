"""Who may read the desk's statistics. The public figures need no access check: they
are aggregates of completed quarters (see ``figures``)."""

from __future__ import annotations

from typing import Any

from kakehashi.core.access import require_desk_staff


def require_statistics_desk(user: Any) -> None:
    """The operator's reception and coordination staff; everyone else gets 404, as
    for every desk page."""
    require_desk_staff(user)
