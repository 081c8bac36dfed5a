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
    with django_assert_num_queries(4):
        assert len(vendor_activity(case)) == 2
    more = [
        Organisation.objects.create(slug=f"v{i}", kind=OrganisationKind.VENDOR, name_en=f"V{i}")
        for i in range(20)
    ]
    case_actions.add_participants(
        case, actor=world.user("coordinator"), role="vendor", organisations=more
    )
    with django_assert_num_queries(4):
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
