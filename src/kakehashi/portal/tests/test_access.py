"""Who sees which case in the vendor portal (the 個別登録 rule included)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kakehashi.cases import actions
from kakehashi.cases.choices import ParticipantRole
from kakehashi.vendors import actions as vendor_actions
from kakehashi.vendors.choices import RegistrationType

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    coordinator = world.user("coordinator")
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_en="Stored XSS in Example CMS",
    )
    actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        organisations=[world.organisations["vendor-a"]],
    )
    return case


def _page(client_for, persona, case):
    return client_for(persona).get(reverse("portal:case", kwargs={"case_id": case.pk}))


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("psirt", 200),
        ("vendoradmin", 200),
        ("other_vendor", 404),
        ("finder", 404),
        ("outsider", 404),
        ("clerk", 404),
    ],
)
def test_only_the_vendors_members_open_its_case(client_for, case, persona, status):
    assert _page(client_for, persona, case).status_code == status


def test_the_case_list_names_only_the_organisations_cases(client_for, case):
    mine = client_for("psirt").get(reverse("portal:cases")).content.decode()
    theirs = client_for("other_vendor").get(reverse("portal:cases")).content.decode()
    assert "Stored XSS in Example CMS" in mine
    assert "Stored XSS in Example CMS" not in theirs


def test_an_individually_registered_vendor_loses_the_case_when_a_second_vendor_joins(
    client_for, case, world
):
    coordinator = world.user("coordinator")
    profile = vendor_actions.register_vendor(coordinator, world.organisations["vendor-a"])
    profile.registration_type = RegistrationType.INDIVIDUAL
    profile.save(update_fields=["registration_type"])
    assert _page(client_for, "psirt", case).status_code == 200  # the only vendor

    actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        organisations=[world.organisations["vendor-b"]],
    )
    assert _page(client_for, "psirt", case).status_code == 404
    assert _page(client_for, "other_vendor", case).status_code == 200

    case.published_at = case.created_at
    case.save(update_fields=["published_at"])
    assert _page(client_for, "psirt", case).status_code == 200  # public now


def test_anonymous_visitors_are_sent_to_sign_in(client, case):
    response = client.get(reverse("portal:case", kwargs={"case_id": case.pk}))
    assert response.status_code == 302
