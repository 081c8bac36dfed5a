"""Access specs for the generated tests (core/tests/test_access_generated.py).

The task list and the glossary: the translators, coordinators and administrators of
a coordinator organisation. A task (assigned to the translator): the case's
coordination side that works on translations — the coordinator, the administrator
and the translator; not the CNA officer (who sees the case but no task), the
reception, the committee, vendors or the finder. A case's translation page: the same.
"""

from kakehashi.core.testing import AccessSpec, World

TRANSLATION_STAFF = frozenset({"admin", "coordinator", "translator"})


def _task(world: World) -> dict[str, int]:
    from kakehashi.cases import actions as case_actions
    from kakehashi.cases.models import Case
    from kakehashi.core.tests.test_access_generated import _desk_case
    from kakehashi.translation import actions

    case = Case.objects.get(pk=_desk_case(world)["case_id"])
    coordinator = world.user("coordinator")
    vulnerability = case_actions.add_vulnerability(
        case,
        actor=coordinator,
        title_ja="脆弱性",
        description_ja="脆弱性があります。回避策はありません。",
    )
    task = actions.request_translation(
        coordinator,
        case,
        kind="vulnerability",
        source_id=vulnerability.pk,
        target_language="en",
        assignee=world.user("translator"),
    )
    return {"task_id": task.pk}


def _case(world: World) -> dict[str, int]:
    from kakehashi.core.tests.test_access_generated import _desk_case

    return _desk_case(world)


def _term(world: World) -> dict[str, int]:
    from kakehashi.translation.models import GlossaryTerm

    return {"term_id": GlossaryTerm.objects.order_by("pk").first().pk}  # type: ignore[union-attr]


SPECS: list[AccessSpec] = [
    AccessSpec("translation:tasks", TRANSLATION_STAFF, max_queries=12),
    AccessSpec("translation:task", TRANSLATION_STAFF, kwargs=_task, max_queries=20),
    AccessSpec("translation:machine_status", TRANSLATION_STAFF, kwargs=_task, max_queries=12),
    AccessSpec("translation:case", TRANSLATION_STAFF, kwargs=_case, max_queries=20),
    AccessSpec("translation:glossary", TRANSLATION_STAFF, max_queries=12),
    AccessSpec("translation:glossary_term", TRANSLATION_STAFF, kwargs=_term, max_queries=12),
]

COVERED_ELSEWHERE: dict[str, str] = {
    f"translation:{name}": "translation/tests/test_views.py"
    for name in (
        "start",
        "save",
        "review",
        "return",
        "cancel",
        "assign",
        "due",
        "machine",
        "request",
        "glossary_add",
        "glossary_delete",
    )
}
