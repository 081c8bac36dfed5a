"""Access specs for the generated tests (core/tests/test_access_generated.py).

The public vendor list is open to everyone, anonymous visitors included. The registry
list is the desk's; an entry's page is for the registry's maintainers (coordinators and
the coordination's administrators) and the vendor's own administrators.
"""

from kakehashi.core.testing import AccessSpec, World

DESK = frozenset({"admin", "clerk", "coordinator", "cna", "translator", "committee"})


def _registered_vendor_a(world: World) -> dict[str, int]:
    from kakehashi.vendors import actions

    organisation = world.organisations["vendor-a"]
    actions.register_vendor(world.user("coordinator"), organisation)
    return {"organisation_id": organisation.pk}


def _registry_with_entries(world: World) -> dict[str, int]:
    """The list with an entry in it, so the query budget counts a real row."""
    _registered_vendor_a(world)
    return {}


def _group(world: World) -> dict[str, int]:
    from kakehashi.vendors import actions

    profile = actions.register_vendor(world.user("coordinator"), world.organisations["vendor-a"])
    group = actions.save_group(
        world.user("coordinator"), name_ja="CMS 各社", name_en="CMS vendors", members=[profile]
    )
    return {"group_id": group.pk}


def _case(world: World) -> dict[str, int]:
    """A case of the coordination with vendor A in it (the desk's case of the core specs)."""
    from kakehashi.core.tests.test_access_generated import _desk_case

    return _desk_case(world)


def _search_on_case(world: World) -> dict[str, int]:
    _registered_vendor_a(world)
    return _case(world)


SPECS: list[AccessSpec] = [
    AccessSpec("vendors:public_list", frozenset(), public=True, max_queries=12),
    AccessSpec("vendors:registry", DESK, kwargs=_registry_with_entries, max_queries=14),
    AccessSpec(
        "vendors:profile",
        frozenset({"admin", "coordinator", "vendoradmin"}),
        kwargs=_registered_vendor_a,
        max_queries=18,  # with its portal members and open invitations
    ),
    AccessSpec("vendors:groups", DESK, kwargs=_registry_with_entries, max_queries=12),
    AccessSpec("vendors:group", DESK, kwargs=_group, max_queries=14),
    # Finding vendors for a case: the case's coordinators only, like its other actions.
    AccessSpec(
        "vendors:case_find",
        frozenset({"admin", "coordinator"}),
        kwargs=_search_on_case,
        max_queries=16,
    ),
]

# POST-only action endpoints: allowed and denied per persona in test_views.py.
COVERED_ELSEWHERE: dict[str, str] = {
    f"vendors:{name}": "vendors/tests/test_views.py"
    for name in (
        "register",
        "update_profile",
        "add_contact",
        "remove_contact",
        "add_key",
        "invite_member",
        "withdraw_key",
        "add_product",
        "remove_product",
    )
} | {
    f"vendors:{name}": "vendors/tests/test_case_views.py"
    for name in ("case_add", "case_notify", "case_bounce", "create_group", "update_group")
}
