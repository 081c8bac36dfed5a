"""A public talk planned about the case (SCENARIOS.md 6), as the vendor portal and the
vendor API show it: a day the report asks publication to come before, to the vendors
that receive pre-publication information, until publication — never the finder, the
talk's title or venue, nor even that it is a talk (with the day, that would find the
speaker in a conference programme)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kakehashi.accounts import actions as account_actions
from kakehashi.cases import actions
from kakehashi.cases.choices import ParticipantRole
from kakehashi.cases.models import Case
from kakehashi.core.dates import jst_date
from kakehashi.intake.tests.factories import forwarded_report
from kakehashi.vendors import actions as vendor_actions
from kakehashi.vendors.choices import RegistrationType

pytestmark = pytest.mark.django_db

TALK_TITLE = "Breaking widgets in forty days"
TALK_VENUE = "CODE BLUE"
PLANNED = "The report asks for publication before {day}."
NEGOTIATING = "The coordinator is negotiating a publication date before it."
BEFORE = "The target publication comes before it."


def _today() -> date:
    return jst_date(timezone.now())


def _case(world, *, share: bool = False, days: int = 40, vendors=("vendor-a",)):
    """A case forwarded from a report that names a talk ``days`` from today (JST), with
    the given vendors; vendor A's registry entry is in JST, so its days count from the
    same today."""
    coordinator = world.user("coordinator")
    vendor_actions.register_vendor(
        coordinator, world.organisations["vendor-a"], time_zone="Asia/Tokyo"
    )
    report = forwarded_report(
        world,
        share_identity_with_vendor=share,
        finder_affiliation="Example Lab",
        planned_talk_title=TALK_TITLE,
        planned_talk_venue=TALK_VENUE,
        planned_talk_date=_today() + timedelta(days=days),
    )
    case = report.case
    actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        organisations=[world.organisations[slug] for slug in vendors],
    )
    return case


def _target(case, world, day) -> None:
    """Move the target publication to noon JST of ``day``."""
    noon = datetime.combine(day, time(3, 0), tzinfo=UTC)
    actions.change_schedule(
        case, actor=world.user("coordinator"), new_target=noon, reason="leak_risk"
    )


def _page(client_for, persona: str, case, status: int = 200) -> str:
    response = client_for(persona).get(reverse("portal:case", kwargs={"case_id": case.pk}))
    assert response.status_code == status
    return response.content.decode()


def _api_case(world, persona: str, case, status: int = 200):
    _token, secret = account_actions.create_api_token(
        world.user(persona), name="test", scopes=["read"]
    )
    response = Client().get(
        f"/api/v1/portal/cases/{case.pk}",
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
    )
    assert response.status_code == status
    return json.loads(response.content) if status == 200 else None


def _api_schedule(world, persona: str, case, status: int = 200):
    body = _api_case(world, persona, case, status)
    return body["schedule"] if body is not None else None


def _decline_embargo(case, world, persona: str, organisation: str) -> None:
    coordinator = world.user("coordinator")
    participant = case.participants.get(organisation=world.organisations[organisation])
    actions.propose_embargo(case, actor=coordinator, ends_at=timezone.now() + timedelta(days=30))
    actions.invite_to_embargo(case, [participant], actor=coordinator)
    actions.answer_embargo(case, participant, actor=world.user(persona), answer="decline")


def _publish(case) -> None:
    # Publication itself is the advisories' business; the portal only reads the instant.
    case.published_at = timezone.now()
    case.save(update_fields=["published_at"])


# --- What the vendor sees ------------------------------------------------------------


def test_the_vendor_sees_the_talks_day_and_that_a_date_before_it_is_negotiated(world, client_for):
    case = _case(world)
    talk = _today() + timedelta(days=40)
    page = _page(client_for, "psirt", case)
    assert PLANNED.format(day=talk.isoformat()) in page
    assert "That is in 40 days." in page
    assert NEGOTIATING in page  # no target yet

    _target(case, world, talk + timedelta(days=5))
    page = _page(client_for, "psirt", case)
    assert NEGOTIATING in page and BEFORE not in page


def test_a_target_before_the_talk_is_said_to_come_first(world, client_for):
    case = _case(world)
    talk = _today() + timedelta(days=40)
    _target(case, world, talk - timedelta(days=3))
    page = _page(client_for, "psirt", case)
    assert PLANNED.format(day=talk.isoformat()) in page
    assert BEFORE in page and NEGOTIATING not in page


def test_a_talk_without_details_leaves_the_target_standing(world, client_for):
    case = _case(world)
    talk = _today() + timedelta(days=40)
    _target(case, world, talk + timedelta(days=5))
    Case.objects.filter(pk=case.pk).update(talk_without_details=True)
    page = _page(client_for, "psirt", case)
    assert PLANNED.format(day=talk.isoformat()) not in page
    assert (
        f"The report asked for publication before {talk.isoformat()}; that date no longer "
        "binds it: the target publication stands." in page
    )
    assert NEGOTIATING not in page and BEFORE not in page


def test_a_talk_on_this_very_day_says_so(world, client_for):
    case = _case(world, days=0)
    page = _page(client_for, "psirt", case)
    assert PLANNED.format(day=_today().isoformat()) in page
    assert "That is today." in page


def test_a_case_without_a_talk_says_nothing_of_one(world, client_for):
    case = _case(world)
    actions.update_case(case, actor=world.user("coordinator"), planned_talk_date=None)
    page = _page(client_for, "psirt", case)
    assert 'id="date-constraint"' not in page
    assert "public talk" not in page


def test_neither_the_finder_nor_the_talks_title_or_venue_reaches_the_vendor(world, client_for):
    case = _case(world, share=False)
    page = _page(client_for, "psirt", case)
    assert PLANNED.format(day=(_today() + timedelta(days=40)).isoformat()) in page
    for secret in ("山田 太郎", "yamada@example.test", "Taro Yamada", "Example Lab"):
        assert secret not in page
    assert TALK_TITLE not in page and TALK_VENUE not in page
    # Not even that it is a talk: with the day, that would find the speaker.
    assert "talk" not in page.lower()


def test_the_talks_title_and_venue_stay_hidden_even_when_the_finder_may_be_named(world, client_for):
    # The report form asks only whether name and contact may be passed on: a talk's
    # title and venue name the speaker in the conference's programme, so they stay.
    case = _case(world, share=True)
    page = _page(client_for, "psirt", case)
    assert "山田 太郎" in page  # the finder allowed it
    assert TALK_TITLE not in page and TALK_VENUE not in page


# --- Who sees it ---------------------------------------------------------------------


def test_an_individually_registered_vendor_in_a_multi_vendor_case_learns_nothing_of_it(
    world, client_for
):
    case = _case(world, vendors=("vendor-a", "vendor-b"))
    vendor_actions.register_vendor(
        world.user("coordinator"),
        world.organisations["vendor-b"],
        registration_type=RegistrationType.INDIVIDUAL,
    )
    _page(client_for, "other_vendor", case, status=404)
    assert _api_schedule(world, "other_vendor", case, status=404) is None
    # Vendor A, registered generally, sees the day.
    day = (_today() + timedelta(days=40)).isoformat()
    assert PLANNED.format(day=day) in _page(client_for, "psirt", case)


def test_a_vendor_that_declined_the_embargo_of_a_multi_vendor_case_learns_nothing_of_it(
    world, client_for
):
    case = _case(world, vendors=("vendor-a", "vendor-b"))
    _decline_embargo(case, world, "other_vendor", "vendor-b")
    _page(client_for, "other_vendor", case, status=404)
    assert _api_schedule(world, "other_vendor", case, status=404) is None


@pytest.mark.parametrize("persona", ["finder", "outsider", "clerk"])
def test_nobody_outside_the_vendors_reaches_the_day_through_the_portal(world, client_for, persona):
    case = _case(world)
    _page(client_for, persona, case, status=404)


# --- Until publication ---------------------------------------------------------------


def test_the_talk_disappears_once_the_case_is_published(world, client_for):
    # Published, the talk no longer constrains a date; and vendors that had no
    # pre-publication rights reach the case page now, which must not tell them more.
    case = _case(world, vendors=("vendor-a", "vendor-b"))
    _decline_embargo(case, world, "other_vendor", "vendor-b")
    _publish(case)
    for persona in ("psirt", "other_vendor"):
        page = _page(client_for, persona, case)
        assert 'id="date-constraint"' not in page
        assert "public talk" not in page
    assert _api_schedule(world, "psirt", case)["publish_before"] is None


def test_a_closed_case_shows_no_talk(world, client_for):
    case = _case(world)
    actions.close_case(case, actor=world.user("coordinator"), reason="out_of_scope")
    assert 'id="date-constraint"' not in _page(client_for, "psirt", case)


def test_a_talk_day_passed_before_publication_shows_as_past(world, client_for):
    case = _case(world, days=-2)
    day = (_today() - timedelta(days=2)).isoformat()
    page = _page(client_for, "psirt", case)
    assert f"The report asked for publication before {day}; that day has passed." in page
    assert "Ask the coordinator what it means for the publication." in page
    assert PLANNED.format(day=day) not in page and NEGOTIATING not in page


# --- The vendor API ------------------------------------------------------------------


def test_the_api_gives_the_talks_day_with_the_schedule_and_nothing_else_of_it(world):
    case = _case(world)
    body = _api_case(world, "psirt", case)
    assert body["schedule"]["publish_before"] == (_today() + timedelta(days=40)).isoformat()
    assert body["schedule"]["publish_before_lifted"] is False
    Case.objects.filter(pk=case.pk).update(talk_without_details=True)
    body = _api_case(world, "psirt", case)
    assert body["schedule"]["publish_before_lifted"] is True
    everything = json.dumps(body, ensure_ascii=False)
    for secret in (TALK_TITLE, TALK_VENUE, "山田 太郎", "yamada@example.test", "Taro Yamada"):
        assert secret not in everything
    assert "talk" not in everything.lower()


def test_the_api_gives_no_day_when_no_talk_is_planned(world):
    case = _case(world)
    actions.update_case(case, actor=world.user("coordinator"), planned_talk_date=None)
    assert _api_schedule(world, "psirt", case)["publish_before"] is None
