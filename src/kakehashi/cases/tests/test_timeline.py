"""The timeline shows every kind of step, newest first, and collapses bulk steps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kakehashi.cases import actions
from kakehashi.cases.models import Case
from kakehashi.cases.timeline import build_timeline

pytestmark = pytest.mark.django_db


def test_timeline_lists_each_kind_of_step_newest_first(case, vendor_a, vendor_b, coordinator):
    actions.record_contact_attempt(
        case,
        vendor_a,
        actor=coordinator,
        channel="email",
        address="psirt@a.test",
        details_included=True,
    )
    case = Case.objects.get(pk=case.pk)
    proposal = actions.propose_embargo(
        case, actor=coordinator, ends_at=timezone.now() + timedelta(days=20)
    )
    actions.accept_embargo(Case.objects.get(pk=case.pk), proposal, actor=coordinator)
    actions.invite_to_embargo(Case.objects.get(pk=case.pk), [vendor_a, vendor_b], actor=coordinator)
    entries = build_timeline(case)
    kinds = {e.kind for e in entries}
    assert {"state", "contact", "schedule", "embargo"} <= kinds
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    invited = [e for e in entries if "Invited" in e.text]
    assert len(invited) == 1 and "(2 participants)" in invited[0].text


def test_an_approval_appears_in_the_timeline(case, vendor_a, coordinator, world, vulnerability):
    status = actions.record_vendor_status(
        case, vendor_a, vulnerability, actor=world.user("psirt"), status="affected"
    )
    actions.approve_vendor_status(Case.objects.get(pk=case.pk), status, actor=coordinator)
    texts = [e.text for e in build_timeline(case)]
    assert "Vendor status for #1 approved (version 1)" in texts
