"""The bulk form of the 個別登録 rule agrees with the per-case one."""

from __future__ import annotations

import pytest

from kakehashi.cases import actions
from kakehashi.cases.choices import ParticipantRole
from kakehashi.cases.models import Case
from kakehashi.vendors import actions as vendor_actions
from kakehashi.vendors.choices import RegistrationType
from kakehashi.vendors.rules import pre_publication_recipients, pre_publication_recipients_of

pytestmark = pytest.mark.django_db


def test_the_bulk_rule_matches_the_per_case_rule(world, coordinator):
    vendor_actions.register_vendor(
        coordinator,
        world.organisations["vendor-a"],
        registration_type=RegistrationType.INDIVIDUAL,
    )
    a, b = world.organisations["vendor-a"], world.organisations["vendor-b"]
    cases = []
    for title, organisations, published in (
        ("alone", [a], False),
        ("together", [a, b], False),
        ("together, public", [a, b], True),
        ("b alone", [b], False),
        ("nobody", [], False),
    ):
        case = actions.create_case(
            actor=coordinator, coordinator_org=world.organisations["coordination"], title_en=title
        )
        if organisations:
            actions.add_participants(
                case, actor=coordinator, role=ParticipantRole.VENDOR, organisations=organisations
            )
        if published:
            case.published_at = case.created_at
            case.save(update_fields=["published_at"])
        cases.append(Case.objects.get(pk=case.pk))
    expected = set().union(*(pre_publication_recipients(c) for c in cases))
    assert pre_publication_recipients_of(cases) == expected
    together = cases[1].participants.get(organisation=a)
    assert together.pk not in expected  # the rule did bite
    assert pre_publication_recipients_of([]) == set()
