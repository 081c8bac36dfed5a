"""The vendor's actions in ``cases.actions.vendor``: what each changes, what it
refuses (and that a refusal changes nothing), and how it shows in the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kakehashi.cases import actions
from kakehashi.cases.models import (
    ContactAttempt,
    Participant,
    ScheduleRequest,
    StateChange,
    VendorReferral,
    VendorResponse,
)
from kakehashi.cases.timeline import build_timeline
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import ConcurrentChange, GuardFailed, InvalidInput

pytestmark = pytest.mark.django_db


def _texts(case) -> list[str]:
    return [entry.text for entry in build_timeline(case)]


def test_acknowledging_records_an_answered_attempt_with_rm_received_and_aware(
    world, case, vendor_a
):
    attempt = actions.acknowledge_notice(case, vendor_a, actor=world.user("psirt"))
    vendor_a.refresh_from_db()
    assert attempt.outcome == "acknowledged" and attempt.channel == "web"
    assert vendor_a.acknowledged_at == attempt.attempted_at
    assert vendor_a.rm_state == "R"
    assert vendor_a.vfd == "Vfd"
    assert AuditEvent.objects.filter(action="vendor.acknowledged").count() == 1
    assert any("Contact attempt by Web form or portal" in t for t in _texts(case))


def test_acknowledging_twice_is_refused_and_changes_nothing(world, case, vendor_a):
    actions.acknowledge_notice(case, vendor_a, actor=world.user("psirt"))
    with pytest.raises(GuardFailed, match="already acknowledged"):
        actions.acknowledge_notice(case, vendor_a, actor=world.user("vendoradmin"))
    assert ContactAttempt.objects.filter(participant=vendor_a).count() == 1


@pytest.mark.parametrize("persona", ["other_vendor", "outsider", "finder", "committee"])
def test_only_the_vendor_itself_acknowledges(world, case, vendor_a, persona):
    with pytest.raises(GuardFailed):
        actions.acknowledge_notice(case, vendor_a, actor=world.user(persona))
    vendor_a.refresh_from_db()
    assert vendor_a.acknowledged_at is None


def test_verification_is_recorded_versioned_and_in_the_timeline(world, case, vendor_a):
    response = actions.report_verification(
        case, vendor_a, actor=world.user("psirt"), result="confirmed", expected_version=0
    )
    assert (response.verification, response.version) == ("confirmed", 1)
    assert "Verification result: Confirmed" in _texts(case)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"result": "maybe"}, "Choose a verification result"),
        ({"result": "not_reproducible"}, "Explain the result"),
        ({"result": "confirmed", "note": "x" * 5001}, "too long"),
    ],
)
def test_bad_verification_is_refused(world, case, vendor_a, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        actions.report_verification(case, vendor_a, actor=world.user("psirt"), **kwargs)
    assert not VendorResponse.objects.exists()


def test_a_stale_version_is_refused_and_changes_nothing(world, case, vendor_a):
    actions.report_verification(case, vendor_a, actor=world.user("psirt"), result="confirmed")
    with pytest.raises(ConcurrentChange):
        actions.report_verification(
            case,
            vendor_a,
            actor=world.user("vendoradmin"),
            result="not_vulnerability",
            note="Works as designed",
            expected_version=0,
        )
    assert VendorResponse.objects.get().verification == "confirmed"


def test_countermeasure_needs_what_its_status_promises(world, case, vendor_a):
    psirt = world.user("psirt")
    with pytest.raises(InvalidInput, match="fixed versions"):
        actions.record_countermeasure(
            case, vendor_a, actor=psirt, response_status="fix_released", fix_en="Update"
        )
    with pytest.raises(InvalidInput, match="Describe the fix"):
        actions.record_countermeasure(
            case, vendor_a, actor=psirt, response_status="fix_released", fixed_versions="2.0"
        )
    with pytest.raises(InvalidInput, match="workaround"):
        actions.record_countermeasure(
            case, vendor_a, actor=psirt, response_status="workaround_only"
        )
    with pytest.raises(InvalidInput, match="response status"):
        actions.record_countermeasure(case, vendor_a, actor=psirt, response_status="soon")
    assert not VendorResponse.objects.exists()
    response = actions.record_countermeasure(
        case,
        vendor_a,
        actor=psirt,
        response_status="fix_released",
        fix_ja="2.0 に更新してください",
        fix_en="Update to 2.0",
        fixed_versions="2.0",
    )
    assert response.fix("ja") == "2.0 に更新してください"
    assert "Countermeasure: Countermeasure released" in _texts(case)


def test_the_coordinator_may_record_an_answer_given_by_phone(world, case, vendor_a):
    response = actions.set_tracking_id(
        case, vendor_a, actor=world.user("coordinator"), tracking_id="PSIRT-2026-042"
    )
    assert response.tracking_id == "PSIRT-2026-042"


def test_a_tracking_id_is_one_line(world, case, vendor_a):
    with pytest.raises(InvalidInput, match="one line"):
        actions.set_tracking_id(case, vendor_a, actor=world.user("psirt"), tracking_id="a\nb")
    with pytest.raises(InvalidInput, match="control characters"):
        actions.set_tracking_id(case, vendor_a, actor=world.user("psirt"), tracking_id="a\x00b")


def test_only_the_vendor_decides_to_share_its_statuses(world, case, vendor_a):
    with pytest.raises(GuardFailed):
        actions.set_status_sharing(case, vendor_a, actor=world.user("coordinator"), share=True)
    response = actions.set_status_sharing(case, vendor_a, actor=world.user("psirt"), share=True)
    assert response.shares_statuses
    assert "Statuses shared with the other vendors" in _texts(case)


def test_another_vendors_participation_is_refused(world, case, vendor_b):
    with pytest.raises(GuardFailed):
        actions.report_verification(case, vendor_b, actor=world.user("psirt"), result="confirmed")


def test_a_participation_of_another_case_is_refused(world, case, vendor_a, coordinator):
    other = actions.create_case(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="Other"
    )
    with pytest.raises(InvalidInput, match="not in the case"):
        actions.set_tracking_id(other, vendor_a, actor=world.user("psirt"), tracking_id="X")


def _later(days: int = 60):
    return timezone.now() + timedelta(days=days)


def test_a_date_request_granted_moves_the_target_through_change_schedule(
    world, case, vendor_a, coordinator
):
    target = _later()
    request = actions.request_schedule_change(
        case, vendor_a, actor=world.user("psirt"), requested_target=target, reason="Release train"
    )
    case.refresh_from_db()
    decided, _warnings = actions.decide_schedule_request(
        case, request, actor=coordinator, grant=True, revision=case.revision
    )
    case.refresh_from_db()
    assert decided.status == "granted"
    assert case.target_publication_at == target
    change = case.schedule_changes.latest("changed_at")
    assert (change.reason, change.note) == ("vendor_request", "Release train")
    texts = _texts(case)
    assert "Vendor asked for another publication date" in texts
    assert "Publication date request granted" in texts


def test_a_refusal_needs_a_note_and_keeps_the_target(world, case, vendor_a, coordinator):
    request = actions.request_schedule_change(
        case, vendor_a, actor=world.user("psirt"), requested_target=_later(), reason="More time"
    )
    with pytest.raises(InvalidInput, match="why"):
        actions.decide_schedule_request(case, request, actor=coordinator, grant=False)
    actions.decide_schedule_request(
        case, request, actor=coordinator, grant=False, note="The finder speaks at a conference."
    )
    case.refresh_from_db()
    assert case.target_publication_at is None
    with pytest.raises(GuardFailed, match="already answered"):
        actions.decide_schedule_request(case, request, actor=coordinator, grant=False, note="x")


def test_only_the_coordinator_decides_a_request(world, case, vendor_a):
    request = actions.request_schedule_change(
        case, vendor_a, actor=world.user("psirt"), requested_target=_later(), reason="More time"
    )
    with pytest.raises(GuardFailed):
        actions.decide_schedule_request(case, request, actor=world.user("psirt"), grant=True)
    assert ScheduleRequest.objects.get().status == "open"


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [(-1, "Late", "in the future"), (30, "  ", "Give the reason")],
)
def test_bad_date_requests_are_refused(world, case, vendor_a, *, days, reason, message):
    with pytest.raises(InvalidInput, match=message):
        actions.request_schedule_change(
            case, vendor_a, actor=world.user("psirt"), requested_target=_later(days), reason=reason
        )
    assert not ScheduleRequest.objects.exists()


def test_one_open_request_per_vendor(world, case, vendor_a):
    psirt = world.user("psirt")
    actions.request_schedule_change(
        case, vendor_a, actor=psirt, requested_target=_later(), reason="More time"
    )
    with pytest.raises(GuardFailed, match="still open"):
        actions.request_schedule_change(
            case, vendor_a, actor=psirt, requested_target=_later(90), reason="Even more"
        )
    assert ScheduleRequest.objects.count() == 1


def test_a_referral_names_the_other_vendor(world, case, vendor_a):
    with pytest.raises(InvalidInput, match="Name the other vendor"):
        actions.refer_to_other_vendor(case, vendor_a, actor=world.user("psirt"), vendor_name=" ")
    actions.refer_to_other_vendor(
        case,
        vendor_a,
        actor=world.user("psirt"),
        vendor_name="LibFoo Project",
        product="libfoo 1.2",
    )
    assert VendorReferral.objects.get().vendor_name == "LibFoo Project"
    assert "Vendor says the flaw lies in another vendor's product" in _texts(case)
    row = StateChange.objects.get(machine="vendor", event="referral")
    assert row.note == "LibFoo Project libfoo 1.2"


def test_a_removed_vendor_can_no_longer_answer(world, case, vendor_a, coordinator):
    actions.remove_participant(case, vendor_a, actor=coordinator)
    vendor_a = Participant.objects.get(pk=vendor_a.pk)
    with pytest.raises(InvalidInput):
        actions.acknowledge_notice(case, vendor_a, actor=world.user("psirt"))
