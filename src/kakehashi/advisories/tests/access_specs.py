"""Access specs for the generated tests (core/tests/test_access_generated.py).

The public list, pages and feed are everyone's — but a page exists only once published.
The editor and the preview belong to the coordination side of the case.
"""

from datetime import timedelta

from django.utils import timezone

from kakehashi.core.testing import AccessSpec, World

# The coordination side of the case (committee members see the committee, not cases).
COORDINATION = frozenset({"admin", "coordinator", "cna", "translator"})
VENDOR_A = frozenset({"psirt", "vendoradmin"})


def _advisory(world: World, *, published: bool) -> int:
    from kakehashi.advisories import actions
    from kakehashi.cases import actions as case_actions

    coordinator = world.user("coordinator")
    case = case_actions.create_case(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="XSS"
    )
    advisory = actions.start_advisory(case, actor=coordinator)
    if published:
        for text in advisory.texts.all():
            actions.approve_text(advisory, text.language, actor=coordinator, version=text.version)
        actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=1))
    return int(advisory.pk)


def _published(world: World) -> dict[str, str]:
    from kakehashi.advisories.models import Advisory

    return {"slug": Advisory.objects.get(pk=_advisory(world, published=True)).slug}


def _draft(world: World) -> dict[str, int]:
    return {"advisory_id": _advisory(world, published=False)}


def _draft_preview(world: World) -> dict[str, object]:
    return {**_draft(world), "language": "ja"}


def _vendor_draft(world: World) -> dict[str, int]:
    """A case with vendor A and its advisory draft: vendor A's members may read it."""
    from kakehashi.advisories import actions
    from kakehashi.cases import actions as case_actions

    coordinator = world.user("coordinator")
    case = case_actions.create_case(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="XSS"
    )
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-a"]]
    )
    actions.start_advisory(case, actor=coordinator)
    return {"case_id": case.pk}


def _vendor_draft_preview(world: World) -> dict[str, object]:
    return {**_vendor_draft(world), "language": "en"}


def _list_with_one(world: World) -> dict[str, str]:
    _published(world)
    return {}


SPECS: list[AccessSpec] = [
    AccessSpec("advisories:list", frozenset(), kwargs=_list_with_one, public=True, max_queries=12),
    AccessSpec("advisories:page", frozenset(), kwargs=_published, public=True, max_queries=12),
    AccessSpec("feeds:advisories", frozenset(), kwargs=_list_with_one, public=True, max_queries=12),
    AccessSpec("exports:osv_all", frozenset(), kwargs=_list_with_one, public=True, max_queries=12),
    *(
        AccessSpec(
            f"exports:{name}", frozenset(), kwargs=_list_with_one, public=True, max_queries=12
        )
        for name in (
            "csaf_provider_metadata",
            "csaf_feed",
            "csaf_directory",
            "csaf_index",
            "csaf_changes",
        )
    ),
    AccessSpec("exports:jvnrss", frozenset(), kwargs=_list_with_one, public=True, max_queries=12),
    AccessSpec(
        "exports:jvnrss_en", frozenset(), kwargs=_list_with_one, public=True, max_queries=12
    ),
    AccessSpec("exports:vuldef", frozenset(), kwargs=_published, public=True, max_queries=12),
    AccessSpec("exports:vuldef_en", frozenset(), kwargs=_published, public=True, max_queries=12),
    AccessSpec("advisories:editor", COORDINATION, kwargs=_draft, max_queries=30),
    # Alerts without a case: their organisation's coordinators and administrators only.
    AccessSpec("advisories:alerts", frozenset({"admin", "coordinator"}), max_queries=12),
    AccessSpec("advisories:preview", COORDINATION, kwargs=_draft_preview, max_queries=30),
    # The vendor's preview and answer: vendor A's members only (the portal's rule).
    AccessSpec("advisories:vendor_review", VENDOR_A, kwargs=_vendor_draft, max_queries=20),
    AccessSpec("advisories:vendor_preview", VENDOR_A, kwargs=_vendor_draft_preview, max_queries=30),
]

COVERED_ELSEWHERE: dict[str, str] = {
    f"advisories:{name}": "advisories/tests/test_views.py"
    for name in ("start", "save", "approve", "waive", "withdraw", "critical")
} | {"exports:osv": "advisories/tests/test_osv.py"}
COVERED_ELSEWHERE |= {
    f"advisories:{name}": "advisories/tests/test_alerts.py"
    for name in ("alert_facts", "alert_product_add", "alert_product_remove", "alert_timing")
}
# CSAF: a document needs a vulnerability and a product, and the files exist per document.
COVERED_ELSEWHERE |= {
    f"exports:{name}": "advisories/tests/test_csaf.py" for name in ("csaf", "csaf_en", "csaf_ja")
} | {
    f"exports:{name}": "advisories/tests/test_csaf_tree.py"
    for name in ("csaf_file", "csaf_year", "csaf_key")
}
