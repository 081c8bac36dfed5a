"""The finder reaches the vendor portal only as far as the finder allowed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kakehashi.cases import actions
from kakehashi.cases.choices import ParticipantRole
from kakehashi.intake.tests.factories import forwarded_report

pytestmark = pytest.mark.django_db


def _portal_page(world, client_for, share: bool) -> str:
    report = forwarded_report(
        world, share_identity_with_vendor=share, finder_affiliation="Example Lab"
    )
    case = report.case
    actions.add_participants(
        case,
        actor=world.user("coordinator"),
        role=ParticipantRole.VENDOR,
        organisations=[world.organisations["vendor-a"]],
    )
    response = client_for("psirt").get(reverse("portal:case", kwargs={"case_id": case.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_finder_stays_anonymous_unless_the_finder_allowed_it(world, client_for):
    page = _portal_page(world, client_for, share=False)
    assert "山田 太郎" not in page
    assert "Example Lab" not in page


def test_the_finder_is_named_when_the_finder_allowed_it(world, client_for):
    page = _portal_page(world, client_for, share=True)
    assert "山田 太郎" in page
    assert "Example Lab" in page
