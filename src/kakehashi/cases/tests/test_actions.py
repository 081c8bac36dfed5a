"""The domain actions through their public functions: effects, refusals, audit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kakehashi.cases import actions
from kakehashi.cases.choices import ContactOutcome, EmbargoEndReason, ParticipantRole
from kakehashi.cases.models import Case, CaseEvent, Participant, ScheduleChange, StateChange
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import (
    ConcurrentChange,
    GuardFailed,
    InvalidInput,
    NotPermitted,
    WorkflowError,
)

pytestmark = pytest.mark.django_db


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_case_from_a_report_is_handed_off_with_finder_accepted_and_coordinator_received(case):
    assert case.reference.startswith(f"KH-{case.created_at.year}-")
    assert case.phase == "forwarded"
    roles = {p.role: p for p in case.participants.all()}
    assert roles[ParticipantRole.FINDER].rm_state == "A"
    assert roles[ParticipantRole.COORDINATOR].rm_state == "R"
    assert roles[ParticipantRole.RECEPTION].rm_state == "A"
    assert AuditEvent.objects.filter(action="case.handed_off", case_id=case.pk).exists()


def test_vendors_start_unaware_in_start_state(vendor_a):
    assert (vendor_a.rm_state, vendor_a.vfd, vendor_a.pec_state) == ("S", "vfd", "no_embargo")


def test_first_contact_attempt_sets_day_zero_and_the_default_target(case, vendor_a, coordinator):
    attempt_at = timezone.now() - timedelta(hours=1)
    actions.record_contact_attempt(
        case,
        vendor_a,
        actor=coordinator,
        channel="email",
        address="psirt@vendor-a.test",
        attempted_at=attempt_at,
    )
    case = fresh(case)
    assert case.day_zero_at == attempt_at
    assert case.phase == "contacting"
    target = case.target_publication_at.astimezone(timezone.get_fixed_timezone(540))
    assert (target.date() - case.day_zero).days == 45
    assert ScheduleChange.objects.get(case=case).reason == "initial"


def test_details_sent_then_acknowledged_makes_the_vendor_aware(case, vendor_a, coordinator):
    actions.record_contact_attempt(
        case,
        vendor_a,
        actor=coordinator,
        channel="email",
        address="psirt@vendor-a.test",
        details_included=True,
        outcome=ContactOutcome.ACKNOWLEDGED,
    )
    case = fresh(case)
    vendor_a.refresh_from_db()
    assert case.phase == "verifying"
    assert case.details_sent_at is not None
    assert vendor_a.rm_state == "R"
    assert vendor_a.vfd == "Vfd"
    assert CaseEvent.objects.filter(participant=vendor_a, event="V").exists()


def test_contact_attempt_in_the_future_is_refused_and_changes_nothing(case, vendor_a, coordinator):
    with pytest.raises(InvalidInput):
        actions.record_contact_attempt(
            case,
            vendor_a,
            actor=coordinator,
            channel="email",
            address="x@example.test",
            attempted_at=timezone.now() + timedelta(days=1),
        )
    assert fresh(case).day_zero is None


def test_malformed_cvss_and_unknown_cwe_are_refused(case, coordinator):
    with pytest.raises(InvalidInput, match=r"CVSS v3\.1"):
        actions.add_vulnerability(
            case, actor=coordinator, title_en="x", cvss_v3_vector="CVSS:3.1/AV:Q"
        )
    with pytest.raises(InvalidInput, match="CWE"):
        actions.add_vulnerability(case, actor=coordinator, title_en="x", cwe_id="CWE-999999")
    assert not case.vulnerabilities.exists()


def test_vulnerability_is_scored_and_sets_the_case_priority(case, vulnerability):
    assert vulnerability.cvss_v3_score == Decimal("6.1")
    assert vulnerability.cwe_id == "CWE-79"
    assert fresh(case).priority == "high"  # 4.0–6.9 with wide scope


def test_stale_revision_conflicts_and_changes_nothing(case, coordinator):
    stale = case.revision
    actions.update_case(case, actor=coordinator, title_en="Renamed")
    with pytest.raises(ConcurrentChange):
        actions.update_case(fresh(case), actor=coordinator, title_en="Again", revision=stale)
    assert fresh(case).title_en == "Renamed"


def test_not_affected_needs_a_justification_and_disputed_a_reason(
    case, vendor_a, vulnerability, world
):
    psirt = world.user("psirt")
    with pytest.raises(InvalidInput, match="justification"):
        actions.record_vendor_status(
            case, vendor_a, vulnerability, actor=psirt, status="not_affected"
        )
    with pytest.raises(InvalidInput, match="reason"):
        actions.record_vendor_status(case, vendor_a, vulnerability, actor=psirt, status="disputed")
    status = actions.record_vendor_status(
        case,
        vendor_a,
        vulnerability,
        actor=psirt,
        status="not_affected",
        justification="component_not_present",
        statement_en="We do not ship the comment form.",
    )
    assert status.version == 1 and status.history.count() == 1


def test_vendor_cannot_record_another_vendors_status(case, vendor_b, vulnerability, world):
    with pytest.raises(GuardFailed):
        actions.record_vendor_status(
            case, vendor_b, vulnerability, actor=world.user("psirt"), status="affected"
        )


def test_a_new_status_version_needs_approval_again(
    case, vendor_a, vulnerability, world, coordinator
):
    psirt = world.user("psirt")
    status = actions.record_vendor_status(
        case, vendor_a, vulnerability, actor=psirt, status="affected"
    )
    actions.approve_vendor_status(case, status, actor=coordinator)
    status.refresh_from_db()
    assert status.is_approved
    status = actions.record_vendor_status(
        case,
        vendor_a,
        vulnerability,
        actor=psirt,
        status="fixed",
        fixed_in="2.4.1",
        expected_version=1,
    )
    assert status.version == 2 and not status.is_approved
    assert [h.status for h in status.history.all()] == ["affected", "fixed"]
    vendor_a.refresh_from_db()
    assert vendor_a.vfd == "VFd"  # "fixed" means the fix is ready


def _embargo(case, coordinator, days=30):
    proposal = actions.propose_embargo(
        case, actor=coordinator, ends_at=timezone.now() + timedelta(days=days)
    )
    return proposal, actions.accept_embargo(fresh(case), proposal, actor=coordinator)


def test_embargo_proposed_and_accepted_sets_the_target_and_the_phase(case, vendor_a, coordinator):
    actions.record_contact_attempt(
        case, vendor_a, actor=coordinator, channel="email", address="a@example.test"
    )
    proposal, embargo = _embargo(fresh(case), coordinator)
    case = fresh(case)
    assert case.em_state == "A"
    assert case.phase == "schedule_agreed"
    assert case.target_publication_at == proposal.ends_at == embargo.ends_at


def test_public_awareness_ends_the_embargo_at_once_and_makes_vendors_aware(
    case, vendor_a, vendor_b, coordinator
):
    _embargo(case, coordinator)
    case = fresh(case)
    actions.record_case_event(case, "P", actor=coordinator, source="Blog post")
    case = fresh(case)
    assert case.em_state == "X"
    assert case.pxa == "Pxa"
    assert case.embargoes.get().end_reason == EmbargoEndReason.PUBLIC
    assert set(case.participants.vendors().values_list("vfd", flat=True)) == {"Vfd"}
    with pytest.raises(WorkflowError):  # EM is eXited: no new embargo in this case
        actions.propose_embargo(case, actor=coordinator, ends_at=timezone.now() + timedelta(days=3))


def test_exploit_public_brings_public_awareness_with_it(case, coordinator):
    actions.record_case_event(case, "X", actor=coordinator)
    assert fresh(case).pxa == "PXa"
    assert list(case.events.filter(participant=None).values_list("event", flat=True)) == ["X", "P"]


def test_attacks_ask_the_coordinator_to_end_the_embargo(case, coordinator):
    _embargo(case, coordinator)
    actions.record_case_event(fresh(case), "A", actor=coordinator)
    case = fresh(case)
    assert case.em_state == "A" and case.embargo_attention
    actions.terminate_embargo(case, actor=coordinator, reason="attacks")
    case = fresh(case)
    assert case.em_state == "X" and not case.embargo_attention


def test_no_embargo_may_be_proposed_after_attacks(case, coordinator):
    actions.record_case_event(case, "A", actor=coordinator)
    with pytest.raises(GuardFailed, match="embargo"):
        actions.propose_embargo(
            fresh(case), actor=coordinator, ends_at=timezone.now() + timedelta(days=3)
        )
    assert fresh(case).em_state == "N"


def test_embargo_in_the_past_is_refused(case, coordinator):
    with pytest.raises(InvalidInput):
        actions.propose_embargo(
            case, actor=coordinator, ends_at=timezone.now() - timedelta(minutes=1)
        )


def test_revision_lapses_signatories_and_rejection_restores_them(
    case, vendor_a, coordinator, world
):
    _embargo(case, coordinator)
    case = fresh(case)
    actions.invite_to_embargo(case, [vendor_a], actor=coordinator)
    actions.answer_embargo(fresh(case), vendor_a, actor=world.user("psirt"), answer="accept")
    vendor_a.refresh_from_db()
    assert vendor_a.pec_state == "signatory"
    revision = actions.propose_embargo(
        fresh(case), actor=coordinator, ends_at=timezone.now() + timedelta(days=60)
    )
    vendor_a.refresh_from_db()
    assert fresh(case).em_state == "R" and vendor_a.pec_state == "lapsed"
    actions.reject_embargo(fresh(case), revision, actor=coordinator)
    vendor_a.refresh_from_db()
    assert fresh(case).em_state == "A" and vendor_a.pec_state == "signatory"


def test_an_unanswered_invitation_becomes_a_decline(case, vendor_a, coordinator):
    _embargo(case, coordinator)
    actions.invite_to_embargo(
        fresh(case), [vendor_a], actor=coordinator, deadline=timezone.now() + timedelta(hours=1)
    )
    assert actions.time_out_invitations(now=timezone.now() + timedelta(hours=2)) == 1
    vendor_a.refresh_from_db()
    assert vendor_a.pec_state == "declined"


def test_embargo_ends_when_its_instant_comes(case, coordinator):
    _embargo(case, coordinator, days=1)
    assert actions.expire_embargoes(now=timezone.now() + timedelta(days=2)) == 1
    case = fresh(case)
    assert case.em_state == "X" and case.embargoes.get().end_reason == "expired"


def test_case_cannot_close_during_an_embargo_without_override_and_note(case, coordinator):
    _embargo(case, coordinator)
    case = fresh(case)
    with pytest.raises(GuardFailed, match="embargo"):
        actions.close_case(case, actor=coordinator, reason="low_impact")
    with pytest.raises(GuardFailed):
        actions.close_case(fresh(case), actor=coordinator, reason="low_impact", override=True)
    actions.close_case(
        fresh(case),
        actor=coordinator,
        reason="low_impact",
        override=True,
        note="Vendor confirmed low impact; embargo kept until its end.",
    )
    case = fresh(case)
    assert case.phase == "closed" and case.em_state == "A"


def test_closed_case_refuses_changes_and_reopens(case, coordinator, vendor_a):
    actions.close_case(case, actor=coordinator, reason="not_vulnerability")
    with pytest.raises(GuardFailed, match="closed"):
        actions.record_contact_attempt(
            fresh(case), vendor_a, actor=coordinator, channel="email", address="a@example.test"
        )
    actions.reopen_case(fresh(case), actor=coordinator)
    assert fresh(case).phase == "identifying_vendors"


def test_rm_cannot_close_from_valid(case, vendor_a, coordinator):
    actions.change_rm(case, vendor_a, "receive", actor=coordinator)
    actions.change_rm(case, vendor_a, "validate", actor=coordinator)
    with pytest.raises(WorkflowError, match="Valid"):
        actions.change_rm(case, vendor_a, "close", actor=coordinator)
    vendor_a.refresh_from_db()
    assert vendor_a.rm_state == "V"


def test_outsider_cannot_fire_coordinator_transitions(case, world):
    with pytest.raises(NotPermitted):
        actions.advance_phase(case, "identify", actor=world.user("psirt"))
    with pytest.raises(NotPermitted):
        actions.advance_phase(fresh(case), "identify", actor=world.user("clerk"))


def test_triage_decline_defers_and_coordinate_accepts_the_coordinators_report(case, coordinator):
    inputs = {
        "report_public": "N",
        "supplier_contacted": "Y",
        "report_credibility": "C",
        "supplier_cardinality": "O",
        "supplier_engagement": "A",
        "utility": "L",
        "public_safety_impact": "M",
    }
    decision = actions.record_decision(case, actor=coordinator, kind="triage", inputs=inputs)
    assert decision.outcome == "D" and decision.table == "COORD_TRIAGE 1.0.0"
    own = case.participants.get(role="coordinator")
    assert own.rm_state == "D"
    inputs["supplier_engagement"] = "U"
    actions.record_decision(fresh(case), actor=coordinator, kind="triage", inputs=inputs)
    own.refresh_from_db()
    assert own.rm_state == "A"


def test_schedule_change_needs_a_reason_and_notifies_every_participant(case, coordinator):
    with pytest.raises(InvalidInput):
        actions.change_schedule(
            case, actor=coordinator, reason="", new_target=timezone.now() + timedelta(days=50)
        )
    change, warnings = actions.change_schedule(
        fresh(case),
        actor=coordinator,
        reason="countermeasure_time",
        new_target=timezone.now() + timedelta(days=50),
    )
    assert len(change.notified) == len(fresh(case).participants.current())
    assert warnings == []


def test_a_planned_talk_before_the_target_warns(case, coordinator):
    talk = timezone.localdate() + timedelta(days=10)
    actions.update_case(case, actor=coordinator, planned_talk_date=talk, planned_talk_title="Talk")
    _, warnings = actions.change_schedule(
        fresh(case),
        actor=coordinator,
        reason="leak_risk",
        new_target=timezone.now() + timedelta(days=20),
    )
    assert any(talk.isoformat() in w for w in warnings)


def test_a_talk_without_details_no_longer_warns(case, coordinator):
    """SCENARIOS.md 6, the other way out: the finder agrees to present without details."""
    talk = timezone.localdate() + timedelta(days=10)
    actions.update_case(case, actor=coordinator, planned_talk_date=talk, planned_talk_title="Talk")
    actions.update_case(fresh(case), actor=coordinator, talk_without_details=True)
    recorded = AuditEvent.objects.filter(action="case.updated", case_id=case.pk).latest("pk")
    assert recorded.data["fields"] == ["talk_without_details"]
    _, warnings = actions.change_schedule(
        fresh(case),
        actor=coordinator,
        reason="leak_risk",
        new_target=timezone.now() + timedelta(days=20),
    )
    case = fresh(case)
    assert case.talk_before_target and not case.talk_constrains_target
    assert warnings == []


def test_a_changed_talk_needs_the_agreement_again(case, coordinator):
    talk = timezone.localdate() + timedelta(days=10)
    actions.update_case(case, actor=coordinator, planned_talk_date=talk)
    actions.update_case(fresh(case), actor=coordinator, talk_without_details=True)
    actions.update_case(fresh(case), actor=coordinator, title_en="Renamed")
    assert fresh(case).talk_without_details, "other fields leave the agreement alone"
    actions.update_case(fresh(case), actor=coordinator, planned_talk_date=talk + timedelta(days=3))
    assert not fresh(case).talk_without_details, "the agreement was for the talk as it was"
    actions.update_case(
        fresh(case),
        actor=coordinator,
        planned_talk_title="Another talk",
        talk_without_details=True,
    )
    assert fresh(case).talk_without_details, "confirmed in the same change"


def test_history_rows_are_written_for_every_transition(case, coordinator):
    before = StateChange.objects.filter(case=case).count()
    actions.advance_phase(case, "identify", actor=coordinator)
    assert StateChange.objects.filter(case=case).count() == before + 1
    assert Participant.objects.filter(case=case).count() == 5


def test_only_coordinators_of_the_case_change_it(case, world, vendor_a):
    for persona in ("psirt", "clerk", "outsider", "finder", "other_vendor"):
        with pytest.raises(GuardFailed, match="coordinator"):
            actions.add_participants(
                fresh(case),
                actor=world.user(persona),
                role="vendor",
                organisations=[world.organisations["vendor-b"]],
            )
        with pytest.raises(GuardFailed):
            actions.record_case_event(fresh(case), "P", actor=world.user(persona))
    assert fresh(case).pxa == "pxa"


def test_a_vendor_records_its_own_fix_but_not_another_vendors(case, world, vendor_a, vendor_b):
    psirt = world.user("psirt")
    actions.record_case_event(case, "V", participant=vendor_a, actor=psirt)
    actions.record_case_event(fresh(case), "F", participant=vendor_a, actor=psirt)
    vendor_a.refresh_from_db()
    assert vendor_a.vfd == "VFd"
    with pytest.raises(GuardFailed):
        actions.record_case_event(fresh(case), "V", participant=vendor_b, actor=psirt)


def test_fix_deployed_before_fix_ready_is_refused_naming_the_state(case, vendor_a, coordinator):
    with pytest.raises(GuardFailed, match="vfdpxa"):
        actions.record_case_event(case, "D", participant=vendor_a, actor=coordinator)


def test_outsiders_cannot_open_cases_for_a_coordinator(world):
    with pytest.raises(NotPermitted):
        actions.create_case(
            actor=world.user("psirt"),
            coordinator_org=world.organisations["coordination"],
            title_en="x",
        )


def test_finder_may_lift_non_disclosure_only_a_year_after_day_zero(
    case, vendor_a, coordinator, world
):
    actions.record_contact_attempt(
        case, vendor_a, actor=coordinator, channel="email", address="a@example.test"
    )
    case = fresh(case)
    with pytest.raises(GuardFailed, match="lifted from"):
        actions.lift_nondisclosure(case, actor=world.user("finder"))
    Case.objects.filter(pk=case.pk).update(day_zero=case.day_zero - timedelta(days=366))
    actions.lift_nondisclosure(fresh(case), actor=world.user("finder"))
    assert fresh(case).nondisclosure_lifted_at is not None
