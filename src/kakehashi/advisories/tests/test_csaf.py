"""CSAF 2.0 documents of published advisories, checked with the official validator
(the ``csaf`` package, CSAF 2.0 schema and mandatory tests, no network)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from csaf.csaf.v20 import validate_file
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from kakehashi.advisories import actions
from kakehashi.advisories.exports.csaf import csaf_document, file_name
from kakehashi.advisories.models import Advisory
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Participant, Vulnerability
from kakehashi.intake.models import Report
from kakehashi.intake.tests.factories import make_report

from .conftest import approve_both, reload

pytestmark = pytest.mark.django_db


def csaf_failures(document: dict, directory: Path) -> list[str]:
    """The failed checks of the CSAF 2.0 validator (schema and mandatory tests)."""
    path = directory / file_name(document["document"]["tracking"]["id"])
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = validate_file(path)
    failures = [f"{t.id} {t.title}: {t.errors}" for t in result.results if not t.passed]
    assert result.overall_valid == (failures == [])
    return failures


def publish(advisory: Advisory, days: int = 400) -> Advisory:
    actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=days))
    return Advisory.objects.get(pk=advisory.pk)


def fetch(advisory: Advisory, name: str = "csaf.json") -> dict:
    response = Client().get(f"/advisories/{advisory.slug}/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def _ids(document: dict) -> dict[str, str]:
    """Product name → product ID, through the whole tree."""
    found: dict[str, str] = {}

    def walk(branches: list[dict]) -> None:
        for branch in branches:
            if "product" in branch:
                found[branch["product"]["name"]] = branch["product"]["product_id"]
            walk(branch.get("branches", []))

    walk(document["product_tree"]["branches"])
    return found


@pytest.mark.parametrize(
    ("tracking_id", "expected"),
    [
        ("JVN#12345678", "jvn_12345678.json"),
        ("JVNVU#98765432", "jvnvu_98765432.json"),
        ("ICS-2026-0001", "ics-2026-0001.json"),
        ("A+B  c", "a+b_c.json"),
    ],
)
def test_file_names_follow_the_csaf_rule(tracking_id, expected):
    assert file_name(tracking_id) == expected


def test_a_fixed_and_a_not_affected_vendor(advisory, coordinator, tmp_path):
    approve_both(advisory, coordinator)
    advisory = publish(advisory)
    document = fetch(advisory)
    assert csaf_failures(document, tmp_path) == []
    meta = document["document"]
    assert meta["category"] == "csaf_security_advisory"
    assert meta["csaf_version"] == "2.0"
    assert meta["lang"] == "en"
    assert meta["distribution"]["tlp"]["label"] == "WHITE"
    assert meta["publisher"] == {
        "category": "coordinator",
        "name": "Kakehashi",
        "namespace": "http://127.0.0.1:8000",
    }
    tracking = meta["tracking"]
    assert tracking["id"] == advisory.advisory_id
    assert (tracking["status"], tracking["version"]) == ("final", "1")
    assert [h["number"] for h in tracking["revision_history"]] == ["1"]
    assert f"/ja/advisories/{advisory.slug}/" in {r["url"][21:] for r in meta["references"]}
    ids = _ids(document)
    affected = ids["Vendor A Example CMS 3.2.0 and earlier"]
    fixed = ids["Vendor A Example CMS 3.2.1"]
    vendor_b = ids["Vendor B All products"]
    (vulnerability,) = document["vulnerabilities"]
    assert "cve" not in vulnerability
    assert vulnerability["cwe"]["id"] == "CWE-79"
    assert vulnerability["product_status"] == {
        "known_affected": [affected],
        "fixed": [fixed],
        "known_not_affected": [vendor_b],
    }
    assert vulnerability["flags"] == [{"label": "component_not_present", "product_ids": [vendor_b]}]
    assert vulnerability["threats"][0]["details"] == "Statement of Vendor B"
    (remediation,) = vulnerability["remediations"]
    assert remediation["category"] == "vendor_fix"
    assert remediation["details"].startswith("Update to 3.2.1.")
    (score,) = vulnerability["scores"]
    assert score["products"] == [affected]
    assert score["cvss_v3"]["baseScore"] == 6.1
    assert score["cvss_v3"]["baseSeverity"] == "MEDIUM"
    assert score["cvss_v3"]["scope"] == "CHANGED"


def _second_vulnerability_under_investigation(case, coordinator, world):
    """Vendor A adds a package product; a second vulnerability with a CVE that vendor A
    is investigating for one product and confirms for the other."""
    vendor_a = case.participants.get(organisation=world.organisations["vendor-a"])
    package = case_actions.add_product(
        reload(case),
        vendor_a,
        actor=coordinator,
        name="example-cms-plugin",
        cpe="cpe:2.3:a:vendor-a:example_cms_plugin:*:*:*:*:*:*:*:*",
        purl="pkg:pypi/example-cms-plugin",
    )
    second = case_actions.add_vulnerability(
        reload(case),
        actor=coordinator,
        title_en="SQL injection in the search",
        title_ja="検索機能における SQL インジェクション",
        cwe_id="CWE-89",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
    )
    Vulnerability.objects.filter(pk=second.pk).update(cve_id="CVE-2026-20001")
    cms = case.products.get(name="Example CMS")
    for product, status in ((cms, "under_investigation"), (package, "affected")):
        recorded = case_actions.record_vendor_status(
            reload(case),
            vendor_a,
            second,
            actor=coordinator,
            status=status,
            product=product,
            statement_en=f"{product.name}: {status}, see https://a.example/sa/{product.pk}.",
        )
        case_actions.approve_vendor_status(reload(case), recorded, actor=coordinator)
    return package


def test_several_products_and_vulnerabilities(case, advisory, coordinator, world, tmp_path):
    _second_vulnerability_under_investigation(case, coordinator, world)
    for consent, name in ((True, "Taro Yamada"), (False, "Hidden Finder")):
        report = make_report(world, publish_credit=consent, credit_name=name)
        Report.objects.filter(pk=report.pk).update(case=case)
    approve_both(advisory, coordinator)
    document = fetch(publish(advisory))
    assert csaf_failures(document, tmp_path) == []
    ids = _ids(document)
    # no version text: the vendor-wide fixed version bounds the affected ones
    plugin = ids["Vendor A example-cms-plugin versions before 3.2.1"]
    cms = ids["Vendor A Example CMS 3.2.0 and earlier"]
    vendor_b = ids["Vendor B All products"]
    first, second = document["vulnerabilities"]
    # the vendor-wide "fixed" of the first vulnerability covers the plugin too
    assert set(first["product_status"]["known_affected"]) == {cms, plugin}
    assert second["cve"] == "CVE-2026-20001"
    assert second["product_status"] == {
        "under_investigation": [cms, vendor_b],
        "known_affected": [plugin],
    }
    assert second["scores"][0]["cvss_v3"]["baseSeverity"] == "HIGH"
    assert second["scores"][0]["products"] == [plugin]
    vendor_links = [
        r for r in document["document"]["references"] if r["url"].startswith("https://a.example/")
    ]
    assert [r["summary"] for r in vendor_links] == ["Information from Vendor A"] * 2
    assert {r["url"] for r in vendor_links} == {
        f"https://a.example/sa/{pk}" for pk in case.products.values_list("pk", flat=True)
    }
    (acknowledgement,) = document["document"]["acknowledgements"]
    assert acknowledgement["names"] == ["Taro Yamada"]  # only with the finder's consent
    helper = _helpers(document)[plugin]
    assert helper == {
        "cpe": "cpe:2.3:a:vendor-a:example_cms_plugin:*:*:*:*:*:*:*:*",
        "purl": "pkg:pypi/example-cms-plugin",
    }


def _helpers(document: dict) -> dict[str, dict]:
    found = {}
    for vendor in document["product_tree"]["branches"]:
        for product in vendor["branches"]:
            leaves = [product, *product.get("branches", [])]
            for leaf in leaves:
                if "product" in leaf:
                    found[leaf["product"]["product_id"]] = leaf["product"].get(
                        "product_identification_helper", {}
                    )
    return found


def test_a_revision_is_a_new_version_with_its_history(advisory, coordinator, tmp_path):
    approve_both(advisory, coordinator)
    publish(advisory, days=400)
    advisory.refresh_from_db()
    for language in ("en", "ja"):
        text = advisory.text(language)
        actions.edit_text(
            advisory,
            language,
            actor=coordinator,
            expected_version=text.version,
            revision_note="Vendor B's statement was added." if language == "en" else "更新",
        )
    approve_both(Advisory.objects.get(pk=advisory.pk), coordinator)
    document = fetch(publish(advisory, days=401))
    assert csaf_failures(document, tmp_path) == []
    tracking = document["document"]["tracking"]
    assert tracking["version"] == "2"
    assert [h["summary"] for h in tracking["revision_history"]] == [
        "Initial release",
        "Vendor B's statement was added.",
    ]
    assert tracking["current_release_date"] > tracking["initial_release_date"]


def test_a_waived_english_text_gives_a_japanese_document(advisory, coordinator, tmp_path):
    actions.waive_language(advisory, "en", actor=coordinator, reason="Domestic product only.")
    ja = advisory.text("ja")
    actions.approve_text(advisory, "ja", actor=coordinator, version=ja.version)
    document = fetch(publish(advisory))
    assert csaf_failures(document, tmp_path) == []
    assert document["document"]["lang"] == "ja"
    assert document["document"]["title"].startswith("Example CMS における")
    assert document["vulnerabilities"][0]["title"].startswith("コメント欄")
    assert document["document"]["tracking"]["id"] == advisory.advisory_id
    assert Client().get(f"/advisories/{advisory.slug}/csaf-en.json").status_code == 404


def test_the_japanese_document_is_a_document_of_its_own(advisory, coordinator, tmp_path):
    approve_both(advisory, coordinator)
    advisory = publish(advisory)
    english = fetch(advisory)
    assert fetch(advisory, "csaf-en.json") == english
    japanese = fetch(advisory, "csaf-ja.json")
    assert csaf_failures(japanese, tmp_path) == []
    meta = japanese["document"]
    assert meta["lang"] == "ja"
    assert "source_lang" not in meta
    assert meta["tracking"]["id"] == f"{advisory.advisory_id}-ja"
    assert meta["title"].startswith("Example CMS における")
    assert meta["notes"][0]["title"] == "概要"
    english_url = english["document"]["references"][0]["url"]
    japanese_url = meta["references"][0]["url"]
    assert english_url.endswith("/" + file_name(advisory.advisory_id))
    assert japanese_url.endswith("/" + file_name(f"{advisory.advisory_id}-ja"))
    assert english_url in {r["url"] for r in meta["references"]}
    assert japanese_url in {r["url"] for r in english["document"]["references"]}
    # same products, same IDs, same statuses in both languages
    assert [v["product_status"] for v in japanese["vulnerabilities"]] == [
        v["product_status"] for v in english["vulnerabilities"]
    ]


def test_without_a_conclusive_status_the_document_is_base_csaf(
    case, advisory, coordinator, world, tmp_path
):
    """The security advisory profile needs, per vulnerability, a status other than
    "under investigation"; until then the document is published as csaf_base."""
    from kakehashi.cases.models import VendorStatus

    VendorStatus.objects.filter(case=case).delete()
    vendor_a = case.participants.get(organisation=world.organisations["vendor-a"])
    recorded = case_actions.record_vendor_status(
        reload(case),
        vendor_a,
        case.vulnerabilities.get(),
        actor=coordinator,
        status="under_investigation",
    )
    case_actions.approve_vendor_status(reload(case), recorded, actor=coordinator)
    approve_both(advisory, coordinator)
    document = fetch(publish(advisory))
    assert csaf_failures(document, tmp_path) == []
    assert document["document"]["category"] == "csaf_base"
    (vulnerability,) = document["vulnerabilities"]
    assert list(vulnerability["product_status"]) == ["under_investigation"]
    as_advisory = {
        **document,
        "document": {**document["document"], "category": "csaf_security_advisory"},
    }
    assert any(f.startswith("6.1.27 ") for f in csaf_failures(as_advisory, tmp_path))


def test_an_advisory_without_vulnerabilities_has_no_csaf_document(advisory, coordinator):
    Vulnerability.objects.filter(case=advisory.case).delete()
    approve_both(advisory, coordinator)
    advisory = publish(advisory)
    assert advisory.current_revision.content["vulnerabilities"] == []
    assert Client().get(f"/advisories/{advisory.slug}/csaf.json").status_code == 404


def test_a_draft_has_no_csaf_document(advisory, coordinator):
    approve_both(advisory, coordinator)  # scheduled, not yet published
    assert Client().get(f"/advisories/{advisory.slug}/csaf.json").status_code == 404
    assert Client().get("/advisories/NOSUCH00000000/csaf.json").status_code == 404


def test_the_document_is_built_from_the_frozen_revision(advisory, coordinator, case, world):
    approve_both(advisory, coordinator)
    advisory = publish(advisory)
    before = fetch(advisory)
    # a later edit of the case and of the draft changes nothing until the next revision
    Participant.objects.filter(case=case).update(removed_at=timezone.now())
    actions.edit_text(
        advisory, "en", actor=coordinator, expected_version=advisory.text("en").version, title="New"
    )
    cache.clear()  # the document is cached per revision: rebuild it
    assert fetch(advisory) == before
    content = advisory.current_revision.content
    assert csaf_document(content, "en", {"en": "https://x.test/a.json"}) is not None


def test_the_publisher_comes_from_the_settings(advisory, coordinator, settings, tmp_path):
    approve_both(advisory, coordinator)
    advisory = publish(advisory)
    assert fetch(advisory)["document"]["publisher"]["name"] == "Kakehashi"
    settings.KAKEHASHI_CSAF_PUBLISHER_NAME = "JPCERT/CC"
    settings.KAKEHASHI_CSAF_PUBLISHER_NAMESPACE = "https://www.jpcert.or.jp"
    document = fetch(advisory)  # a new publisher is not served from the cache
    assert csaf_failures(document, tmp_path) == []
    assert document["document"]["publisher"] == {
        "category": "coordinator",
        "name": "JPCERT/CC",
        "namespace": "https://www.jpcert.or.jp",
    }
    metadata = Client().get("/.well-known/csaf/provider-metadata.json").json()
    assert metadata["publisher"] == document["document"]["publisher"]


def test_a_disputed_status_is_published_with_the_vendors_reason(
    case, advisory, coordinator, world, tmp_path
):
    """The vendor table and the CSAF threat both say why the vendor disputes the report."""
    from kakehashi.cases.models import VendorStatus

    reason = "The product never parses the affected input."
    VendorStatus.objects.filter(case=case).delete()
    vendor_a = case.participants.get(organisation=world.organisations["vendor-a"])
    recorded = case_actions.record_vendor_status(
        reload(case),
        vendor_a,
        case.vulnerabilities.get(),
        actor=coordinator,
        status="disputed",
        reason=reason,
    )
    case_actions.approve_vendor_status(reload(case), recorded, actor=coordinator)
    approve_both(advisory, coordinator)
    published = publish(advisory)
    document = fetch(published)
    assert csaf_failures(document, tmp_path) == []
    (vulnerability,) = document["vulnerabilities"]
    assert "known_not_affected" in vulnerability["product_status"]
    assert any(reason in threat["details"] for threat in vulnerability["threats"])
    for language in ("ja", "en"):
        page = Client().get(f"/{language}/advisories/{published.slug}/").content.decode()
        assert reason in page, language
