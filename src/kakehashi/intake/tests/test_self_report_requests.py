"""A vendor's self-report asks for a publication time and a CVE ID (SCENARIOS.md 7):
the form's step, the confirmation, the desk, and the case page, where the coordinator
makes the wanted time the target with one click and the CNA officer sees the request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kakehashi.cases.models import Case, ScheduleChange
from kakehashi.intake import actions
from kakehashi.intake.models import Report

from .factories import forwarded_report, make_report
from .test_public_views import PRODUCT, begin, confirm_token, fill, send, step, url

pytestmark = pytest.mark.django_db

WANTED_JST = "2030-01-15T10:00"
WANTED = datetime(2030, 1, 15, 1, 0, tzinfo=UTC)  # 10:00 JST
REQUESTS = {"wanted_publication_at": WANTED_JST, "cve_requested": "on"}


def case_page(case: Case) -> str:
    with translation.override("en"):
        return reverse("cases:detail", kwargs={"case_id": case.pk})


def test_a_vendor_asks_for_a_time_and_a_cve_through_the_form(world, client_for):
    client = client_for("psirt")
    begin(client, "self_report")
    fill(client, you={}, circumstances=REQUESTS)
    page = client.get(url("report_confirm")).content.decode()
    assert "Wanted publication time (JST)" in page and "2030-01-15 10:00 JST" in page
    assert "Please assign a CVE ID" in page
    assert send(client).status_code == 302
    report = Report.objects.get()
    assert report.track == "self_report"
    assert report.wanted_publication_at == WANTED
    assert report.cve_requested is True


def test_a_vendor_is_not_asked_about_passing_its_identity_to_itself(world, client_for):
    """The reporter is the vendor: no consent to pass its details on, no finder credit."""
    client = client_for("psirt")
    begin(client, "self_report")
    form = client.get(step("you")).content.decode()
    for name in ("share_identity_with_vendor", "allow_direct_contact", "publish_credit"):
        assert f'name="{name}"' not in form, name
    assert 'name="finder_name"' in form  # who is writing, for the desk's questions
    fill(client, you={}, circumstances=REQUESTS)
    page = client.get(url("report_confirm")).content.decode()
    assert "passed to the vendor" not in page and "as the finder" not in page
    assert send(client).status_code == 302
    report = Report.objects.get()
    assert not report.publish_credit and not report.share_identity_with_vendor


def test_a_past_time_is_refused_on_its_page_and_nothing_typed_is_lost(world, client_for):
    client = client_for("psirt")
    begin(client, "self_report")
    for name, data in (("you", {}), ("vulnerability", PRODUCT)):
        client.post(step(name), {**data, "nav": "next"})
    response = client.post(
        step("circumstances"),
        {"wanted_publication_at": "2020-01-15T10:00", "cve_requested": "on", "nav": "next"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The wanted publication time must be in the future." in page
    assert 'value="2020-01-15T10:00"' in page
    assert not Report.objects.exists()


def test_only_a_self_report_carries_the_requests(world):
    report = make_report(world, track="product", wanted_publication_at=WANTED, cve_requested=True)
    assert report.wanted_publication_at is None and report.cve_requested is False
    with pytest.raises(actions.ReportInvalid) as refused:
        make_report(
            world,
            track="self_report",
            wanted_publication_at=timezone.now() - timedelta(minutes=1),
        )
    assert set(refused.value.errors) == {"wanted_publication_at"}


def test_the_product_form_does_not_ask_for_them(world):
    client = Client()
    begin(client, "product")
    fill(client)
    page = client.get(step("circumstances")).content.decode()
    assert "wanted_publication_at" not in page and "cve_requested" not in page
    confirm_token(client)


def test_the_desk_sees_the_requests(world, client_for):
    report = make_report(
        world, track="self_report", finder="psirt", wanted_publication_at=WANTED, cve_requested=True
    )
    with translation.override("en"):
        path = reverse("intake:desk_report", kwargs={"report_id": report.pk})
    page = client_for("clerk").get(path).content.decode()
    assert "Wanted publication time" in page and "2030-01-15 10:00 JST" in page
    assert "Requested by the vendor" in page


def test_the_coordinator_makes_the_wanted_time_the_target_in_one_click(world, client_for):
    report = forwarded_report(
        world, track="self_report", finder="psirt", wanted_publication_at=WANTED, cve_requested=True
    )
    case = Case.objects.get(pk=report.case_id)
    coordinator = client_for("coordinator")
    page = coordinator.get(case_page(case)).content.decode()
    assert "What the vendor asked for in its self-report" in page
    assert "Make it the target publication" in page
    # The button posts the case's own schedule form, in the viewer's zone.
    assert 'name="schedule-reason" value="vendor_request"' in page
    zone = ZoneInfo(world.user("coordinator").timezone or "UTC")
    local = WANTED.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    with translation.override("en"):
        action = reverse("cases:change_schedule", kwargs={"case_id": case.pk})
    assert f'name="schedule-new_target" value="{local}"' in page
    response = coordinator.post(
        action,
        {
            "schedule-revision": case.revision,
            "schedule-new_target": local,
            "schedule-reason": "vendor_request",
            "schedule-note": f"self-report {report.tracking_id}",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.target_publication_at == WANTED
    change = ScheduleChange.objects.get(case=case)
    assert (change.reason, change.new_target) == ("vendor_request", WANTED)
    page = coordinator.get(case_page(case)).content.decode()
    assert "the target publication" in page
    assert "Make it the target publication" not in page


def test_the_cna_officer_sees_the_cve_request_but_may_not_move_the_date(world, client_for):
    report = forwarded_report(
        world, track="self_report", finder="psirt", wanted_publication_at=WANTED, cve_requested=True
    )
    page = client_for("cna").get(case_page(Case.objects.get(pk=report.case_id))).content.decode()
    assert "Requested: the CNA officer assigns it to the vulnerability below." in page
    assert "Make it the target publication" not in page


def test_a_finders_case_has_no_such_panel(world, client_for):
    report = forwarded_report(world, track="product")
    page = client_for("coordinator").get(case_page(Case.objects.get(pk=report.case_id)))
    assert "What the vendor asked for" not in page.content.decode()
