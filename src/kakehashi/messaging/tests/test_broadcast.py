"""Writing to all vendors at once: the request writes one row and one job; jobs post one
copy per vendor's private thread, with the usual notifications, once each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kakehashi.core.models import AuditEvent
from kakehashi.core.testing import run_pending_jobs
from kakehashi.messaging import actions, tasks
from kakehashi.messaging.access import case_viewer
from kakehashi.messaging.models import Broadcast, Message, Notification

from .scenario import two_vendor_case, vendor_key

pytestmark = pytest.mark.django_db


def _url(case) -> str:
    return reverse("messaging:post_to_all_vendors", kwargs={"case_id": case.pk})


def _drain() -> None:
    # The fan-out enqueues the per-vendor jobs; a second pass runs them.
    while run_pending_jobs():
        pass


def test_coordinator_writes_to_all_vendors_from_the_threads_page(
    world, client_for, django_capture_on_commit_callbacks
):
    case = two_vendor_case(world)
    client = client_for("coordinator")
    page = client.get(reverse("messaging:case_threads", kwargs={"case_id": case.pk}))
    assert _url(case) in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(case), {"body": "Please confirm the date, @psirt."})
    assert response.status_code == 302
    assert not Message.objects.exists()  # the request posts nothing itself
    event = AuditEvent.objects.get(action="messaging.broadcast")
    assert event.case_id == case.pk and "confirm" not in str(event.data) + event.summary
    _drain()
    threads = sorted(m.thread.key for m in Message.objects.select_related("thread"))
    assert threads == sorted([vendor_key(case, "vendor-a"), vendor_key(case, "vendor-b")])
    assert Message.objects.filter(thread__kind="vendor", broadcast__isnull=False).count() == 2
    # Every vendor member hears of its own copy; the mention works as in a post.
    kinds = dict(
        Notification.objects.filter(message__broadcast__isnull=False).values_list(
            "user__username", "kind"
        )
    )
    assert kinds["psirt"] == "mention" and kinds["other_vendor"] == "message"
    listing = client.get(reverse("messaging:case_threads", kwargs={"case_id": case.pk}))
    assert "2 of 2 vendors" in listing.content.decode()


def test_vendors_and_others_cannot_write_to_all_vendors(world, client_for):
    case = two_vendor_case(world)
    for persona in ("psirt", "finder", "clerk", "outsider", "translator"):
        response = client_for(persona).post(_url(case), {"body": "Hi all"})
        assert response.status_code == 404, persona
    assert not Broadcast.objects.exists()


def test_empty_message_is_refused_and_the_form_kept(world, client_for):
    case = two_vendor_case(world)
    response = client_for("coordinator").post(_url(case), {"body": "  "})
    assert response.status_code == 400
    assert not Broadcast.objects.exists()


def test_closed_case_refuses_and_a_late_job_skips(world, django_capture_on_commit_callbacks):
    from kakehashi.cases.models import Case
    from kakehashi.cases.workflow import Phase
    from kakehashi.core.workflow import GuardFailed

    case = two_vendor_case(world)
    viewer = case_viewer(world.user("coordinator"), case.pk)
    broadcast = actions.post_to_all_vendors(viewer, body="Before closing")
    Case.objects.filter(pk=case.pk).update(phase=Phase.CLOSED)
    participant_id = int(vendor_key(case, "vendor-a").split("-")[1])
    assert actions.deliver_broadcast(broadcast.pk, participant_id) == "case closed"
    with pytest.raises(GuardFailed, match="closed"):
        actions.post_to_all_vendors(viewer, body="After closing")
    assert not Message.objects.exists()


def test_vendor_removed_before_its_job_runs_gets_nothing(world):
    from kakehashi.cases import actions as case_actions
    from kakehashi.cases.models import Participant

    case = two_vendor_case(world)
    viewer = case_viewer(world.user("coordinator"), case.pk)
    broadcast = actions.post_to_all_vendors(viewer, body="Status please")
    vendor_b = Participant.objects.get(case=case, organisation__slug="vendor-b", role="vendor")
    case_actions.remove_participant(
        case, vendor_b, actor=world.user("coordinator"), note="Not affected"
    )
    assert actions.deliver_broadcast(broadcast.pk, vendor_b.pk) == "vendor left"
    assert actions.deliver_broadcast(broadcast.pk, 999999) == "vendor left"
    assert actions.deliver_broadcast(999999, vendor_b.pk) == "message gone"


def test_fan_out_splits_long_lists(world, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    def queued() -> list[tuple[str, list]]:
        rows = DBTaskResult.objects.order_by("enqueued_at", "id")
        found = [(r.task_path.rsplit(".", 1)[1], r.args_kwargs["args"]) for r in rows]
        DBTaskResult.objects.all().delete()
        return found

    monkeypatch.setattr(tasks, "FAN_OUT_BATCH", 2)
    assert tasks.fan_out_broadcast.func(7, [1, 2, 3, 4, 5]) == 0
    assert queued() == [
        ("fan_out_broadcast", [7, [1, 2]]),
        ("fan_out_broadcast", [7, [3, 4]]),
        ("fan_out_broadcast", [7, [5]]),
    ]
    assert tasks.fan_out_broadcast.func(7, [1, 2]) == 2
    assert queued() == [("deliver_broadcast", [7, 1]), ("deliver_broadcast", [7, 2])]
