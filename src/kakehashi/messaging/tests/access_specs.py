"""Access specs for the generated tests (core/tests/test_access_generated.py).

A case's threads: the coordination side (not the reception, not the committee), the
case's vendor (vendor A) and, for the list of its topics, the finder. Vendor B is not
in the case: 404 everywhere. A vendor's private thread: the coordination and that
vendor only.
"""

from kakehashi.core.testing import AccessSpec, World

COORDINATION = frozenset({"admin", "coordinator", "cna", "translator"})
VENDOR_A = frozenset({"psirt", "vendoradmin"})
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


def _case(world: World) -> dict[str, int]:
    from kakehashi.core.tests.test_access_generated import _desk_case

    return _desk_case(world)


def _posted(world: World, key: str) -> dict[str, object]:
    from kakehashi.cases.models import Participant
    from kakehashi.messaging import actions
    from kakehashi.messaging.access import access_thread

    case_id = _case(world)["case_id"]
    vendor = Participant.objects.vendors().get(case_id=case_id)
    key = key.format(vendor=vendor.pk)
    coordinator = world.user("coordinator")
    _viewer, ref = access_thread(coordinator, case_id, key)
    actions.post_message(ref, actor=coordinator, body="Hello @psirt, **please** confirm.")
    return {"case_id": case_id, "key": key}


def _general(world: World) -> dict[str, object]:
    return _posted(world, "general")


def _private(world: World) -> dict[str, object]:
    return _posted(world, "vendor-{vendor}")


def _with_notification(world: World) -> dict[str, object]:
    _private(world)
    return {}


def _unsubscribe_token(world: World) -> dict[str, object]:
    from kakehashi.messaging.mail import unsubscribe_token

    return {"token": unsubscribe_token(world.user("psirt"))}


def _triaged_mail(world: World) -> dict[str, object]:
    from kakehashi.messaging.inbound.actions import ingest

    raw = b"From: x@y.test\r\nTo: desk@example.test\r\nSubject: hi\r\n\r\nHello\r\n"
    return {"mail_id": ingest(raw, source="test").mail.pk}


TRIAGE = frozenset({"admin", "clerk", "coordinator"})

SPECS: list[AccessSpec] = [
    # The triage queue of inbound e-mail: the desk (reception clerks, coordinators,
    # administrators); not translators, CNA officers, the committee or participants.
    AccessSpec("messaging:triage_list", TRIAGE, max_queries=12),
    AccessSpec("messaging:triage_detail", TRIAGE, kwargs=_triaged_mail, max_queries=14),
    # A digest's unsubscribe link works without signing in: the signed token is the key.
    AccessSpec(
        "messaging:unsubscribe",
        frozenset(),
        kwargs=_unsubscribe_token,
        public=True,
        max_queries=10,
    ),
    AccessSpec("messaging:notifications", EVERY_ACCOUNT, kwargs=_with_notification, max_queries=12),
    AccessSpec("messaging:notification_count", EVERY_ACCOUNT, max_queries=11),
    AccessSpec(
        "messaging:case_threads",
        COORDINATION | VENDOR_A | {"finder"},
        kwargs=_case,
        max_queries=16,
    ),
    AccessSpec("messaging:thread", COORDINATION | VENDOR_A, kwargs=_general, max_queries=28),
    AccessSpec("messaging:thread", COORDINATION | VENDOR_A, kwargs=_private, max_queries=28),
]

COVERED_ELSEWHERE: dict[str, str] = (
    {
        f"messaging:{name}": "messaging/tests/test_threads.py"
        for name in ("open_topic", "post", "edit", "history", "attachment", "notifications_read")
    }
    | {
        "messaging:post_to_all_vendors": "messaging/tests/test_broadcast.py",
        "messaging:mail_preference": "messaging/tests/test_mail.py",
    }
    | {
        f"messaging:{name}": "messaging/tests/test_inbound.py"
        for name in ("triage_file", "triage_discard", "triage_attachment", "triage_raw")
    }
)
