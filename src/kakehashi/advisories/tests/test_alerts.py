"""Alerts (JVNTA#, 注意喚起): without a case, entered by hand and published at once or at
a chosen time; from a case whose exploit went public (scenario 4); in every public
output, each valid under its validator."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation
from lxml import etree

from kakehashi.advisories import actions
from kakehashi.advisories.exports.checks import export_problems, jvnrss_schema, vuldef_schema
from kakehashi.advisories.exports.csaf import csaf_document, document_languages
from kakehashi.advisories.exports.osv import osv_document
from kakehashi.advisories.models import Advisory, AdvisoryRevision
from kakehashi.cases import actions as case_actions
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import GuardFailed, InvalidInput

from .conftest import approve_both, later, reload
from .test_csaf import csaf_failures
from .test_osv import _errors as osv_errors

pytestmark = pytest.mark.django_db

ALERT_JA = "注意喚起標識カワセミ"  # distinctive strings for the leak crawl
ALERT_EN = "kingfisher-alert-marker"


def _alert(world, coordinator, *, products: bool = True) -> Advisory:
    alert = actions.create_alert(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_ja=f"Example Gateway の認証回避の脆弱性 {ALERT_JA}",
        title_en=f"Authentication bypass in Example Gateway {ALERT_EN}",
    )
    for language, fields in (
        (
            "ja",
            {
                "overview": "攻撃が観測されています。回避策を直ちに適用してください。",
                "affected": "- Example Gateway 4.2.0 およびそれ以前",
                "solution": "**回避策**\n\n管理画面へのアクセスを制限してください。",
            },
        ),
        (
            "en",
            {
                "overview": "Attacks are observed. Apply the workarounds at once.",
                "affected": "- Example Gateway 4.2.0 and earlier",
                "solution": "**Workarounds**\n\nRestrict access to the management page.",
            },
        ),
    ):
        text = alert.text(language)
        actions.edit_text(
            alert, language, actor=coordinator, expected_version=text.version, **fields
        )
    if products:
        actions.set_alert_facts(
            alert,
            actor=coordinator,
            cve_ids="CVE-2026-40001, cve-2026-40002",
            cwe_id="CWE-287",
            cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        )
        actions.add_alert_product(
            alert,
            actor=coordinator,
            vendor_ja="Example 株式会社",
            vendor_en="Example Inc.",
            name="Example Gateway",
            versions="4.2.0 and earlier",
            purl="pkg:pypi/example-gateway",
        )
    return Advisory.objects.get(pk=alert.pk)


def _publish_now(alert: Advisory) -> AdvisoryRevision:
    with TestCase.captureOnCommitCallbacks(execute=True):
        revision = actions.publish_if_due(alert.pk, now=timezone.now() + timedelta(seconds=1))
    assert revision is not None
    return revision


# --- without a case --------------------------------------------------------------------


def test_a_coordinator_opens_an_alert_without_a_case(world, coordinator):
    alert = actions.create_alert(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="X"
    )
    assert re.fullmatch(r"JVNTA#\d{8}", alert.advisory_id)
    assert alert.case is None and alert.kind == "alert" and alert.state == "draft"
    assert {t.language for t in alert.texts.all()} == {"ja", "en"}
    assert AuditEvent.objects.filter(action="advisory.started", case_id=None).exists()


@pytest.mark.parametrize("persona", ["translator", "cna", "clerk", "psirt", "finder", "outsider"])
def test_only_coordinators_issue_alerts(world, persona):
    with pytest.raises(GuardFailed):
        actions.create_alert(
            actor=world.user(persona), coordinator_org=world.organisations["coordination"]
        )


def test_an_alert_is_issued_only_in_a_coordinators_name(world):
    with pytest.raises(GuardFailed):
        actions.create_alert(
            actor=world.user("admin"), coordinator_org=world.organisations["vendor-a"]
        )


def test_an_approved_alert_goes_out_at_once_in_every_format(world, coordinator, tmp_path):
    alert = _alert(world, coordinator)
    approve_both(alert, coordinator)
    assert alert.state == "scheduled"
    assert alert.scheduled_for <= timezone.now()
    revision = _publish_now(alert)
    content = revision.content
    assert content["kind"] == "alert"
    assert [v["cve_id"] for v in content["vulnerabilities"]] == ["CVE-2026-40001", "CVE-2026-40002"]
    assert content["vulnerabilities"][0]["cwe_id"] == "CWE-287"
    assert content["vendors"][0]["name_ja"] == "Example 株式会社"
    assert revision.severity == "Critical"
    assert export_problems(revision) == []
    urls = {lang: f"https://example.org/{lang}.json" for lang in document_languages(content)}
    for language in ("en", "ja"):
        document = csaf_document(content, language, urls)
        assert document is not None
        assert document["document"]["category"] == "csaf_security_advisory"
        assert csaf_failures(document, tmp_path) == []
    osv = osv_document(content)
    assert osv is not None and osv_errors(osv) == []
    assert osv["aliases"] == ["CVE-2026-40001", "CVE-2026-40002"]
    assert osv["affected"][0]["package"]["name"] == "example-gateway"
    for language in ("ja", "en"):
        with translation.override(language):
            vuldef = Client().get(reverse("exports:vuldef", kwargs={"slug": alert.slug}))
        assert vuldef_schema().validate(etree.fromstring(vuldef.content))
    rss = Client().get(reverse("exports:jvnrss")).content
    assert jvnrss_schema().validate(etree.fromstring(rss)) and ALERT_JA.encode() in rss


def test_an_alert_without_products_is_published_without_csaf_or_osv(world, coordinator):
    alert = _alert(world, coordinator, products=False)
    approve_both(alert, coordinator)
    revision = _publish_now(alert)
    assert revision.content["vulnerabilities"] == []
    assert export_problems(revision) == []
    assert Client().get(f"/advisories/{alert.slug}/csaf.json").status_code == 404
    assert Client().get(f"/advisories/{alert.slug}/osv.json").status_code == 404
    assert ALERT_EN in Client().get(f"/en/advisories/{alert.slug}/").content.decode()


def test_a_change_of_the_facts_needs_approval_again(world, coordinator):
    alert = _alert(world, coordinator)
    approve_both(alert, coordinator)
    assert alert.state == "scheduled"
    actions.set_alert_facts(alert, actor=coordinator, cve_ids="CVE-2026-40001")
    alert = Advisory.objects.get(pk=alert.pk)
    assert alert.state == "draft" and alert.scheduled_for is None
    assert not any(t.approved for t in alert.texts.all())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cve_ids": "CVE-26-1"}, "not a CVE ID"),
        ({"cve_ids": "", "cwe_id": "CWE-999999"}, "not a known CWE"),
        ({"cve_ids": "", "cvss_v3_vector": "CVSS:3.1/AV:X"}, "CVSS v3.1 vector is not valid"),
        ({"cve_ids": "", "cvss_v4_vector": "CVSS:3.1/AV:N"}, "starts with"),
    ],
)
def test_bad_facts_are_refused_and_nothing_changes(world, coordinator, fields, message):
    alert = _alert(world, coordinator)
    versions = {t.language: t.version for t in alert.texts.all()}
    with pytest.raises(InvalidInput, match=message):
        actions.set_alert_facts(alert, actor=coordinator, **fields)
    alert = Advisory.objects.get(pk=alert.pk)
    assert alert.cve_ids == ["CVE-2026-40001", "CVE-2026-40002"]
    assert {t.language: t.version for t in alert.texts.all()} == versions


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"vendor_en": "", "name": "Gateway"}, "vendor"),
        ({"vendor_en": "X", "name": "Gateway", "cpe": "cpe:/a:x"}, "CPE 2.3"),
        ({"vendor_en": "X", "name": "Gateway", "purl": "example-gateway"}, "package URL"),
    ],
)
def test_bad_products_are_refused(world, coordinator, fields, message):
    alert = _alert(world, coordinator, products=False)
    with pytest.raises(InvalidInput, match=message):
        actions.add_alert_product(alert, actor=coordinator, **fields)
    assert not alert.alert_products.exists()


def test_a_case_advisorys_facts_come_from_its_case(advisory, coordinator):
    with pytest.raises(GuardFailed, match="from its case"):
        actions.set_alert_facts(advisory, actor=coordinator, cve_ids="CVE-2026-40001")


def test_a_chosen_instant_and_nothing_public_before_it(world, coordinator):
    alert = _alert(world, coordinator)
    instant = later(3)
    with pytest.raises(InvalidInput, match="future"):
        actions.set_publication_time(alert, actor=coordinator, at=later(-1))
    actions.set_publication_time(alert, actor=coordinator, at=instant)
    approve_both(Advisory.objects.get(pk=alert.pk), coordinator)
    alert = Advisory.objects.get(pk=alert.pk)
    assert alert.state == "scheduled" and alert.scheduled_for == instant
    urls = _public_urls(alert.slug)
    digits = alert.slug[-8:]  # in every file of it, the CSAF file names included
    for url, (status, body) in _crawl(urls).items():
        if "?q=" in url:  # the query is echoed in the form; the results must be empty
            assert digits not in body, url
            continue
        assert ALERT_EN not in body and ALERT_JA not in body, url
        if alert.slug in url:  # its own URLs do not exist yet (the 404 page links the path)
            assert status == 404, url
        else:
            assert digits not in body, url
    assert actions.publish_if_due(alert.pk, now=instant - timedelta(seconds=1)) is None
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert actions.publish_if_due(alert.pk, now=instant) is not None
    after = _crawl(urls)
    for url in urls:
        if url.endswith(("/ja/", "/en/")):  # the home page lists no advisory
            continue
        status, body = after[url]
        assert status == 200, url
        if not url.endswith("provider-metadata.json"):  # it names the feeds, not documents
            assert digits in body, url


def _public_urls(slug: str) -> list[str]:
    urls = []
    for language in ("ja", "en"):
        with translation.override(language):
            urls += [
                reverse("core:home"),
                reverse("advisories:list"),
                reverse("advisories:list") + "?kind=alert",
                reverse("advisories:list") + f"?q={ALERT_JA}",
                reverse("advisories:list") + f"?q={ALERT_EN}",
                reverse("advisories:page", kwargs={"slug": slug}),
                reverse("feeds:advisories"),
            ]
    urls += [reverse(f"exports:{name}") for name in ("jvnrss", "jvnrss_en", "osv_all")]
    urls += [
        reverse(f"exports:{name}")
        for name in ("csaf_index", "csaf_changes", "csaf_feed", "csaf_provider_metadata")
    ]
    urls += [
        reverse(f"exports:{name}", kwargs={"slug": slug})
        for name in ("vuldef", "vuldef_en", "osv", "csaf", "csaf_en", "csaf_ja")
    ]
    return urls


def _crawl(urls: list[str]) -> dict[str, tuple[int, str]]:
    client = Client()
    return {url: (r.status_code, r.content.decode()) for url in urls for r in [client.get(url)]}


def test_a_fix_becomes_a_new_revision(world, coordinator):
    alert = _alert(world, coordinator)
    approve_both(alert, coordinator)
    _publish_now(alert)
    product = alert.alert_products.get()
    actions.remove_alert_product(alert, product.pk, actor=coordinator)
    actions.add_alert_product(
        alert,
        actor=coordinator,
        vendor_en="Example Inc.",
        name="Example Gateway",
        versions="4.2.0 and earlier",
        fixed_in="4.2.1",
        purl="pkg:pypi/example-gateway",
    )
    approve_both(Advisory.objects.get(pk=alert.pk), coordinator)
    revision = _publish_now(alert)
    assert revision.number == 2
    statuses = revision.content["vendors"][0]["statuses"]
    assert {s["status"] for s in statuses} == {"fixed"}
    assert osv_document(revision.content)["affected"][0]["ranges"][0]["events"][1] == {
        "fixed": "4.2.1"
    }
    assert export_problems(revision) == []


def test_a_published_alert_is_withdrawn_with_a_tombstone(world, coordinator):
    alert = _alert(world, coordinator)
    approve_both(alert, coordinator)
    _publish_now(alert)
    actions.withdraw(alert, actor=coordinator, reason_ja="誤報", reason_en="Issued in error.")
    body = Client().get(f"/en/advisories/{alert.slug}/").content.decode()
    assert "Issued in error." in body


# --- from a case: scenario 4 (zero-day) -----------------------------------------------


def test_zero_day_an_exploit_ends_the_embargo_and_the_alert_goes_out_the_same_day(
    case, coordinator, world
):
    proposal = case_actions.propose_embargo(case, actor=coordinator, ends_at=later(24 * 30))
    case_actions.accept_embargo(reload(case), proposal, actor=coordinator)
    assert reload(case).embargo_in_force
    alert = actions.start_advisory(reload(case), actor=coordinator, kind="alert")
    assert alert.advisory_id.startswith("JVNTA#")
    with pytest.raises(GuardFailed, match="under embargo"):
        actions.set_publication_time(alert, actor=coordinator, at=None, now=True)

    case_actions.record_case_event(
        reload(case), "X", actor=coordinator, source="PoC on a public repository"
    )
    assert not reload(case).embargo_in_force  # the SHALL rule: X ends the embargo at once
    actions.set_publication_time(alert, actor=coordinator, at=None, now=True)
    approve_both(Advisory.objects.get(pk=alert.pk), coordinator)
    alert = Advisory.objects.get(pk=alert.pk)
    assert alert.state == "scheduled"
    assert alert.scheduled_for <= timezone.now() + timedelta(seconds=5)  # not the target
    revision = _publish_now(alert)
    assert reload(case).phase == "published"
    assert export_problems(revision) == []

    # Later the vendor ships a fix: a new revision.
    en = alert.text("en")
    actions.edit_text(
        alert, "en", actor=coordinator, expected_version=en.version, revision_note="Fix released."
    )
    approve_both(Advisory.objects.get(pk=alert.pk), coordinator)
    assert _publish_now(alert).number == 2
    assert reload(case).phase == "updating"


def test_an_alert_from_a_case_is_drafted_as_urgent(case, coordinator):
    case_actions.record_case_event(case, "A", actor=coordinator, source="Reports of attacks")
    alert = actions.start_advisory(reload(case), actor=coordinator, kind="alert")
    en = alert.text("en")
    assert "Attacks exploiting this vulnerability have been observed." in en.overview
    assert "Workarounds" in en.solution
    assert "Stored XSS in Example CMS" in en.title


def test_an_advisory_is_not_published_at_a_chosen_time(advisory, coordinator):
    with pytest.raises(GuardFailed, match="Only an alert"):
        actions.set_publication_time(advisory, actor=coordinator, at=later(2))


def test_an_embargo_agreed_after_scheduling_holds_the_publication(advisory, coordinator, case):
    target = later(24 * 10)
    type(case).objects.filter(pk=case.pk).update(target_publication_at=target)
    approve_both(Advisory.objects.get(pk=advisory.pk), coordinator)
    proposal = case_actions.propose_embargo(reload(case), actor=coordinator, ends_at=later(24 * 20))
    case_actions.accept_embargo(reload(case), proposal, actor=coordinator)
    assert actions.publish_if_due(advisory.pk, now=target + timedelta(hours=1)) is None
    advisory = Advisory.objects.get(pk=advisory.pk)
    assert advisory.state == "scheduled" and advisory.scheduled_for == proposal.ends_at
    assert not AdvisoryRevision.objects.exists()
    with mock.patch("django.utils.timezone.now", return_value=proposal.ends_at):
        assert actions.publish_if_due(advisory.pk) is not None


# --- through HTTP ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("admin", 200),
        ("translator", 404),
        ("cna", 404),
        ("psirt", 404),
        ("clerk", 404),
        ("outsider", 404),
    ],
)
def test_an_unpublished_alert_is_the_coordinators_only(
    client_for, world, coordinator, persona, status
):
    alert = _alert(world, coordinator)
    client = client_for(persona)
    editor = reverse("advisories:editor", kwargs={"advisory_id": alert.pk})
    preview = reverse("advisories:preview", kwargs={"advisory_id": alert.pk, "language": "en"})
    assert client.get(editor).status_code == status
    assert client.get(preview).status_code == status
    assert client.get(reverse("advisories:alerts")).status_code == status
    for name in ("alert_facts", "alert_product_add", "alert_timing"):
        url = reverse(f"advisories:{name}", kwargs={"advisory_id": alert.pk})
        if status == 404:
            assert client.post(url, {}).status_code == 404, name
    assert Client().get(f"/en/advisories/{alert.slug}/").status_code == 404


def test_the_alert_screens_through_http(client_for, world):
    client = client_for("coordinator")
    listing = client.get(reverse("advisories:alerts"))
    assert listing.status_code == 200
    refused = client.post(reverse("advisories:alerts"), {"title_ja": "", "title_en": ""})
    assert refused.status_code == 400 and not Advisory.objects.exists()
    created = client.post(
        reverse("advisories:alerts"),
        {
            "organisation": world.organisations["coordination"].pk,
            "title_ja": "緊急の注意喚起",
            "title_en": "Urgent alert",
        },
    )
    alert = Advisory.objects.get()
    assert created["Location"] == reverse("advisories:editor", kwargs={"advisory_id": alert.pk})
    editor = client.get(created["Location"]).content.decode()
    assert "alert-products" in editor and "alert-timing" in editor

    facts = reverse("advisories:alert_facts", kwargs={"advisory_id": alert.pk})
    bad = client.post(facts, {"cve_ids": "CVE-1"})
    assert bad.status_code == 400 and "not a CVE ID" in bad.content.decode()
    assert client.post(facts, {"cve_ids": "CVE-2026-40001", "cwe_id": "79"}).status_code == 302
    assert Advisory.objects.get().cwe_id == "CWE-79"

    add = reverse("advisories:alert_product_add", kwargs={"advisory_id": alert.pk})
    assert client.post(add, {"vendor_en": "Example Inc.", "name": "Gateway"}).status_code == 302
    product = alert.alert_products.get()
    remove = reverse(
        "advisories:alert_product_remove",
        kwargs={"advisory_id": alert.pk, "product_id": product.pk},
    )
    assert client.post(remove).status_code == 302
    assert client.post(remove).status_code == 400  # already gone: said, not a crash
    assert not alert.alert_products.exists()

    timing = reverse("advisories:alert_timing", kwargs={"advisory_id": alert.pk})
    assert client.post(timing, {"when": "at"}).status_code == 400  # the time is missing
    instant = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    assert client.post(timing, {"when": "at", "at": instant}).status_code == 302
    assert Advisory.objects.get().publish_at is not None
    assert client.post(timing, {"when": "now"}).status_code == 302


def test_the_public_list_filters_by_kind(world, coordinator, advisory):
    approve_both(advisory, coordinator)
    actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    alert = _alert(world, coordinator)
    approve_both(alert, coordinator)
    _publish_now(alert)
    alerts = Client().get("/en/advisories/", {"kind": "alert"}).content.decode()
    assert alert.advisory_id in alerts and advisory.advisory_id not in alerts
    others = Client().get("/en/advisories/", {"kind": "partnership"}).content.decode()
    assert advisory.advisory_id in others and alert.advisory_id not in others
    assert json.loads(Client().get("/advisories/osv.json").content)[-1]["id"].endswith(alert.slug)
