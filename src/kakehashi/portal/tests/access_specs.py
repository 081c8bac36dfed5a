"""Access specs for the generated tests (core/tests/test_access_generated.py).

The portal's case list is open to every signed-in user (it lists only the
organisation's own cases: empty for everyone else); a case page only to the members
of a participating vendor — anyone else gets 404, as for a missing case."""

from kakehashi.core.testing import AccessSpec, World

PERSONAS = frozenset(
    {
        "admin",
        "clerk",
        "coordinator",
        "cna",
        "translator",
        "committee",
        "psirt",
        "vendoradmin",
        "other_vendor",
        "finder",
        "outsider",
    }
)


def _vendor_a_case(world: World) -> dict[str, int]:
    """A case with vendor A, a vulnerability, a product, a status and a request in it,
    so that the query budget counts real rows."""
    from datetime import timedelta

    from django.utils import timezone

    from kakehashi.cases import actions

    coordinator = world.user("coordinator")
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_en="Stored XSS in Example CMS",
    )
    (vendor,) = actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-a"]]
    )
    vulnerability = actions.add_vulnerability(
        case, actor=coordinator, title_en="XSS", description_en="**Bold** text", cwe_id="CWE-79"
    )
    product = actions.add_product(case, vendor, actor=coordinator, name="Widget")
    actions.record_vendor_status(
        case, vendor, vulnerability, actor=coordinator, status="affected", product=product
    )
    actions.request_schedule_change(
        case,
        vendor,
        actor=world.user("psirt"),
        requested_target=timezone.now() + timedelta(days=60),
        reason="Release train",
    )
    return {"case_id": case.pk}


def _list_with_case(world: World) -> dict[str, int]:
    _vendor_a_case(world)
    return {}


SPECS: list[AccessSpec] = [
    AccessSpec("portal:cases", PERSONAS, kwargs=_list_with_case, max_queries=12),
    AccessSpec(
        "portal:case",
        frozenset({"psirt", "vendoradmin"}),
        kwargs=_vendor_a_case,
        max_queries=28,  # +1: the advisory draft panel; +1: the translations (translation_tags)
    ),
]

# POST-only action endpoints: allowed and denied per persona in test_views.py.
COVERED_ELSEWHERE: dict[str, str] = {
    f"portal:{name}": "portal/tests/test_views.py"
    for name in (
        "acknowledge",
        "verification",
        "countermeasure",
        "tracking",
        "sharing",
        "status",
        "schedule",
        "embargo",
        "referral",
        "decide_schedule_request",
    )
}
