"""The committee on a frozen clock: the 6-month rule, criteria, decisions, immutability."""

from __future__ import annotations

import pytest

from kakehashi.cases.choices import ClosureReason, ContactChannel
from kakehashi.cases.models import Case
from kakehashi.committee import actions
from kakehashi.committee.models import (
    Assessment,
    CommitteeFile,
    Decision,
    ImmutableRecord,
    Notice,
    Opinion,
)
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import GuardFailed, InvalidInput
from kakehashi.unreachable.models import UnreachableListing
from kakehashi.unreachable.tests.scenario import at, contact, day, listed, silent_case
from kakehashi.vendors import actions as vendor_actions

pytestmark = pytest.mark.django_db

STATEMENT = "No answer by e-mail, post, phone or fax for six months."


def _declare(world, listing, when):
    with at(when):
        return actions.declare_coordination_impossible(
            listing, actor=world.user("coordinator"), statement=STATEMENT
        )


@pytest.fixture
def listing(world):
    case, vendor = silent_case(world)
    return listed(world, case, vendor)


def _try_every_channel_without_entry(world, listing):
    contact(
        listing.case,
        listing.participant,
        day(20),
        ContactChannel.POST,
        actor=world.user("coordinator"),
        address="1-1 Chiyoda, Tokyo",
    )


def test_six_month_rule_refuses_before_six_months(world, listing):
    _try_every_channel_without_entry(world, listing)
    with pytest.raises(GuardFailed, match="silent for 183 days"):
        _declare(world, listing, day(182))
    assert not CommitteeFile.objects.exists()


def test_six_month_rule_refuses_until_email_and_post_are_tried(world, listing):
    with pytest.raises(GuardFailed, match="Not tried yet: Post"):
        _declare(world, listing, day(200))
    _try_every_channel_without_entry(world, listing)
    committee_file = _declare(world, listing, day(200))
    assert committee_file.ground == "unreachable"
    assert committee_file.listing == listing


def test_six_month_rule_needs_every_channel_of_the_registry_entry(world, listing):
    coordinator = world.user("coordinator")
    organisation = world.organisations["vendor-a"]
    profile = vendor_actions.register_vendor(coordinator, organisation)
    for kind, value in (("email", "psirt@vendor-a.example"), ("phone", "+81-3-0000-0000")):
        vendor_actions.add_contact_point(coordinator, profile, kind=kind, value=value)
    with pytest.raises(GuardFailed, match="Not tried yet: Telephone"):
        _declare(world, listing, day(200))
    contact(listing.case, listing.participant, day(25), "phone", actor=coordinator)
    assert _declare(world, listing, day(200)).pk


def test_the_listing_counts_as_notice_for_an_unreachable_developer(world, listing):
    _try_every_channel_without_entry(world, listing)
    committee_file = _declare(world, listing, day(200))
    notice = Notice.objects.get(file=committee_file)
    assert notice.method == "public_listing"
    assert notice.automatic
    assert notice.address == listing.did
    assert notice.sent_at == listing.listed_at
    assert notice.opinion_deadline == day(230)
    assert committee_file.contact_history[0]["channel"] == "email"
    assert len(committee_file.contact_history) == 2
    assert committee_file.vulnerabilities[0]["title_en"] == "Stored XSS in the comment form"
    assert AuditEvent.objects.filter(action="committee.opened").count() == 1


def test_a_second_open_file_is_refused(world, listing):
    _try_every_channel_without_entry(world, listing)
    _declare(world, listing, day(200))
    listing.case.refresh_from_db()
    with at(day(201)), pytest.raises(GuardFailed, match="already has an open committee file"):
        actions.open_impracticable_file(
            listing.case, listing.participant, actor=world.user("coordinator"), statement="x"
        )


def _unreachable_file(world, listing):
    _try_every_channel_without_entry(world, listing)
    committee_file = _declare(world, listing, day(200))
    with at(day(201)):
        actions.record_draft(
            committee_file,
            actor=world.user("coordinator"),
            text_ja="連絡不能案件として公表します。",
            text_en="Published as an unreachable case.",
        )
    return committee_file


def _assess(world, committee_file, when, **verdicts):
    with at(when):
        for criterion, met in verdicts.items():
            actions.assess_criterion(
                committee_file,
                actor=world.user("committee"),
                criterion=criterion,
                met=met,
                reasoning=f"Reasoning for {criterion}.",
            )


def test_publish_is_refused_unless_all_four_criteria_are_met(world, listing):
    committee_file = _unreachable_file(world, listing)
    committee = world.user("committee")
    with at(day(240)), pytest.raises(GuardFailed, match="all four criteria"):
        actions.decide(committee_file, actor=committee, outcome="publish", reasons="Clear.")
    _assess(world, committee_file, day(240), a=True, b=True, c=True, d=False)
    with at(day(241)), pytest.raises(GuardFailed, match="There is no reason against"):
        actions.decide(committee_file, actor=committee, outcome="publish", reasons="Clear.")
    # A correction is a new row; the newest assessment of a criterion counts.
    _assess(world, committee_file, day(242), d=True)
    assert Assessment.objects.filter(file=committee_file).count() == 5
    with at(day(243)):
        decision = actions.decide(
            committee_file, actor=committee, outcome="publish", reasons="All four hold."
        )
    committee_file.refresh_from_db()
    assert decision.outcome == "publish"
    assert committee_file.closed_at == day(243)
    assert AuditEvent.objects.filter(action="committee.decided").count() == 1


def test_no_decision_before_the_opinion_deadline(world, listing):
    committee_file = _unreachable_file(world, listing)
    _assess(world, committee_file, day(210), a=True, b=True, c=True, d=True)
    with at(day(229)), pytest.raises(GuardFailed, match="may still send an opinion"):
        actions.decide(
            committee_file, actor=world.user("committee"), outcome="publish", reasons="x"
        )
    assert not Decision.objects.exists()


def test_do_not_publish_closes_the_case_and_the_listing(world, listing):
    committee_file = _unreachable_file(world, listing)
    with at(day(240)):
        actions.decide(
            committee_file,
            actor=world.user("committee"),
            outcome="not_publish",
            reasons="Users can learn of it from the vendor's site.",
        )
    case = Case.objects.get(pk=committee_file.case_id)
    assert case.is_closed
    assert case.closure_reason == ClosureReason.COMMITTEE_NOT_PUBLISHED
    listing.refresh_from_db()
    assert listing.removal_reason == "case_closed"


def test_back_to_coordination_removes_the_listing_and_the_case_continues(world, listing):
    committee_file = _unreachable_file(world, listing)
    with at(day(205)):
        actions.decide(
            committee_file,
            actor=world.user("committee"),
            outcome="recoordinate",
            reasons="The developer wrote in.",
        )
    listing.refresh_from_db()
    assert listing.removal_reason == "back_to_coordination"
    assert not Case.objects.get(pk=committee_file.case_id).is_closed
    assert not UnreachableListing.objects.public().exists()


def test_a_decided_file_is_closed_to_new_records(world, listing):
    committee_file = _unreachable_file(world, listing)
    with at(day(205)):
        actions.decide(
            committee_file, actor=world.user("committee"), outcome="recoordinate", reasons="x"
        )
    with at(day(206)), pytest.raises(GuardFailed, match="closed"):
        actions.record_opinion(
            committee_file,
            actor=world.user("committee"),
            form="written",
            author="Vendor A",
            received_at=day(206),
            text="Late.",
        )
    with at(day(206)), pytest.raises(GuardFailed, match="closed"):
        actions.decide(
            committee_file, actor=world.user("committee"), outcome="publish", reasons="x"
        )


def test_records_are_immutable(world, listing):
    committee_file = _unreachable_file(world, listing)
    with at(day(202)):
        opinion = actions.record_opinion(
            committee_file,
            actor=world.user("committee"),
            form="oral",
            author="A former maintainer",
            received_at=day(202),
            text="The author moved abroad.",
        )
    opinion.text = "Changed"
    with pytest.raises(ImmutableRecord):
        opinion.save()
    with pytest.raises(ImmutableRecord):
        opinion.delete()
    with pytest.raises(ImmutableRecord):
        committee_file.save()
    assert Opinion.objects.get(pk=opinion.pk).text == "The author moved abroad."


def test_who_may_do_what(world, listing):
    committee_file = _unreachable_file(world, listing)
    with at(day(202)), pytest.raises(GuardFailed, match="publication committee"):
        actions.record_opinion(
            committee_file,
            actor=world.user("coordinator"),
            form="written",
            author="x",
            received_at=day(202),
            text="x",
        )
    with at(day(202)), pytest.raises(GuardFailed, match="coordinator"):
        actions.record_draft(committee_file, actor=world.user("committee"), text_ja="x", text_en="")
    for persona in ("psirt", "outsider", "translator"):
        with at(day(240)), pytest.raises(GuardFailed):
            actions.assess_criterion(
                committee_file, actor=world.user(persona), criterion="a", met=True, reasoning="x"
            )
    assert not Assessment.objects.exists()


def test_bad_input_is_refused(world, listing):
    committee_file = _unreachable_file(world, listing)
    committee = world.user("committee")
    cases = [
        lambda: actions.assess_criterion(
            committee_file, actor=committee, criterion="z", met=True, reasoning="x"
        ),
        lambda: actions.assess_criterion(
            committee_file, actor=committee, criterion="a", met=True, reasoning=" "
        ),
        lambda: actions.decide(committee_file, actor=committee, outcome="maybe", reasons="x"),
        lambda: actions.decide(committee_file, actor=committee, outcome="publish", reasons=""),
        lambda: actions.record_opinion(
            committee_file,
            actor=committee,
            form="written",
            author="",
            received_at=day(202),
            text="x",
        ),
        lambda: actions.record_draft(
            committee_file, actor=world.user("coordinator"), text_ja="", text_en=" "
        ),
    ]
    with at(day(202)):
        for attempt in cases:
            with pytest.raises(InvalidInput):
                attempt()
    assert not Assessment.objects.exists()
    assert not Decision.objects.exists()


def _impracticable_file(world):
    case, vendor = silent_case(world)
    case.refresh_from_db()
    coordinator = world.user("coordinator")
    with at(day(60)):
        committee_file = actions.open_impracticable_file(
            case, vendor, actor=coordinator, statement="The vendor refuses any publication."
        )
    return committee_file


def test_notice_needs_the_draft_and_a_later_deadline(world):
    committee_file = _impracticable_file(world)
    coordinator = world.user("coordinator")
    notice = {
        "method": "email",
        "address": "legal@vendor-a.example",
        "sent_at": day(61),
        "opinion_deadline": day(91),
    }
    with at(day(62)), pytest.raises(GuardFailed, match="draft publication text first"):
        actions.record_notice(committee_file, actor=coordinator, **notice)
    with at(day(62)):
        actions.record_draft(committee_file, actor=coordinator, text_ja="案", text_en="Draft")
    with at(day(62)), pytest.raises(InvalidInput, match="after the notice"):
        actions.record_notice(
            committee_file, actor=coordinator, **{**notice, "opinion_deadline": day(60)}
        )
    with at(day(62)), pytest.raises(InvalidInput, match="how the notice"):
        actions.record_notice(
            committee_file, actor=coordinator, **{**notice, "method": "public_listing"}
        )
    with at(day(62)):
        actions.record_notice(committee_file, actor=coordinator, **notice)
    assert Notice.objects.get(file=committee_file).method == "email"


def test_statement_and_meti_only_after_publish_and_not_for_unreachable(world, listing):
    committee_file = _impracticable_file(world)
    coordinator, committee = world.user("coordinator"), world.user("committee")
    with at(day(62)), pytest.raises(GuardFailed, match="after a decision to publish"):
        actions.record_meti_confirmation(committee_file, actor=committee, confirmed_at=day(62))
    with at(day(62)):
        actions.record_draft(committee_file, actor=coordinator, text_ja="案", text_en="Draft")
        actions.record_notice(
            committee_file,
            actor=coordinator,
            method="post",
            address="Osaka",
            sent_at=day(62),
            opinion_deadline=day(90),
        )
    _assess(world, committee_file, day(95), a=True, b=True, c=True, d=True)
    with at(day(96)):
        actions.decide(committee_file, actor=committee, outcome="publish", reasons="All hold.")
        statement = actions.record_vendor_statement(
            committee_file, actor=committee, text_ja="当社は同意しません。", text_en=""
        )
        actions.record_meti_confirmation(
            committee_file, actor=committee, confirmed_at=day(96), reference="METI-1"
        )
    assert statement.text_ja == "当社は同意しません。"
    with at(day(97)), pytest.raises(GuardFailed, match="already recorded"):
        actions.record_meti_confirmation(committee_file, actor=committee, confirmed_at=day(97))

    unreachable_file = _unreachable_file(world, listing)
    _assess(world, unreachable_file, day(231), a=True, b=True, c=True, d=True)
    with at(day(232)):
        actions.decide(unreachable_file, actor=committee, outcome="publish", reasons="All hold.")
    with at(day(233)), pytest.raises(GuardFailed, match="does not apply"):
        actions.record_vendor_statement(unreachable_file, actor=committee, text_ja="x", text_en="")
    with at(day(233)), pytest.raises(GuardFailed, match="does not apply"):
        actions.record_meti_confirmation(unreachable_file, actor=committee, confirmed_at=day(233))


def test_the_database_refuses_to_change_or_delete_records(world, listing):
    from django.db import DatabaseError, transaction

    committee_file = _unreachable_file(world, listing)
    with at(day(202)):
        actions.record_opinion(
            committee_file,
            actor=world.user("committee"),
            form="written",
            author="Vendor A",
            received_at=day(202),
            text="Original.",
        )
    attempts = [
        lambda: Opinion.objects.update(text="Rewritten."),
        lambda: Opinion.objects.all()._raw_delete(Opinion.objects.db),
        lambda: CommitteeFile.objects.update(statement="Rewritten."),
        lambda: Notice.objects.update(opinion_deadline=day(500)),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert Opinion.objects.get().text == "Original."
    # The file's closing stamp is set once, never changed.
    CommitteeFile.objects.filter(pk=committee_file.pk).update(closed_at=day(203))
    with pytest.raises(DatabaseError), transaction.atomic():
        CommitteeFile.objects.filter(pk=committee_file.pk).update(closed_at=day(204))


def test_the_advisory_drafted_after_a_decision_to_publish_says_the_developer_was_unreachable(
    world, listing
):
    from kakehashi.advisories.content import draft_texts

    committee_file = _unreachable_file(world, listing)
    case = listing.case
    assert "could not be reached" not in draft_texts(case)["en"]["overview"]
    _assess(world, committee_file, day(240), a=True, b=True, c=True, d=True)
    with at(day(241)):
        actions.decide(
            committee_file, actor=world.user("committee"), outcome="publish", reasons="All hold."
        )
    texts = draft_texts(case)["en"]
    assert "The developer of the product could not be reached" in texts["overview"]
    assert "Stop using the product" in texts["solution"]
    # An alert keeps its own urgent texts.
    assert "could not be reached" not in draft_texts(case, kind="alert")["en"]["overview"]
