"""Access specs for the generated tests (core/tests/test_access_generated.py).

Committee files are for the committee's members and the coordinator organisation's
coordinators and administrators; vendors, finders, the reception, the CNA officer,
the translator and outsiders get 404, as for a file that does not exist.
"""

from kakehashi.core.testing import AccessSpec, World

FILE_READERS = frozenset({"admin", "coordinator", "committee"})


def _open_file(world: World) -> dict[str, int]:
    from kakehashi.committee import actions as committee_actions
    from kakehashi.unreachable.tests.scenario import silent_case

    case, vendor = silent_case(world)
    case.refresh_from_db()
    committee_file = committee_actions.open_impracticable_file(
        case, vendor, actor=world.user("coordinator"), statement="The vendor refuses publication."
    )
    committee_actions.record_draft(
        committee_file, actor=world.user("coordinator"), text_ja="草案", text_en="Draft"
    )
    return {"file_id": committee_file.pk}


def _list_with_a_file(world: World) -> dict[str, int]:
    _open_file(world)
    return {}


SPECS: list[AccessSpec] = [
    AccessSpec("committee:list", FILE_READERS, kwargs=_list_with_a_file, max_queries=12),
    AccessSpec("committee:detail", FILE_READERS, kwargs=_open_file, max_queries=24),
]

COVERED_ELSEWHERE: dict[str, str] = {
    f"committee:{name}": "committee/tests/test_views.py"
    for name in (
        "open",
        "declare",
        "draft",
        "notice",
        "opinion",
        "criterion",
        "decision",
        "statement",
        "meti",
        "attachment",
    )
}
