"""Access specs for the generated tests (core/tests/test_access_generated.py).

The CNA screens are for CNA officers and administrators of the coordinator; the
record of an ID, for those of its case's coordinator. Everyone else gets 404.
"""

from django.utils import timezone

from kakehashi.core.testing import AccessSpec, World

CNA = frozenset({"admin", "cna"})
# The corpus search is a desk tool: reception and coordination staff.
DESK = frozenset({"admin", "clerk", "coordinator", "cna", "translator", "committee"})


def _assigned_record(world: World) -> dict[str, str]:
    from kakehashi.cases import actions as case_actions
    from kakehashi.cna import actions

    coordinator = world.user("coordinator")
    case = case_actions.create_case(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="XSS"
    )
    vulnerability = case_actions.add_vulnerability(
        case, actor=coordinator, title_en="XSS", cwe_id="CWE-79"
    )
    officer = world.user("cna")
    actions.add_ids_by_hand(officer, [f"CVE-{timezone.localdate().year}-4242"])
    record = actions.assign_id(officer, vulnerability)
    return {"cve_id": record.cve.cve_id}


def _pool_with_ids(world: World) -> dict[str, str]:
    _assigned_record(world)
    return {}


SPECS: list[AccessSpec] = [
    AccessSpec("cna:pool", CNA, kwargs=_pool_with_ids, max_queries=12),
    AccessSpec("cna:record", CNA, kwargs=_assigned_record, max_queries=20),
    AccessSpec("cna:corpus", DESK, max_queries=12),
]

# POST-only action endpoints: allowed and denied per persona in test_views.py.
COVERED_ELSEWHERE: dict[str, str] = {
    f"cna:{name}": "cna/tests/test_views.py"
    for name in ("reserve", "add_ids", "release", "assign", "save", "check", "publish", "reject")
}
