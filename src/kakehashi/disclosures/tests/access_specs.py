"""Access specs for the generated tests (core/tests/test_access_generated.py).

A case's disclosure log is for the case's coordination side only: not the reception
desk that forwarded it, not its vendor (which sees its own requests in the portal),
not the finder, and not the public.
"""

from kakehashi.core.testing import AccessSpec, World

# The coordination side of the case (committee members see the committee, not cases).
COORDINATION_SIDE = frozenset({"admin", "coordinator", "cna", "translator"})


def _case_with_disclosures(world: World) -> dict[str, int]:
    """A case forwarded by the reception, vendor A in it and one request of each kind,
    so that the query budget counts real rows."""
    from kakehashi.cases import actions as case_actions
    from kakehashi.disclosures import actions
    from kakehashi.disclosures.actions import RecipientInput

    coordinator = world.user("coordinator")
    case = case_actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        reception_org=world.organisations["reception"],
        origin="manual",
        title_en="SQL injection in Example SCADA",
    )
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-a"]]
    )
    vendor = case.participants.get(role="vendor")
    actions.request_user_notice(
        vendor,
        actor=world.user("psirt"),
        summary="Upgrade now.",
        audience="Hosted customers.",
        justification="Shorter exposure.",
        terms_ja="",
        terms_en="Keep it secret.",
    )
    actions.record_disclosure(
        case,
        actor=coordinator,
        kind="nda_partner",
        summary="The report.",
        justification="Analysis under NDA.",
        terms_ja="秘密保持契約に基づく。",
        terms_en="",
        recipients=[RecipientInput(organisation="Partner"), RecipientInput(name="Analyst")],
    )
    return {"case_id": case.pk}


SPECS: list[AccessSpec] = [
    AccessSpec(
        "disclosures:case", COORDINATION_SIDE, kwargs=_case_with_disclosures, max_queries=20
    ),
]

# POST-only endpoints: allowed and denied per persona in test_views.py.
COVERED_ELSEWHERE: dict[str, str] = {
    f"disclosures:{name}": "disclosures/tests/test_views.py"
    for name in ("record", "decide", "request")
}
