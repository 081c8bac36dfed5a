"""Access specs for the generated tests (core/tests/test_access_generated.py).

The report form is public. Its later pages redirect to the start (302) while the
visitor has no draft, which is what a persona without one sees. The status page answers
404 to anyone without the report's session entry or account, anonymous visitors
included, so it is tested persona by persona in ``test_public_views.py``.
"""

from kakehashi.core.testing import AccessSpec

EVERY_ACCOUNT = frozenset(
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
NO_DRAFT = "no draft in the session: back to the start of the form"

SPECS: list[AccessSpec] = [
    AccessSpec("intake:report_start", frozenset(), public=True, max_queries=12),
    AccessSpec("intake:report_consent", frozenset(), public=True, ok_status=302, notes=NO_DRAFT),
    AccessSpec(
        "intake:report_step",
        frozenset(),
        kwargs=lambda world: {"step": "you"},
        public=True,
        ok_status=302,
        notes=NO_DRAFT,
    ),
    AccessSpec("intake:report_confirm", frozenset(), public=True, ok_status=302, notes=NO_DRAFT),
    AccessSpec(
        "intake:report_done",
        frozenset(),
        public=True,
        ok_status=302,
        notes="nothing was sent from this session",
    ),
    AccessSpec("intake:policy", frozenset(), public=True, max_queries=12),
    AccessSpec("intake:policy_edit", frozenset({"admin"}), max_queries=12),
    AccessSpec("intake:my_reports", EVERY_ACCOUNT, max_queries=12),
]

_TESTS = "intake/tests/test_public_views.py"
COVERED_ELSEWHERE: dict[str, str] = {
    "intake:report_cancel": _TESTS,  # POST only
    "intake:cvss_preview": _TESTS,  # POST only (htmx)
    "intake:report_reply": _TESTS,  # POST only
    "intake:follow_up": _TESTS,  # a secret link
    "intake:report_status": _TESTS,  # 404 without the session entry, even anonymous
    "intake:pgp_key": _TESTS,  # 404 page or the key, depending on configuration
}
