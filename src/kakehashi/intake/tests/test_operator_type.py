"""The website operator's type: recorded with a contact, shown on the desk, counted in
the statistics (never the site itself)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import InvalidInput
from kakehashi.intake import actions
from kakehashi.intake.models import Report

from .factories import accepted_report

pytestmark = pytest.mark.django_db


def test_a_contact_records_the_operators_type_once_given(world, clerk):
    report = accepted_report(world, track="website")
    actions.record_operator_contact(
        report,
        actor=clerk,
        channel="email",
        address="kikaku@pref.example.lg.jp",
        outcome="answered",
        window_confirmed=True,
        operator_type="local_government",
    )
    report.refresh_from_db()
    assert report.operator_type == "local_government"
    assert report.get_operator_type_display() == "Local government"
    event = AuditEvent.objects.filter(action="website.contact").latest("seq")
    assert "operator type local_government" in event.summary
    # A later contact without a type keeps the one recorded.
    actions.record_operator_contact(
        report, actor=clerk, channel="phone", address="000-0000-0000", outcome="answered"
    )
    assert Report.objects.get(pk=report.pk).operator_type == "local_government"


def test_an_unknown_type_is_refused_and_nothing_is_recorded(world, clerk):
    report = accepted_report(world, track="website")
    with pytest.raises(InvalidInput, match="types of operator"):
        actions.record_operator_contact(
            report,
            actor=clerk,
            channel="email",
            address="info@example.jp",
            outcome="sent",
            operator_type="martian",
        )
    assert not report.operator_contacts.exists()
    assert Report.objects.get(pk=report.pk).operator_type == ""


def test_the_desk_form_sets_the_type(world, clerk, client_for):
    report = accepted_report(world, track="website")
    with translation.override("en"):
        action = reverse("intake:desk_contact", kwargs={"report_id": report.pk})
        page = reverse("intake:desk_report", kwargs={"report_id": report.pk})
    client = client_for("clerk")
    response = client.post(
        action,
        {
            "contact-revision": Report.objects.get(pk=report.pk).revision,
            "contact-channel": "email",
            "contact-address": "kikaku@pref.example.lg.jp",
            "contact-outcome": "answered",
            "contact-window_confirmed": "on",
            "contact-operator_type": "local_government",
        },
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).operator_type == "local_government"
    with translation.override("en"):
        text = client.get(page).content.decode()
    assert "Type of operator" in text and "Local government" in text


def test_a_vendor_self_report_becomes_a_case_with_the_vendor_and_no_finder(world, clerk):
    """Scenario 7: no finder (so no credit); the reporting vendor is the only other party."""
    from kakehashi.cases.models import Case

    report = accepted_report(world, track="self_report", finder="psirt", publish_credit=False)
    case = actions.forward_report(
        report, actor=clerk, coordinator_org=world.organisations["coordination"]
    )
    case = Case.objects.get(pk=case.pk)
    assert case.origin == "self_report"
    parties = {(p.role, p.organisation_id) for p in case.participants.current()}
    assert parties == {
        ("coordinator", world.organisations["coordination"].pk),
        ("reception", world.organisations["reception"].pk),
        ("vendor", world.organisations["vendor-a"].pk),
    }


def test_a_self_report_without_an_account_leaves_the_vendor_to_the_coordinator(world, clerk):
    report = accepted_report(world, track="self_report")
    case = actions.forward_report(
        report, actor=clerk, coordinator_org=world.organisations["coordination"]
    )
    assert {p.role for p in case.participants.current()} == {"coordinator", "reception"}
