"""Access specs for the generated tests (core/tests/test_access_generated.py).

The public list and its feed are open to everyone, anonymous visitors included; the
desk's listing actions are POST only and tested per persona in test_views.py.
"""

from kakehashi.core.testing import AccessSpec, World


def _one_listing(world: World) -> dict[str, int]:
    """The list with an entry in it, so the query budget counts a real row."""
    from .scenario import listed, silent_case

    case, vendor = silent_case(world)
    listed(world, case, vendor)
    return {}


SPECS: list[AccessSpec] = [
    AccessSpec(
        "unreachable:public_list", frozenset(), public=True, kwargs=_one_listing, max_queries=12
    ),
    AccessSpec("unreachable:feed", frozenset(), public=True, kwargs=_one_listing, max_queries=10),
]

COVERED_ELSEWHERE: dict[str, str] = {
    f"unreachable:{name}": "unreachable/tests/test_views.py"
    for name in ("list_vendor", "add_product", "remove")
}
