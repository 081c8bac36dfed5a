"""Generated access tests: every view × every persona, and a guard that no view lacks one.

Each app adds its views to ``ACCESS_SPECS`` below (or its own list imported here).
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kakehashi.advisories.tests import access_specs as advisories_specs
from kakehashi.cna.tests import access_specs as cna_specs
from kakehashi.committee.tests import access_specs as committee_specs
from kakehashi.core.testing import AccessSpec, access_test_cases, expected_status
from kakehashi.disclosures.tests import access_specs as disclosures_specs
from kakehashi.intake.tests import access_desk as intake_desk_specs
from kakehashi.intake.tests import access_public as intake_public_specs
from kakehashi.messaging.tests import access_specs as messaging_specs
from kakehashi.portal.tests import access_specs as portal_specs
from kakehashi.statistics.tests import access_specs as statistics_specs
from kakehashi.translation.tests import access_specs as translation_specs
from kakehashi.unreachable.tests import access_specs as unreachable_specs
from kakehashi.vendors.tests import access_specs as vendors_specs

OPERATOR_ADMINS = frozenset({"admin"})
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
DESK = frozenset({"admin", "clerk", "coordinator", "cna", "translator", "committee"})


def _own_organisation(world):
    return {"organisation_id": world.organisations["vendor-a"].pk}


def _desk_case(world):
    """A case forwarded by the reception to the coordination, with vendor A in it."""
    from kakehashi.cases import actions

    coordinator = world.user("coordinator")
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        reception_org=world.organisations["reception"],
        origin="report",
        title_en="Stored XSS in Example CMS",
        title_ja="Example CMS における格納型クロスサイトスクリプティング",
        finder_user=world.user("finder"),
    )
    actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-a"]]
    )
    return {"case_id": case.pk}


ACCESS_SPECS = [
    AccessSpec("core:home", frozenset(), public=True, max_queries=12),
    AccessSpec("core:dashboard", EVERY_ACCOUNT, max_queries=12),
    AccessSpec("core:jobs", OPERATOR_ADMINS, max_queries=12),
    AccessSpec("accounts:preferences", EVERY_ACCOUNT, max_queries=10),
    AccessSpec("accounts:tokens", EVERY_ACCOUNT, max_queries=10),
    # A vendor's organisation page: its own members and the desk; nobody else.
    AccessSpec(
        "accounts:organisation",
        DESK | {"psirt", "vendoradmin"},
        kwargs=_own_organisation,
        max_queries=14,
    ),
    # The coordinator desk: staff of the case's coordination and reception desks only;
    # the vendor and the finder of the case are participants, not desk staff (404).
    AccessSpec("cases:list", DESK, max_queries=12),
    # Committee members see the committee's files, never the case (committee.access).
    # 51: the case and the panels of other apps (notices, portal answers, disclosures,
    # the unreachable listing and committee, the advisory, messaging, translations), a
    # fixed number each.
    AccessSpec("cases:detail", DESK - {"committee"}, kwargs=_desk_case, max_queries=51),
    # 23: one query per registered timeline source (messaging's included).
    AccessSpec("cases:timeline", DESK - {"clerk", "committee"}, kwargs=_desk_case, max_queries=23),
]

# Views reached only by POST or by a secret link are covered by their own tests:
# they are listed here so the guard below knows they are not forgotten.
COVERED_ELSEWHERE = {
    "accounts:remove_member": "accounts/tests/test_members.py",
    "accounts:accept_invitation": "accounts/tests/test_members.py",
    "accounts:revoke_token": "accounts/tests/test_tokens_views.py",
    "healthz": "core/tests/test_pages.py",
    "security_txt": "core/tests/test_security_txt.py",
    **{
        f"cases:{name}": "cases/tests/test_views.py"
        for name in (
            "create",
            "update_details",
            "advance_phase",
            "close",
            "reopen",
            "change_schedule",
            "record_decision",
            "add_vulnerability",
            "update_vulnerability",
            "add_product",
            "record_event",
            "add_participants",
            "remove_participant",
            "change_rm",
            "record_contact",
            "record_status",
            "approve_status",
            "propose_embargo",
            "accept_embargo",
            "reject_embargo",
            "terminate_embargo",
            "invite_to_embargo",
            "record_embargo_answer",
        )
    },
}

# Apps that keep their specs beside their own tests.
for _module in (
    intake_public_specs,
    intake_desk_specs,
    vendors_specs,
    cna_specs,
    portal_specs,
    disclosures_specs,
    unreachable_specs,
    committee_specs,
    advisories_specs,
    messaging_specs,
    statistics_specs,
    translation_specs,
):
    ACCESS_SPECS += _module.SPECS
    COVERED_ELSEWHERE.update(_module.COVERED_ELSEWHERE)

# Third-party URL namespaces with their own tests and access rules.
THIRD_PARTY_PREFIXES = ("account_", "mfa_", "usersessions_", "admin:", "api:", "socialaccount")


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_view_has_an_access_spec():
    ours = {
        name
        for name in _url_names(get_resolver())
        if not name.startswith(THIRD_PARTY_PREFIXES) and "ninja" not in name
    }
    specified = {spec.url_name for spec in ACCESS_SPECS} | set(COVERED_ELSEWHERE)
    missing = sorted(ours - specified)
    assert not missing, f"views without access tests: {missing}"


@pytest.mark.parametrize(
    ("spec", "persona"),
    access_test_cases(ACCESS_SPECS),
    ids=lambda value: value.url_name if isinstance(value, AccessSpec) else value,
)
def test_view_access(spec, persona, world, client_for, django_assert_max_num_queries):
    url = reverse(spec.url_name, kwargs=spec.kwargs(world) if spec.kwargs else None)
    client = client_for(persona)
    expected = expected_status(spec, persona)
    if spec.max_queries is not None and expected == spec.ok_status:
        with django_assert_max_num_queries(spec.max_queries):
            response = client.get(url)
    else:
        response = client.get(url)
    if expected == "login":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, response.content[:500]
