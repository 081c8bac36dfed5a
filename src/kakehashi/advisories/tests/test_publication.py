"""Drafting, approval per language, scheduled and idempotent publication, revisions,
withdrawal — and refusals that publish nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from kakehashi.advisories import actions
from kakehashi.advisories.content import publication_problems
from kakehashi.advisories.models import Advisory, AdvisoryRevision
from kakehashi.cases import actions as case_actions
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import ConcurrentChange, GuardFailed, InvalidInput

from .conftest import approve_both, later, reload

pytestmark = pytest.mark.django_db


def test_the_draft_starts_from_the_case_in_both_languages(advisory):
    assert re.fullmatch(r"JVN#\d{8}", advisory.advisory_id)
    assert advisory.slug == advisory.advisory_id.replace("#", "")
    ja, en = advisory.text("ja"), advisory.text("en")
    assert ja.title.startswith("Example CMS における格納型")
    assert "Vendor A（日本語） Example CMS 3.2.0 and earlier" in ja.affected
    assert "CWE-79" in en.description
    assert "The comment form does not escape its input." in en.description
    assert advisory.state == "draft"


def test_an_overseas_vendor_makes_it_international(case, coordinator, world):
    from kakehashi.vendors import actions as vendor_actions

    vendor_actions.register_vendor(coordinator, world.organisations["vendor-b"], overseas=True)
    advisory = actions.start_advisory(case, actor=coordinator)
    assert advisory.advisory_id.startswith("JVNVU#")


def test_one_advisory_per_case(advisory, case, coordinator):
    with pytest.raises(InvalidInput, match="already has an advisory"):
        actions.start_advisory(case, actor=coordinator)


def test_only_the_coordinator_drafts(case, world):
    for persona in ("psirt", "clerk", "cna", "outsider"):
        with pytest.raises(GuardFailed):
            actions.start_advisory(case, actor=world.user(persona))


def test_approval_of_both_languages_schedules_at_the_target(advisory, coordinator, case):
    target = later(24 * 10)
    type(case).objects.filter(pk=case.pk).update(target_publication_at=target)
    advisory = type(advisory).objects.get(pk=advisory.pk)
    approve_both(advisory, coordinator)
    assert advisory.state == "scheduled"
    assert advisory.scheduled_for == target


def test_an_agreed_embargo_end_is_the_instant(advisory, coordinator, case):
    proposal = case_actions.propose_embargo(case, actor=coordinator, ends_at=later(24 * 20))
    case_actions.accept_embargo(reload(case), proposal, actor=coordinator)
    advisory = type(advisory).objects.get(pk=advisory.pk)
    approve_both(advisory, coordinator)
    assert advisory.scheduled_for == proposal.ends_at
    assert actions.publish_if_due(advisory.pk, now=later(24 * 19)) is None
    with mock.patch("django.utils.timezone.now", return_value=proposal.ends_at):
        assert actions.publish_if_due(advisory.pk) is not None
    assert reload(case).published_at == proposal.ends_at


def test_an_edit_withdraws_the_approval_and_the_schedule(advisory, coordinator):
    approve_both(advisory, coordinator)
    en = advisory.text("en")
    actions.edit_text(
        advisory, "en", actor=coordinator, expected_version=en.version, impact="Script runs."
    )
    advisory.refresh_from_db()
    assert advisory.state == "draft"
    assert advisory.text("en").approved is False
    with pytest.raises(ConcurrentChange):
        actions.edit_text(
            advisory, "en", actor=coordinator, expected_version=en.version, impact="x"
        )


def test_a_missing_language_needs_a_recorded_waiver(advisory, coordinator):
    ja = advisory.text("ja")
    actions.approve_text(advisory, "ja", actor=coordinator, version=ja.version)
    advisory.refresh_from_db()
    assert advisory.state == "draft"
    with pytest.raises(InvalidInput, match="reason"):
        actions.waive_language(advisory, "en", actor=coordinator, reason=" ")
    actions.waive_language(advisory, "en", actor=coordinator, reason="English later")
    advisory.refresh_from_db()
    assert advisory.state == "scheduled"
    assert advisory.waived_by == coordinator


def _publish(advisory, when=None):
    return actions.publish_if_due(advisory.pk, now=when or timezone.now() + timedelta(days=400))


def test_publication_at_the_instant_writes_one_revision(advisory, coordinator, case):
    approve_both(advisory, coordinator)
    assert (
        actions.publish_if_due(advisory.pk, now=advisory.scheduled_for - timedelta(seconds=1))
        is None
    )
    revision = _publish(advisory)
    assert revision.number == 1
    assert _publish(advisory) is None  # a second run finds nothing due
    assert AdvisoryRevision.objects.count() == 1
    advisory.refresh_from_db()
    assert advisory.state == "published"
    assert reload(case).phase == "published"
    assert reload(case).published_at is not None
    content = revision.content
    assert content["texts"]["en"]["title"].startswith("Stored XSS")
    vendors = {v["name_en"]: v for v in content["vendors"]}
    assert vendors["Vendor A"]["statuses"][0]["status"] == "fixed"
    assert vendors["Vendor B"]["statuses"][0]["justification"] == "component_not_present"
    assert content["vulnerabilities"][0]["cvss_v3"]["metrics"]["AV"] == "N"
    assert revision.severity == "Medium"
    assert revision.cwe_ids == " CWE-79 "


def test_an_unapproved_statement_stops_the_publication(advisory, coordinator, case, world):
    approve_both(advisory, coordinator)
    vendor = case.participants.get(organisation=world.organisations["vendor-a"])
    vulnerability = case.vulnerabilities.get()
    case_actions.record_vendor_status(
        reload(case),
        vendor,
        vulnerability,
        actor=world.user("psirt"),
        status="affected",
        statement_en="Changed our mind",
    )
    assert _publish(advisory) is None
    advisory.refresh_from_db()
    assert advisory.state == "draft"
    assert AdvisoryRevision.objects.count() == 0
    assert reload(case).published_at is None


def test_a_failure_in_the_middle_publishes_nothing(advisory, coordinator, case):
    approve_both(advisory, coordinator)
    with (
        mock.patch("kakehashi.advisories.actions._mark_case", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        _publish(advisory)
    advisory.refresh_from_db()
    assert advisory.state == "scheduled"
    assert AdvisoryRevision.objects.count() == 0
    assert reload(case).published_at is None


def test_a_revision_after_a_vendor_update(advisory, coordinator, case, world):
    approve_both(advisory, coordinator)
    _publish(advisory)
    advisory.refresh_from_db()
    en = advisory.text("en")
    actions.edit_text(
        advisory,
        "en",
        actor=coordinator,
        expected_version=en.version,
        revision_note="Vendor B's information was updated.",
    )
    ja = advisory.text("ja")
    actions.edit_text(
        advisory,
        "ja",
        actor=coordinator,
        expected_version=ja.version,
        revision_note="ベンダ情報を更新",
    )
    approve_both(Advisory.objects.get(pk=advisory.pk), coordinator)
    revision = _publish(advisory)
    assert revision.number == 2
    history = revision.content["history"]
    assert [h["number"] for h in history] == [1, 2]
    assert history[1]["note_en"] == "Vendor B's information was updated."
    assert reload(case).phase == "updating"
    assert revision.content["published_at"] != revision.content["updated_at"]


def test_withdrawal_keeps_a_tombstone(advisory, coordinator):
    with pytest.raises(GuardFailed):
        actions.withdraw(advisory, actor=coordinator, reason_ja="", reason_en="Duplicate")
    approve_both(advisory, coordinator)
    _publish(advisory)
    actions.withdraw(advisory, actor=coordinator, reason_ja="重複", reason_en="Duplicate")
    assert Advisory.objects.published().filter(pk=advisory.pk).exists()  # still shown
    assert Advisory.objects.get(pk=advisory.pk).state == "withdrawn"


def test_the_job_publishes_what_is_due(advisory, coordinator):
    from kakehashi.advisories.tasks import publish_due_advisories

    approve_both(advisory, coordinator)
    Advisory.objects.filter(pk=advisory.pk).update(
        scheduled_for=timezone.now() - timedelta(minutes=1)
    )
    assert publish_due_advisories.call() == 1
    assert publish_due_advisories.call() == 0


def test_an_export_failing_its_validator_publishes_nothing(advisory, coordinator, case):
    case.vulnerabilities.update(cve_id="CVE-2026-12")  # a typo: CVE numbers have 4+ digits
    approve_both(advisory, coordinator)
    advisory.refresh_from_db()
    assert advisory.state == "draft"  # not scheduled: the problem is shown instead
    problems = " ".join(publication_problems(advisory))
    assert "CSAF (en) is not valid at vulnerabilities/0/cve" in problems

    # Had it been scheduled before the typo, the job refuses it just the same.
    case.vulnerabilities.update(cve_id="CVE-2026-12345")
    actions._schedule_if_ready(Advisory.objects.get(pk=advisory.pk), coordinator)
    assert Advisory.objects.get(pk=advisory.pk).state == "scheduled"
    case.vulnerabilities.update(cve_id="CVE-2026-12")
    assert _publish(advisory) is None
    assert AdvisoryRevision.objects.count() == 0
    assert Advisory.objects.get(pk=advisory.pk).state == "draft"
    refused = AuditEvent.objects.filter(action="advisory.publication_refused").last()
    assert any("CSAF" in p for p in refused.data["problems"])
