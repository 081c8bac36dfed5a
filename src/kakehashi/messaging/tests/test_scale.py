"""The pages a large case leans on cost the same number of queries for 10 vendors as
for 1,000 (issue 6's benchmark asks for constant queries; this is the test of it)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .scenario import bulk_vendors, post, two_vendor_case, vendor_key

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_overview_and_thread_pages_cost_the_same_for_10_and_1000_vendors(world, client_for):
    case = two_vendor_case(world)
    coordinator = world.user("coordinator")
    key = vendor_key(case, "vendor-a")
    for n in range(3):
        post(world, "coordinator", case, key, f"To A {n}")
        post(world, "psirt", case, "general", f"General {n}")
    bulk_vendors(case, 8, messages_each=3, author=coordinator, prefix="few")
    desk, psirt = client_for("coordinator"), client_for("psirt")
    overview = reverse("messaging:case_threads", args=[case.pk])
    thread = reverse("messaging:thread", args=[case.pk, key]) + "?page=1"
    general = reverse("messaging:thread", args=[case.pk, "general"]) + "?page=1"
    # The first requests write the session and the first read markers.
    desk.get(overview)
    desk.get(general)
    psirt.get(thread)
    few = [_queries(desk, overview), _queries(psirt, thread), _queries(desk, general)]
    bulk_vendors(case, 990, messages_each=3, author=coordinator, prefix="many")
    many = [_queries(desk, overview), _queries(psirt, thread), _queries(desk, general)]
    assert few == many
    # The vendors' threads come a hundred to a page; the last page has the last vendor.
    assert "Page 1 of 10" in desk.get(overview).content.decode()
    assert "Vendor many 0989" in desk.get(overview + "?page=10").content.decode()


def test_api_thread_list_costs_the_same_for_10_and_1000_vendors(world):
    import json

    from django.test import Client

    from kakehashi.accounts import actions as account_actions

    case = two_vendor_case(world)
    coordinator = world.user("coordinator")
    bulk_vendors(case, 8, messages_each=2, author=coordinator, prefix="few")
    _token, secret = account_actions.create_api_token(coordinator, name="t", scopes=["read"])
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    url = f"/api/v1/messaging/cases/{case.pk}/threads"
    client.get(url)  # the first use of a token records it
    few = _queries(client, url)
    bulk_vendors(case, 990, messages_each=2, author=coordinator, prefix="many")
    assert _queries(client, url) == few
    listed = json.loads(client.get(url).content)
    assert len(listed) == 1 + 1000
    # The bulk threads were never opened by the coordinator: all unread.
    assert sum(t["unread"] for t in listed) == 998 * 2


def test_overview_pages_vendors_with_their_own_counts_and_unread_state(world, client_for):
    import re

    case = two_vendor_case(world)
    coordinator = world.user("coordinator")
    bulk_vendors(case, 150, messages_each=2, author=coordinator, prefix="paged")
    desk = client_for("coordinator")
    overview = reverse("messaging:case_threads", args=[case.pk])
    second = desk.get(overview + "?page=2").content.decode()
    assert "Page 2 of 2" in second
    # Page 2 holds the last 52 of 152 vendors (in the order they joined), not page 1's.
    assert "Vendor paged 0149" in second
    assert "Vendor paged 0047" not in second
    row = re.search(
        r"<tr class=\"unread\">\s*<td><a href=\"[^\"]*\">Private: Vendor paged 0149[^<]*"
        r"</a>.*?</td>\s*<td>(\d+)</td>",
        second,
        re.S,
    )
    assert row is not None and row.group(1) == "2"
    # Reading a vendor's thread clears its unread mark on the overview, for this reader only.
    last = re.search(r"href=\"([^\"]*vendor-\d+/)\">Private: Vendor paged 0149", second)
    assert last is not None
    desk.get(last.group(1))
    again = desk.get(overview + "?page=2").content.decode()
    assert re.search(r"<tr>\s*<td><a href=\"[^\"]*\">Private: Vendor paged 0149", again)
