"""The unreachable timeline on a frozen clock: listing, product information, removal."""

from __future__ import annotations

from datetime import date

import pytest

from kakehashi.cases.choices import ContactChannel, ContactOutcome
from kakehashi.cases.models import Participant
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import GuardFailed, InvalidInput
from kakehashi.unreachable import actions
from kakehashi.unreachable.models import UnreachableListing
from kakehashi.unreachable.tasks import resume_answered_listings

from .scenario import at, contact, day, listed, silent_case

pytestmark = pytest.mark.django_db


def test_listing_is_refused_before_the_silent_period(world):
    case, vendor = silent_case(world)
    with pytest.raises(GuardFailed, match="unanswered for 30 days"):
        listed(world, case, vendor, when=day(29, hours=23))
    assert not UnreachableListing.objects.exists()


def test_listing_is_refused_for_a_vendor_never_contacted(world):
    case, _vendor = silent_case(world)
    other = Participant.objects.create(case=case, role="vendor", name="Unknown developer")
    with pytest.raises(GuardFailed, match="unanswered"):
        listed(world, case, other, when=day(300))


def test_listing_is_refused_when_the_vendor_answered(world):
    case, vendor = silent_case(world)
    contact(case, vendor, day(3), "email", actor=world.user("coordinator"), outcome="answered")
    with pytest.raises(GuardFailed, match="unanswered"):
        listed(world, case, vendor, when=day(31))


def test_silent_vendor_is_listed_with_a_did_number_never_reused(world, settings):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    assert listing.did == "DID#00000001"
    assert listing.listed_at == day(30)
    assert listing.silent_since == day(0)
    assert AuditEvent.objects.filter(action="unreachable.listed").count() == 1
    with at(day(31)):
        actions.remove_listing(listing, actor=world.user("coordinator"), reason="contact_resumed")
    again = listed(world, case, vendor, when=day(32))
    assert again.did == "DID#00000002"
    settings.KAKEHASHI_DID_PREFIX = "JVN-DID-"
    assert again.did == "JVN-DID-00000002"


def test_without_names_the_registry_names_are_listed(world):
    case, vendor = silent_case(world)
    case.refresh_from_db()
    with at(day(30)):
        listing = actions.list_unreachable(
            case, vendor, actor=world.user("coordinator"), kind="organisation"
        )
    assert (listing.developer_name_ja, listing.developer_name_en) == (
        "Vendor A（日本語）",
        "Vendor A",
    )


def test_listing_is_refused_twice_and_for_bad_input(world):
    case, vendor = silent_case(world)
    listed(world, case, vendor)
    with pytest.raises(GuardFailed, match="already listed"):
        listed(world, case, vendor, when=day(31))
    case.refresh_from_db()
    with at(day(31)), pytest.raises(InvalidInput, match="kind"):
        actions.list_unreachable(
            case, vendor, actor=world.user("coordinator"), kind="robot", remarks_en="x"
        )
    assert UnreachableListing.objects.count() == 1


def test_only_the_coordinator_may_list(world):
    case, vendor = silent_case(world)
    case.refresh_from_db()
    for persona in ("committee", "psirt", "translator"):
        with at(day(40)), pytest.raises(GuardFailed, match="coordinator"):
            actions.list_unreachable(
                case, vendor, actor=world.user(persona), kind="individual", remarks_en="x"
            )
    assert not UnreachableListing.objects.exists()


def test_product_information_is_refused_before_three_months_then_accepted(world):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    coordinator = world.user("coordinator")
    with at(day(30 + 89)), pytest.raises(GuardFailed, match="90 days after the listing"):
        actions.add_product_information(
            listing, actor=coordinator, product_name="Example CMS", product_version="1.0"
        )
    listing.refresh_from_db()
    assert listing.product_listed_at is None
    with at(day(30 + 90)), pytest.raises(InvalidInput, match="deadline"):
        actions.add_product_information(
            listing,
            actor=coordinator,
            product_name="Example CMS",
            product_version="1.0",
            contact_deadline=date(2026, 1, 1),
        )
    with at(day(30 + 90)), pytest.raises(InvalidInput, match="version"):
        actions.add_product_information(
            listing, actor=coordinator, product_name="Example CMS", product_version=" "
        )
    with at(day(30 + 90)):
        actions.add_product_information(
            listing,
            actor=coordinator,
            product_name="Example CMS",
            product_version="1.0 and earlier",
            contact_deadline=date(2026, 7, 31),
        )
    listing.refresh_from_db()
    assert listing.product_information() == "Example CMS 1.0 and earlier"
    assert listing.product_listed_at == day(120)
    assert listing.contact_deadline == date(2026, 7, 31)
    with at(day(130)), pytest.raises(GuardFailed, match="already been published"):
        actions.add_product_information(
            listing, actor=coordinator, product_name="Other", product_version="2"
        )


def test_an_answer_removes_the_listing(world, django_capture_on_commit_callbacks):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    with django_capture_on_commit_callbacks(execute=True):
        contact(
            case,
            vendor,
            day(50),
            ContactChannel.PHONE,
            actor=world.user("coordinator"),
            outcome=ContactOutcome.ANSWERED,
        )
    listing.refresh_from_db()
    assert listing.removed_at is not None
    assert listing.removal_reason == "contact_resumed"
    assert not UnreachableListing.objects.public().exists()
    assert AuditEvent.objects.filter(action="unreachable.removed").count() == 1


def test_a_portal_acknowledgement_removes_the_listing(world, django_capture_on_commit_callbacks):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    vendor.refresh_from_db()
    vendor.acknowledged_at = day(60)
    with django_capture_on_commit_callbacks(execute=True):
        vendor.save(update_fields=["acknowledged_at"])
    listing.refresh_from_db()
    assert listing.removal_reason == "contact_resumed"


def test_the_periodic_job_catches_an_acknowledgement_saved_without_signals(world):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    assert resume_answered_listings.call() == 0
    Participant.objects.filter(pk=vendor.pk).update(acknowledged_at=day(61))
    assert resume_answered_listings.call() == 1
    listing.refresh_from_db()
    assert listing.removed_at is not None
    assert resume_answered_listings.call() == 0  # idempotent


def test_an_unanswered_attempt_leaves_the_listing(world, django_capture_on_commit_callbacks):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    with django_capture_on_commit_callbacks(execute=True):
        contact(case, vendor, day(40), ContactChannel.POST, actor=world.user("coordinator"))
    listing.refresh_from_db()
    assert listing.is_open


def test_removal_is_refused_twice_and_needs_a_reason(world):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    coordinator = world.user("coordinator")
    with pytest.raises(InvalidInput, match="note"):
        actions.remove_listing(listing, actor=coordinator, reason="other")
    with pytest.raises(InvalidInput):
        actions.remove_listing(listing, actor=coordinator, reason="bored")
    with pytest.raises(GuardFailed, match="coordinator"):
        actions.remove_listing(listing, actor=world.user("psirt"), reason="contact_resumed")
    listing.refresh_from_db()
    assert listing.is_open
    actions.remove_listing(listing, actor=coordinator, reason="other", note="Wrong vendor")
    with pytest.raises(GuardFailed, match="already been removed"):
        actions.remove_listing(listing, actor=coordinator, reason="contact_resumed")


def test_the_periodic_job_removes_the_listing_of_a_closed_case(world):
    from kakehashi.cases import actions as case_actions

    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    case.refresh_from_db()
    with at(day(40)):
        case_actions.close_case(case, actor=world.user("coordinator"), reason="low_impact")
    assert resume_answered_listings.call() == 1
    listing.refresh_from_db()
    assert listing.removal_reason == "case_closed"
    assert resume_answered_listings.call() == 0
