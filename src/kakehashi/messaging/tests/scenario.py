"""A case with two vendors and a finder, for the messaging tests."""

from __future__ import annotations

from typing import Any

from kakehashi.core.testing import World


def two_vendor_case(world: World) -> Any:
    """The desk case (vendor A) plus vendor B as a second vendor of the same case.

    Vendor B's PSIRT is the ``other_vendor`` persona. Neither vendor is registered
    individually (個別登録), so both may receive pre-publication information."""
    from kakehashi.cases import actions as case_actions
    from kakehashi.cases.models import Case
    from kakehashi.core.tests.test_access_generated import _desk_case

    coordinator = world.user("coordinator")
    case = Case.objects.get(pk=_desk_case(world)["case_id"])
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-b"]]
    )
    return case


def vendor_key(case: Any, slug: str) -> str:
    from kakehashi.cases.models import Participant

    participant = Participant.objects.vendors().get(case=case, organisation__slug=slug)
    return f"vendor-{participant.pk}"


def post(world: World, persona: str, case: Any, key: str, body: str, **kwargs: Any) -> Any:
    from kakehashi.messaging import actions
    from kakehashi.messaging.access import access_thread

    user = world.user(persona)
    _viewer, ref = access_thread(user, case.pk, key)
    return actions.post_message(ref, actor=user, body=body, **kwargs)
