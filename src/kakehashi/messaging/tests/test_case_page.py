"""The desk case page: the vendor activity panel and message events in the timeline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kakehashi.cases.timeline import build_timeline

from .scenario import post, two_vendor_case, vendor_key

pytestmark = pytest.mark.django_db


def _panel(html: str) -> str:
    return html.split('id="messaging"', 1)[1].split("</section>", 1)[0]


def test_panel_shows_seen_and_last_answer_per_vendor(world, client_for):
    case = two_vendor_case(world)
    key_a = vendor_key(case, "vendor-a")
    post(world, "coordinator", case, key_a, "Please confirm receipt.")
    url = reverse("cases:detail", kwargs={"case_id": case.pk})
    before = _panel(client_for("coordinator").get(url).content.decode())
    assert before.count("<td>—</td>") >= 6  # nobody has seen or answered yet
    client_for("psirt").get(reverse("messaging:thread", kwargs={"case_id": case.pk, "key": key_a}))
    post(world, "psirt", case, key_a, "Received.")
    after = _panel(client_for("coordinator").get(url).content.decode())
    rows = after.split("<tr>")[2:]
    vendor_a = next(r for r in rows if "Vendor A" in r)
    vendor_b = next(r for r in rows if "Vendor B" in r)
    assert vendor_a.count("<td>—</td>") < vendor_b.count("<td>—</td>")


def test_panel_costs_the_same_for_many_vendors(world, client_for, django_assert_num_queries):
    from kakehashi.accounts.choices import OrganisationKind
    from kakehashi.accounts.models import Organisation
    from kakehashi.cases import actions as case_actions
    from kakehashi.messaging.queries import vendor_activity

    case = two_vendor_case(world)
    with django_assert_num_queries(2):
        assert len(vendor_activity(case)) == 2
    more = [
        Organisation.objects.create(slug=f"v{i}", kind=OrganisationKind.VENDOR, name_en=f"V{i}")
        for i in range(20)
    ]
    case_actions.add_participants(
        case, actor=world.user("coordinator"), role="vendor", organisations=more
    )
    with django_assert_num_queries(2):
        assert len(vendor_activity(case)) == 22


def test_timeline_lists_message_events_without_their_text(world):
    case = two_vendor_case(world)
    post(world, "psirt", case, vendor_key(case, "vendor-a"), "Secret patch details")
    post(world, "coordinator", case, "general", "Also secret")
    entries = [e for e in build_timeline(case) if e.kind == "message"]
    assert len(entries) == 2
    texts = " ".join(e.text for e in entries)
    assert "secret" not in texts.lower()
    assert "private thread" in texts


def _activity(case, slug):
    from kakehashi.messaging.queries import vendor_activity

    return next(a for a in vendor_activity(case) if a.participant.organisation.slug == slug)


def test_seen_means_the_vendor_opened_its_own_thread(world, client_for):
    case = two_vendor_case(world)
    key_a = vendor_key(case, "vendor-a")
    post(world, "coordinator", case, key_a, "Details for A")
    post(world, "coordinator", case, "general", "For everyone")
    # The coordination reading A's thread is not A having seen it.
    client_for("coordinator").get(reverse("messaging:thread", args=[case.pk, key_a]))
    client_for("translator").get(reverse("messaging:thread", args=[case.pk, key_a]))
    assert _activity(case, "vendor-a").seen_at is None
    # Nor is A reading the general thread: A may not have opened its details.
    client_for("psirt").get(reverse("messaging:thread", args=[case.pk, "general"]))
    assert _activity(case, "vendor-a").seen_at is None
    client_for("vendoradmin").get(reverse("messaging:thread", args=[case.pk, key_a]))
    seen = _activity(case, "vendor-a")
    assert seen.seen_at is not None and seen.last_answer_at is None
    assert _activity(case, "vendor-b").seen_at is None


def test_notified_acknowledged_and_last_answer_per_vendor(world, client_for):
    from kakehashi.cases import actions as case_actions
    from kakehashi.cases.models import Participant
    from kakehashi.cases.templatetags.cases_tags import jst_utc

    case = two_vendor_case(world)
    coordinator = world.user("coordinator")
    vendor_a = Participant.objects.get(case=case, organisation__slug="vendor-a", role="vendor")
    case_actions.record_contact_attempt(
        case,
        vendor_a,
        actor=coordinator,
        channel="email",
        address="psirt@vendor-a.test",
        details_included=True,
        outcome="acknowledged",
    )
    post(world, "psirt", case, vendor_key(case, "vendor-a"), "First answer")
    answered_at = post(world, "psirt", case, "general", "We are on it.").created_at
    a, b = _activity(case, "vendor-a"), _activity(case, "vendor-b")
    assert a.notified_at is not None and a.acknowledged_at is not None
    assert a.last_answer_at == answered_at
    assert b.notified_at is None and b.acknowledged_at is None and b.last_answer_at is None
    panel = _panel(
        client_for("coordinator").get(reverse("cases:detail", args=[case.pk])).content.decode()
    )
    row_b = next(r for r in panel.split("<tr>")[2:] if "Vendor B" in r)
    assert row_b.count("<td>—</td>") == 4  # silence is visible
    assert jst_utc(answered_at) in panel


def test_a_person_in_two_vendors_counts_for_each(world):
    from kakehashi.accounts.models import Membership

    case = two_vendor_case(world)
    Membership.objects.create(
        user=world.user("psirt"), organisation=world.organisations["vendor-b"], role="vendor_psirt"
    )
    post(world, "psirt", case, "general", "Answer for both of our companies")
    assert _activity(case, "vendor-a").last_answer_at is not None
    assert _activity(case, "vendor-b").last_answer_at is not None
