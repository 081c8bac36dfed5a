"""The desk's case search finds a case by its listing's DID number, for the case's
coordinators only: the public list never ties a DID number to a case."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kakehashi.accounts import actions as account_actions
from kakehashi.unreachable import actions
from kakehashi.unreachable.search import did_number

from .scenario import listed, silent_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("DID#00000001", 1),
        ("did#1", 1),
        (" DID# 12 ", 12),
        ("00000001", None),
        ("DID#", None),
        ("DID#１", None),  # full-width digits are not a number here
        ("JVN#00000001", None),
    ],
)
def test_a_did_number_is_read_as_typed(typed, number):
    assert did_number(typed) == number


def _search(client, text):
    return client.get(reverse("cases:list"), {"q": text}).content.decode()


def test_the_coordinator_finds_the_case_by_its_did_number(world, client_for):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    client = client_for("coordinator")

    assert case.reference in _search(client, listing.did)
    assert case.reference in _search(client, listing.did.lower())
    assert case.reference not in _search(client, "DID#00000002")


def test_the_reception_does_not_find_a_case_by_its_did_number(world, client_for):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    client = client_for("clerk")

    assert case.reference in _search(client, case.reference)  # the desk shows it the case
    assert case.reference not in _search(client, listing.did)  # but not its listing


def test_a_removed_listing_still_leads_to_its_case(world, client_for):
    """The developer may write in after the entry left the list: the number stays its."""
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    actions.remove_listing(listing, actor=world.user("coordinator"), reason="contact_resumed")

    assert case.reference in _search(client_for("coordinator"), listing.did)


def test_the_case_api_finds_the_case_by_its_did_number_for_its_coordinators(world):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)

    def references(persona):
        _token, secret = account_actions.create_api_token(
            world.user(persona), name="test", scopes=["read"]
        )
        response = Client().get(
            "/api/v1/cases",
            {"q": listing.did},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.status_code == 200
        return [item["reference"] for item in response.json()["items"]]

    assert references("coordinator") == [case.reference]
    assert references("clerk") == []


def test_the_mail_triage_finds_the_case_by_its_did_number(
    world, client_for, django_capture_on_commit_callbacks
):
    """A developer on the list writes to the desk with only the DID number: the mail
    lands in triage, and the coordinator files it by typing that number."""
    from kakehashi.messaging.inbound.actions import ingest
    from kakehashi.messaging.tests.inbound_mail import plain_reply

    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    raw = plain_reply(
        "desk@example.test", "dev@new.example", "We are still here.", subject=listing.did
    ).as_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        mail = ingest(raw, source="test").mail
    detail = reverse("messaging:triage_detail", kwargs={"mail_id": mail.pk})

    page = client_for("coordinator").get(detail, {"case": listing.did}).content.decode()
    assert f"Threads of {case.reference}" in page
    # The reception desk sees the mail, but a DID number leads it to no case.
    page = client_for("clerk").get(detail, {"case": listing.did}).content.decode()
    assert "No case with this reference that you coordinate." in page
