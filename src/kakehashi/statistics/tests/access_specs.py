"""Access specs for the generated tests (core/tests/test_access_generated.py).

The public page and CSV are open to everyone; the desk's page and CSV to the operator's
reception and coordination staff (every desk role), 404 for everyone else."""

from kakehashi.core.testing import AccessSpec, World

DESK = frozenset({"admin", "clerk", "coordinator", "cna", "translator", "committee"})


def _history(world: World) -> dict[str, str]:
    """A real history, so the query budget counts real rows."""
    from .dataset import build_history

    build_history(world)
    return {}


def _quarter(world: World) -> dict[str, str]:
    _history(world)
    return {"until": "2026-Q1"}


SPECS: list[AccessSpec] = [
    AccessSpec("statistics:public", frozenset(), public=True, kwargs=_history, max_queries=16),
    AccessSpec(
        "statistics:public_until", frozenset(), public=True, kwargs=_quarter, max_queries=16
    ),
    AccessSpec("statistics:public_csv", frozenset(), public=True, kwargs=_history, max_queries=14),
    AccessSpec("statistics:desk", DESK, kwargs=_history, max_queries=20),
    AccessSpec("statistics:desk_until", DESK, kwargs=_quarter, max_queries=20),
    AccessSpec("statistics:desk_csv", DESK, kwargs=_history, max_queries=14),
]

COVERED_ELSEWHERE: dict[str, str] = {}
