"""Each CNA-rules failure is reported at its field; the schema's own errors too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case
from kakehashi.cna import actions
from kakehashi.cna.checks import ERROR, WARNING, blocking, check_record, schema_problems
from kakehashi.cna.models import CveRecord
from kakehashi.cna.records import build_container
from kakehashi.core.workflow import InvalidInput

from .conftest import publish_case

pytestmark = pytest.mark.django_db

ADVISORY = {"url": "https://jvn.example/en/jp/JVN12345678/", "tags": ["third-party-advisory"]}


@pytest.fixture
def record(officer, vulnerability, pool, case):
    record = actions.assign_id(officer, vulnerability)
    record.description_en = (
        "Cross-site scripting in Vendor A Example CMS 3.2.0 and earlier allows a remote "
        "attacker to inject an arbitrary script via a comment."
    )
    record.references = [ADVISORY]
    record.save()
    publish_case(case)
    return CveRecord.objects.get(pk=record.pk)


def _problems(record, now=None):
    container = build_container(record)
    return {
        (p.field, p.severity): p.message
        for p in check_record(container, record.cve.vulnerability.case, now)
    }


def test_a_complete_record_of_a_published_advisory_passes(record):
    assert blocking(check_record(build_container(record), record.cve.vulnerability.case)) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("XSS in Example CMS, reported by Taro Yamada.", "Credit people in the credits"),
        ("XSS in Example CMS. Thanks to the finder.", "Credit people in the credits"),
        ("XSS in Example CMS (JVN#12345678).", "Advisory and case IDs belong in the references"),
        (
            "XSS in Example CMS, see JVNVU#99999999.",
            "Advisory and case IDs belong in the references",
        ),
    ],
)
def test_credits_and_advisory_ids_in_the_description_are_refused(record, text, message):
    record.description_en = text
    problems = _problems(record)
    assert message in problems[("descriptions/0/value", ERROR)]


def test_a_japanese_description_with_a_credit_is_refused_at_its_own_field(record):
    record.description_ja = "山田太郎氏が報告した脆弱性です。"
    problems = _problems(record)
    assert "Credit people" in problems[("descriptions/1/value", ERROR)]


def test_an_english_description_is_required(record):
    record.description_en = ""
    record.description_ja = "日本語の説明のみ。"
    problems = _problems(record)
    assert problems[("descriptions", ERROR)] == "An English description is required."
    # The schema says so too (its "contains" an English entry).
    assert any(p.field == "descriptions" for p in schema_problems(build_container(record)))


def test_a_cwe_and_a_reference_are_required(record):
    vulnerability = record.cve.vulnerability
    vulnerability.cwe_id = ""
    record.references = []
    problems = _problems(record)
    assert problems[("problemTypes", ERROR)] == "Give the weakness as a CWE ID."
    assert "At least one public reference" in problems[("references", ERROR)]


def test_the_record_waits_for_the_advisory(officer, vulnerability, pool):
    record = actions.assign_id(officer, vulnerability)
    record.references = [ADVISORY]
    problems = _problems(record)
    assert "The advisory is not public yet" in problems[("references", ERROR)]


def test_only_unaffected_products_are_refused(record, world):
    case = record.cve.vulnerability.case
    coordinator = world.user("coordinator")
    vendor = case.participants.get(organisation=world.organisations["vendor-a"])
    status = case_actions.record_vendor_status(
        case,
        vendor,
        record.cve.vulnerability,
        actor=coordinator,
        status="not_affected",
        justification="component_not_present",
    )
    case_actions.approve_vendor_status(case, status, actor=coordinator)
    problems = _problems(CveRecord.objects.get(pk=record.pk))
    assert "not only unaffected" in problems[("affected", ERROR)]


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(1, None), (30, "Publish soon"), (80, "Overdue")],
)
def test_the_72_hour_rule_warns_from_24_hours(record, hours, expected):
    case = publish_case(record.cve.vulnerability.case, hours_ago=hours)
    problems = check_record(build_container(record), case, timezone.now())
    warnings = [p.message for p in problems if p.severity == WARNING]
    if expected is None:
        assert warnings == []
    else:
        (warning,) = warnings
        assert warning.startswith(expected)
    assert blocking(problems) == []  # late is late: it never blocks publication


def test_the_72_hour_rule_counts_from_an_earlier_public_event(record, world):
    case = record.cve.vulnerability.case
    case_actions.record_case_event(
        case,
        "P",
        actor=world.user("coordinator"),
        occurred_at=timezone.now() - timedelta(hours=50),
        source="A blog post",
    )
    problems = check_record(build_container(record), Case.objects.get(pk=case.pk))
    assert [p.message[:12] for p in problems if p.severity == WARNING] == ["Publish soon"]


def test_schema_errors_name_the_field(record):
    container = build_container(record)
    container["metrics"][0]["cvssV4_0"]["baseSeverity"] = "Severe"
    container["references"][0]["tags"] = ["not-a-tag"]
    fields = {p.field for p in schema_problems(container)}
    assert fields == {"metrics/0/cvssV4_0/baseSeverity", "references/0/tags/0"}


def test_publishing_an_incomplete_record_is_refused_with_every_reason(officer, record):
    record.description_en = "XSS, reported by Taro."
    record.save()
    record.cve.vulnerability.cwe_id = ""
    record.cve.vulnerability.save()
    fresh = CveRecord.objects.get(pk=record.pk)
    with pytest.raises(InvalidInput) as refused:
        actions.publish_record(officer, fresh)
    assert "descriptions/0/value" in str(refused.value)
    assert "problemTypes" in str(refused.value)
    assert CveRecord.objects.get(pk=record.pk).sync_state == "draft"
