"""``kakehashi case show``: a case's states and timeline, as text and as JSON."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kakehashi.cases import actions

pytestmark = pytest.mark.django_db


def show(*args: str) -> str:
    out = StringIO()
    call_command("case", "show", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def contacted(case, vendor_a, vulnerability, coordinator):
    actions.record_contact_attempt(
        case,
        vendor_a,
        actor=coordinator,
        channel="email",
        address="psirt@vendor-a.test",
        attempted_at=timezone.now() - timedelta(hours=1),
        outcome="acknowledged",
        details_included=True,
    )
    actions.propose_embargo(case, actor=coordinator, ends_at=timezone.now() + timedelta(days=20))
    return case


def test_show_prints_the_states_schedule_and_timeline(contacted):
    output = show(str(contacted.pk), "--language", "en")

    assert contacted.reference in output
    assert "Stored XSS in Example CMS" in output
    assert "Phase: Vendors verifying [verifying]" in output
    assert "Embargo state: Proposed [P]" in output
    assert "World state (pxa): pxa" in output
    assert "Vendor A — Vendor [vendor]: RM Received [R], vfd Vfd, PEC No embargo" in output
    assert "#1 Stored XSS in the comment form — CWE-79" in output
    assert "CVSS 3.1 6.1 CVSS:3.1/" in output
    assert "Target publication: " in output
    assert "12:00 JST (03:00 UTC)" in output
    assert "Open proposal #" in output
    timeline = output.split("Timeline (oldest first)")[1]
    assert "Contact attempt by E-mail to psirt@vendor-a.test" in timeline
    assert timeline.index("Contact attempt") < timeline.index("Embargo proposed")


def test_show_finds_a_case_by_its_reference(case):
    assert case.reference in show(case.reference.lower(), "--language", "en")


def test_show_limits_the_timeline_to_the_newest_entries(contacted):
    output = show(str(contacted.pk), "--limit", "1", "--language", "en")

    timeline = output.split("Timeline (oldest first)")[1].strip().splitlines()
    assert len(timeline) == 1
    assert "Embargo proposed" in timeline[0]


def test_show_json_is_the_api_document_with_the_timeline_oldest_first(contacted):
    document = json.loads(show(contacted.reference, "--json", "--language", "en"))

    assert document["reference"] == contacted.reference
    assert (document["phase"], document["em_state"], document["pxa"]) == ("verifying", "P", "pxa")
    vendor = next(p for p in document["participants"] if p["name"] == "Vendor A")
    assert (vendor["rm_state"], vendor["vfd"]) == ("R", "Vfd")
    assert document["schedule"]["target_publication_at"].endswith("Z")
    stamps = [entry["at"] for entry in document["timeline"]]
    assert stamps == sorted(stamps)
    assert {"contact", "embargo", "state"} <= {entry["kind"] for entry in document["timeline"]}


def test_show_follows_the_language_option(case):
    assert case.title_ja in show(str(case.pk), "--language", "ja").splitlines()[0]
    assert case.title_en in show(str(case.pk), "--language", "en").splitlines()[0]


def test_show_refuses_an_unknown_case(db):
    with pytest.raises(CommandError, match="「KH-1999-99999」の案件はありません"):
        show("KH-1999-99999")  # the default language, Japanese
    with pytest.raises(CommandError):
        show("424242")


def test_show_refuses_a_limit_below_one(case):
    with pytest.raises(CommandError):
        show(str(case.pk), "--limit", "0")
