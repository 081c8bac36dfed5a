"""Access specs for the generated tests (core/tests/test_access_generated.py).

The reception desk is for the reception organisation's staff: the ``clerk`` persona.
The ``admin`` persona administers the *coordination* organisation, not the reception,
so it is denied the desk like every other persona. The coordinators of the case a report
became (``coordinator``, and ``admin`` as the coordination's administrator) read the
report behind their case; attachments also go to the report's finder.
"""

from kakehashi.core.testing import AccessSpec

from .factories import forwarded_attachment, forwarded_report, make_report

RECEPTION_STAFF = frozenset({"clerk"})
CASE_COORDINATORS = frozenset({"coordinator", "admin"})


def _report(world):
    return {"report_id": make_report(world).pk}


def _forwarded(world):
    return {"report_id": forwarded_report(world).pk}


def _attachment(world):
    return {"attachment_id": forwarded_attachment(world).pk}


SPECS: list[AccessSpec] = [
    AccessSpec("intake:desk_queue", RECEPTION_STAFF, max_queries=10),
    AccessSpec("intake:desk_report", RECEPTION_STAFF, kwargs=_report, max_queries=20),
    AccessSpec("intake:desk_for_case", CASE_COORDINATORS, kwargs=_forwarded, max_queries=12),
    AccessSpec(
        "intake:attachment",
        RECEPTION_STAFF | CASE_COORDINATORS | {"finder"},
        kwargs=_attachment,
        max_queries=10,
        notes="the finder of the report (its account); the follow-up link is tested in "
        "test_desk_views.py",
    ),
]


def _covered() -> dict[str, str]:
    from kakehashi.intake.views.desk_actions import ACTIONS

    return {f"intake:desk_{name}": "intake/tests/test_desk_views.py" for name in ACTIONS}


# POST-only action endpoints: each is allowed and denied in test_desk_views.py.
COVERED_ELSEWHERE: dict[str, str] = _covered()
