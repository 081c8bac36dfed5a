"""The CNA container generated from a case is valid under the official CVE JSON 5.1.1
schemas and says what the case says — no more (no unapproved status, no credit without
consent)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from kakehashi.cases import actions as case_actions
from kakehashi.cna import actions
from kakehashi.cna.checks import PUBLISHED_SCHEMA, RECORD_SCHEMA, schema_problems, validator
from kakehashi.cna.models import CveRecord
from kakehashi.cna.records import build_container, suggest_description

from .conftest import finder_report, publish_case

pytestmark = pytest.mark.django_db


def _assigned(officer, vulnerability, pool):
    return actions.assign_id(officer, vulnerability)


def test_the_generated_container_is_valid_under_the_official_schemas(
    officer, vulnerability, pool, case, world
):
    finder_report(world, case, consent=True)
    record = _assigned(officer, vulnerability, pool)
    record.references = [
        {"url": "https://jvn.example/en/jp/JVN12345678/", "tags": ["third-party-advisory"]}
    ]
    record.save()
    publish_case(case)
    container = build_container(CveRecord.objects.get(pk=record.pk))
    assert "datePublic" in container

    assert schema_problems(container) == []
    full = {
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": record.cve.cve_id,
            "assignerOrgId": container["providerMetadata"]["orgId"],
            "state": "PUBLISHED",
        },
        "containers": {"cna": container},
    }
    assert list(validator(RECORD_SCHEMA).iter_errors(full)) == []
    assert list(validator(PUBLISHED_SCHEMA).iter_errors(container)) == []


def test_the_container_carries_both_languages_metrics_cwe_product_and_consented_credit(
    officer, vulnerability, pool, case, world
):
    finder_report(world, case, consent=True, name="Taro Yamada")
    finder_report(world, case, consent=False, name="Hidden Person")
    record = _assigned(officer, vulnerability, pool)
    container = build_container(record)

    assert [d["lang"] for d in container["descriptions"]] == ["en", "ja"]
    assert container["problemTypes"][0]["descriptions"][0]["cweId"] == "CWE-79"
    v4, v3 = container["metrics"]
    assert v3["cvssV3_1"] == {
        "version": "3.1",
        "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        "baseScore": 6.1,
        "baseSeverity": "MEDIUM",
    }
    assert v4["cvssV4_0"]["version"] == "4.0"
    assert v4["cvssV4_0"]["baseSeverity"] in {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
    (product,) = container["affected"]
    assert product["vendor"] == "Vendor A"
    assert product["product"] == "Example CMS"
    assert product["cpes"] == ["cpe:2.3:a:vendor-a:example_cms:*:*:*:*:*:*:*:*"]
    assert product["packageURL"] == "pkg:pypi/example-cms"  # 5.2: without the version
    assert product["versions"] == [
        {"version": "0", "lessThanOrEqual": "3.2.0", "status": "unknown", "versionType": "python"}
    ]
    credits = {(c["type"], c["value"]) for c in container["credits"]}
    assert credits == {("finder", "Taro Yamada"), ("coordinator", "Coordination")}
    assert "Hidden Person" not in json.dumps(container)
    assert container["x_generator"]["engine"].startswith("Kakehashi ")


def test_only_approved_statuses_shape_the_versions(officer, vulnerability, pool, case, world):
    coordinator = world.user("coordinator")
    vendor = case.participants.get(organisation=world.organisations["vendor-a"])
    status = case_actions.record_vendor_status(
        case, vendor, vulnerability, actor=coordinator, status="fixed", fixed_in="3.2.1"
    )
    record = _assigned(officer, vulnerability, pool)
    unapproved = build_container(record)["affected"][0]
    assert unapproved["versions"] == [
        {"version": "0", "lessThanOrEqual": "3.2.0", "status": "unknown", "versionType": "python"}
    ]

    case_actions.approve_vendor_status(case, status, actor=coordinator)
    approved = build_container(record)["affected"][0]
    assert approved["versions"] == [
        {"version": "0", "lessThan": "3.2.1", "status": "affected", "versionType": "python"}
    ]
    assert approved["defaultStatus"] == "unaffected"


def test_the_date_public_is_the_advisory_instant(officer, vulnerability, pool, case):
    record = _assigned(officer, vulnerability, pool)
    assert "datePublic" not in build_container(record)
    published = publish_case(case)
    record = CveRecord.objects.get(pk=record.pk)
    assert build_container(record)["datePublic"] == published.published_at.isoformat()


def test_the_description_helper_drafts_in_both_languages(vulnerability):
    english = suggest_description(
        vulnerability,
        "en",
        attacker="a remote attacker",
        impact="inject a script",
        vector="a comment",
    )
    assert english.startswith("Improper Neutralization of Input During Web Page Generation")
    assert "in Vendor A Example CMS 3.2.0 and earlier allows a remote attacker" in english
    assert english.endswith("to inject a script via a comment.")
    japanese = suggest_description(vulnerability, "ja")
    assert japanese.startswith("Vendor A（日本語） が提供する Example CMS 3.2.0 and earlier には")
    assert japanese.endswith("の脆弱性が存在します。")


def test_an_assigned_record_starts_from_the_drafts(officer, vulnerability, pool):
    record = _assigned(officer, vulnerability, pool)
    assert record.description_en.startswith("Improper Neutralization")
    assert "[attacker]" in record.description_en  # left for the author
    assert record.cve.cve_id == f"CVE-{timezone.localdate().year}-1001"
