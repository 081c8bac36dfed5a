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


def bulk_vendors(case: Any, count: int, *, messages_each: int, author: Any, prefix: str) -> None:
    """``count`` more vendors in the case, each with one PSIRT account and a private
    thread of ``messages_each`` messages, inserted in bulk (for scale tests and the
    benchmark: the rows are what ``actions`` would write, without the per-row cost)."""
    from kakehashi.accounts.choices import OrganisationKind, Role
    from kakehashi.accounts.models import Membership, Organisation, User
    from kakehashi.cases.models import Participant
    from kakehashi.messaging.models import Message, MessageVersion, ReadMarker, Thread

    organisations = Organisation.objects.bulk_create(
        Organisation(
            kind=OrganisationKind.VENDOR,
            slug=f"{prefix}-{n}",
            name_en=f"Vendor {prefix} {n:04d}",
            name_ja=f"製品開発者 {prefix} {n:04d}",
            mfa_required=False,
        )
        for n in range(count)
    )
    users = User.objects.bulk_create(
        User(username=f"{prefix}-psirt-{n}", email=f"psirt@{prefix}-{n}.test", password="!")
        for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=o, role=Role.VENDOR_PSIRT)
        for u, o in zip(users, organisations, strict=True)
    )
    participants = Participant.objects.bulk_create(
        Participant(case=case, role="vendor", organisation=o, added_by=author)
        for o in organisations
    )
    threads = Thread.objects.bulk_create(
        Thread(case=case, kind="vendor", participant=p, created_by=author) for p in participants
    )
    messages = Message.objects.bulk_create(
        (
            Message(thread=t, author=author if n % 2 == 0 else u, body=f"Message {n} to **{t.pk}**")
            for t, u in zip(threads, users, strict=True)
            for n in range(messages_each)
        ),
        batch_size=2_000,
    )
    MessageVersion.objects.bulk_create(
        (MessageVersion(message=m, number=1, body=m.body, written_by=m.author) for m in messages),
        batch_size=2_000,
    )
    last: dict[int, Message] = {}
    for message in messages:
        last[message.thread_id] = message
    for thread in threads:
        if thread.pk in last:
            thread.last_message_id = last[thread.pk].pk
            thread.last_message_at = last[thread.pk].created_at
            thread.message_count = messages_each
    Thread.objects.bulk_update(
        threads, ["last_message_id", "last_message_at", "message_count"], batch_size=1_000
    )
    # Half the vendors have read their thread halfway.
    ReadMarker.objects.bulk_create(
        ReadMarker(thread=t, user=u, last_read_id=last[t.pk].pk - messages_each // 2)
        for t, u in list(zip(threads, users, strict=True))[::2]
        if t.pk in last
    )
