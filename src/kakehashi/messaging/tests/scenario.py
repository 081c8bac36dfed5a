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


COORDINATION = {"admin", "coordinator", "cna", "translator"}
VENDOR_A = {"psirt", "vendoradmin"}
VENDORS = VENDOR_A | {"other_vendor"}
NOBODY_IN_THE_CASE = ("clerk", "committee", "outsider")
# Who reads (and so may write in) each thread of ``threads_of_every_kind``.
READERS = {
    "general": COORDINATION | VENDORS,
    "vendor-a": COORDINATION | VENDOR_A,
    "vendor-b": COORDINATION | {"other_vendor"},
    "topic-vendors": COORDINATION | VENDORS,
    "topic-vendors-finder": COORDINATION | VENDORS | {"finder"},
    "topic-coordination": COORDINATION,
    "topic-coordination-finder": COORDINATION | {"finder"},
}
PERSONAS = sorted(COORDINATION | VENDORS | {"finder", *NOBODY_IN_THE_CASE})


def threads_of_every_kind(world: World) -> tuple[Any, dict[str, str]]:
    """The two-vendor case with a thread of every kind and audience, one message each;
    the names of ``READERS`` mapped to the thread keys."""
    from kakehashi.messaging import actions
    from kakehashi.messaging.access import case_viewer

    case = two_vendor_case(world)
    viewer = case_viewer(world.user("coordinator"), case.pk)
    topics = {
        "topic-vendors": actions.open_topic(viewer, title="Fix", audience="vendors"),
        "topic-vendors-finder": actions.open_topic(
            viewer, title="Repro", audience="vendors", finder_included=True
        ),
        "topic-coordination": actions.open_topic(viewer, title="Desk", audience="coordination"),
        "topic-coordination-finder": actions.open_topic(
            viewer, title="Ask finder", audience="coordination", finder_included=True
        ),
    }
    keys = {
        "general": "general",
        "vendor-a": vendor_key(case, "vendor-a"),
        "vendor-b": vendor_key(case, "vendor-b"),
        **{name: topic.key for name, topic in topics.items()},
    }
    for key in keys.values():
        post(world, "coordinator", case, key, f"Opening {key}")
    return case, keys
