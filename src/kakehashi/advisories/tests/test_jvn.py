"""JVNRSS 3.2 and VULDEF 3.2: valid under the MyJVN schemas, built from published
revisions only, in Japanese or English."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from kakehashi.advisories import actions
from kakehashi.advisories.exports.checks import jvnrss_schema, vuldef_schema
from kakehashi.advisories.exports.jvn import reference_links
from kakehashi.advisories.models import Advisory
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case, Vulnerability

from .conftest import MARKER_EN, MARKER_JA, approve_both, later, reload

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parents[1] / "data" / "jvn" / "schemas" / "hnd"
NS = {
    "rss": "http://purl.org/rss/1.0/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "sec": "http://jvn.jp/rss/mod_sec/3.0/",
    "v": "http://jvn.jp/vuldef/",
}
CPE = r"cpe:2.3:a:example:example_cms\(ja\):*:*:*:*:*:*:*:*"
ROUTER_CPE = "cpe:2.3:h:vendorb:router:-:*:*:*:*:*:*:*"


JVNRSS = jvnrss_schema()
VULDEF = vuldef_schema()


def _valid(schema: etree.XMLSchema, document: bytes) -> etree._Element:
    tree = etree.fromstring(document)
    assert schema.validate(tree), [str(e) for e in schema.error_log]
    return tree


def _publish(advisory: Advisory, coordinator) -> Advisory:
    approve_both(Advisory.objects.get(pk=advisory.pk), coordinator)
    assert actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    return Advisory.objects.get(pk=advisory.pk)


def _enrich(case: Case, coordinator, world) -> None:
    """A CVE, and a product with a CPE for each of the two vendors (vendor B's is not
    affected)."""
    vendor_a = case.participants.get(organisation=world.organisations["vendor-a"])
    vendor_b = case.participants.get(organisation=world.organisations["vendor-b"])
    case_actions.add_product(
        reload(case),
        vendor_a,
        actor=coordinator,
        name="Example CMS Pro",
        versions="4.0\n4.1",
        cpe=CPE,
    )
    case_actions.add_product(
        reload(case), vendor_b, actor=coordinator, name="Router", cpe=ROUTER_CPE
    )
    Vulnerability.objects.filter(case=case).update(cve_id="CVE-2026-12345")


def _edit(advisory: Advisory, language: str, coordinator, **fields: str) -> None:
    text = Advisory.objects.get(pk=advisory.pk).text(language)
    actions.edit_text(
        advisory, language, actor=coordinator, expected_version=text.version, **fields
    )


def test_the_jvnrss_feed_is_valid_and_describes_each_advisory(case, advisory, coordinator, world):
    _enrich(case, coordinator, world)
    published = _publish(advisory, coordinator)
    response = Client().get("/feeds/jvnrss.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    feed = _valid(JVNRSS, response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "ja"
    (item,) = feed.findall("rss:item", NS)
    url = f"http://127.0.0.1:8000/ja/advisories/{published.slug}/"
    assert item.get(f"{{{NS['rdf']}}}about") == url
    assert (
        feed.find("rss:channel/rss:items/rdf:Seq/rdf:li", NS).get(f"{{{NS['rdf']}}}resource") == url
    )
    assert MARKER_JA in item.findtext("rss:title", namespaces=NS)
    assert item.findtext("sec:identifier", namespaces=NS) == published.advisory_id
    references = {r.get("id"): r for r in item.findall("sec:references", NS)}
    assert set(references) == {published.advisory_id, "CVE-2026-12345", "CWE-79"}
    assert references["CVE-2026-12345"].text == "https://www.cve.org/CVERecord?id=CVE-2026-12345"
    assert references["CWE-79"].text == "https://cwe.mitre.org/data/definitions/79.html"
    vendors = {p["name"]: p["vendor_ja"] for p in published.current_revision.content["products"]}
    assert [(c.text, c.attrib) for c in item.findall("sec:cpe", NS)] == [
        (
            "cpe:/a:example:example_cms%28ja%29",
            {"version": "2.2", "vendor": vendors["Example CMS Pro"], "product": "Example CMS Pro"},
        ),
        (
            "cpe:/h:vendorb:router:-",
            {"version": "2.2", "vendor": vendors["Router"], "product": "Router"},
        ),
    ]
    assert vendors["Example CMS Pro"] != vendors["Router"]
    (cvss,) = item.findall("sec:cvss", NS)
    assert cvss.attrib == {
        "type": "Base",
        "version": "3.1",
        "score": "6.1",
        "severity": "Medium",
        "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    }
    issued = item.findtext("dcterms:issued", namespaces=NS)
    assert issued.endswith("+09:00")
    assert item.findtext("dc:date", namespaces=NS) == item.findtext(
        "dcterms:modified", namespaces=NS
    )

    english = _valid(JVNRSS, Client().get("/feeds/jvnrss.en.xml").content)
    (item,) = english.findall("rss:item", NS)
    assert MARKER_EN in item.findtext("rss:title", namespaces=NS)
    assert item.get(f"{{{NS['rdf']}}}about").startswith("http://127.0.0.1:8000/en/advisories/")


def test_vuldef_is_valid_with_affected_products_impact_and_references(
    case, advisory, coordinator, world
):
    _enrich(case, coordinator, world)
    _edit(
        advisory,
        "ja",
        coordinator,
        impact="遠隔の第三者によって、任意のスクリプトを実行される可能性があります。",
        references="- [Example 社のお知らせ](https://example.com/ja/security/1)\nhttps://example.com/cve",
    )
    published = _publish(advisory, coordinator)
    response = Client().get(f"/advisories/{published.slug}/vuldef.xml")
    assert response.status_code == 200
    document = _valid(VULDEF, response.content)
    assert document.get("version") == "3.2"
    data = document.find("v:Vulinfo/v:VulinfoData", NS)
    assert document.findtext("v:Vulinfo/v:VulinfoID", namespaces=NS) == published.advisory_id
    assert MARKER_JA in data.findtext("v:Title", namespaces=NS)
    items = data.findall("v:Affected/v:AffectedItem", NS)
    assert [i.findtext("v:ProductName", namespaces=NS) for i in items] == [
        "Example CMS",
        "Example CMS Pro",
        "Router",
    ]
    assert [i.get("affectedstatus") for i in items] == ["vulnerable", "vulnerable", "notvulnerable"]
    assert items[0].find("v:Cpe", NS) is None
    assert items[1].findtext("v:Cpe", namespaces=NS) == "cpe:/a:example:example_cms%28ja%29"
    assert [v.text for v in items[1].findall("v:VersionNumber", NS)] == ["4.0", "4.1"]
    cvss = data.find("v:Impact/v:Cvss", NS)
    assert cvss.get("version") == "3.1"
    assert cvss.findtext("v:Severity", namespaces=NS) == "Medium"
    assert cvss.findtext("v:Base", namespaces=NS) == "6.1"
    assert "任意のスクリプト" in data.findtext("v:Impact/v:ImpactItem/v:Description", namespaces=NS)
    related = [
        (
            r.get("type"),
            r.findtext("v:VulinfoID", namespaces=NS),
            r.findtext("v:URL", namespaces=NS),
        )
        for r in data.findall("v:Related/v:RelatedItem", NS)
    ]
    assert related == [
        (
            "advisory",
            published.advisory_id,
            f"http://127.0.0.1:8000/ja/advisories/{published.slug}/",
        ),
        ("advisory", "CVE-2026-12345", "https://www.cve.org/CVERecord?id=CVE-2026-12345"),
        ("advisory", None, "https://example.com/ja/security/1"),
        ("advisory", None, "https://example.com/cve"),
        ("cwe", "CWE-79", "https://cwe.mitre.org/data/definitions/79.html"),
    ]
    (history,) = data.findall("v:History/v:HistoryItem", NS)
    assert history.findtext("v:HistoryNo", namespaces=NS) == "1"
    first = data.findtext("v:DateFirstPublished", namespaces=NS)
    assert first == data.findtext("v:DatePublic", namespaces=NS)
    assert first.endswith("+09:00")


def test_vuldef_without_cve_or_products_in_english(world, coordinator):
    case = case_actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_en="Weak defaults",
    )
    advisory = actions.start_advisory(case, actor=coordinator)
    _edit(advisory, "en", coordinator, overview="Ships with a <b>default</b> password & more.")
    published = _publish(advisory, coordinator)
    english = Client().get(f"/advisories/{published.slug}/vuldef.en.xml")
    document = _valid(VULDEF, english.content)
    assert document.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    data = document.find("v:Vulinfo/v:VulinfoData", NS)
    assert data.findtext("v:VulinfoDescription/v:Overview", namespaces=NS) == (
        "Ships with a <b>default</b> password & more."  # escaped text, as JVN writes it
    )
    assert b"&lt;b&gt;default&lt;/b&gt;" in english.content
    assert data.find("v:Affected", NS) is None
    assert data.find("v:Impact", NS) is None
    assert [r.get("type") for r in data.findall("v:Related/v:RelatedItem", NS)] == ["advisory"]
    _valid(JVNRSS, Client().get("/feeds/jvnrss.en.xml").content)


def test_a_waived_language_falls_back_and_control_characters_are_dropped(advisory, coordinator):
    _edit(advisory, "ja", coordinator, overview="改行\x0bなし\x1fの概要")
    text = Advisory.objects.get(pk=advisory.pk).text("ja")
    actions.approve_text(advisory, "ja", actor=coordinator, version=text.version)
    actions.waive_language(
        Advisory.objects.get(pk=advisory.pk), "en", actor=coordinator, reason="English later"
    )
    actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    slug = Advisory.objects.get(pk=advisory.pk).slug
    document = _valid(VULDEF, Client().get(f"/advisories/{slug}/vuldef.en.xml").content)
    assert document.get("{http://www.w3.org/XML/1998/namespace}lang") == "ja"
    overview = document.findtext(
        "v:Vulinfo/v:VulinfoData/v:VulinfoDescription/v:Overview", namespaces=NS
    )
    assert overview == "改行なしの概要"
    feed = _valid(JVNRSS, Client().get("/feeds/jvnrss.en.xml").content)
    assert feed.findtext("rss:item/rss:description", namespaces=NS) == "改行なしの概要"


def test_a_withdrawal_shows_in_history_and_title(advisory, coordinator):
    published = _publish(advisory, coordinator)
    actions.withdraw(published, actor=coordinator, reason_ja="重複", reason_en="Duplicate")
    document = _valid(VULDEF, Client().get(f"/advisories/{published.slug}/vuldef.en.xml").content)
    notes = [
        h.findtext("v:Description", namespaces=NS)
        for h in document.findall("v:Vulinfo/v:VulinfoData/v:History/v:HistoryItem", NS)
    ]
    assert notes == ["Published.", "Withdrawn: Duplicate"]
    feed = _valid(JVNRSS, Client().get("/feeds/jvnrss.en.xml").content)
    assert feed.findtext("rss:item/rss:title", namespaces=NS).startswith("[Withdrawn] ")


def test_several_advisories_in_one_valid_feed_newest_first(case, advisory, coordinator, world):
    first = _publish(advisory, coordinator)
    other = case_actions.create_case(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="Second"
    )
    second = _publish(actions.start_advisory(other, actor=coordinator), coordinator)
    feed = _valid(JVNRSS, Client().get("/feeds/jvnrss.xml").content)
    identifiers = [
        i.findtext("sec:identifier", namespaces=NS) for i in feed.findall("rss:item", NS)
    ]
    assert identifiers == [second.advisory_id, first.advisory_id]
    sequence = feed.findall("rss:channel/rss:items/rdf:Seq/rdf:li", NS)
    assert len(sequence) == 2


def test_nothing_before_the_instant(case, advisory, coordinator):
    def everything() -> bytes:
        client = Client()
        return b"".join(
            [
                client.get("/feeds/jvnrss.xml").content,
                client.get("/feeds/jvnrss.en.xml").content,
            ]
        )

    empty = _valid(JVNRSS, Client().get("/feeds/jvnrss.xml").content)
    assert empty.findall("rss:item", NS) == []
    assert Client().get(f"/advisories/{advisory.slug}/vuldef.xml").status_code == 404  # draft
    Case.objects.filter(pk=case.pk).update(target_publication_at=later(24 * 10))
    approve_both(Advisory.objects.get(pk=advisory.pk), coordinator)
    assert Advisory.objects.get(pk=advisory.pk).state == "scheduled"
    assert actions.publish_if_due(advisory.pk, now=timezone.now()) is None
    for path in ("vuldef.xml", "vuldef.en.xml"):
        assert Client().get(f"/advisories/{advisory.slug}/{path}").status_code == 404
    assert MARKER_EN.encode() not in everything()
    assert MARKER_JA.encode() not in everything()
    assert actions.publish_if_due(advisory.pk, now=later(24 * 10 + 1))
    assert MARKER_EN.encode() in everything()
    assert MARKER_JA.encode() in everything()
    assert Client().get(f"/advisories/{advisory.slug}/vuldef.xml").status_code == 200


def test_the_schemas_reject_a_malformed_document(advisory, coordinator):
    """The validation above is not vacuous: a VULDEF without its ID and a feed item
    without a link are refused."""
    published = _publish(advisory, coordinator)
    vuldef = etree.fromstring(Client().get(f"/advisories/{published.slug}/vuldef.xml").content)
    info = vuldef.find("v:Vulinfo", NS)
    info.remove(info.find("v:VulinfoID", NS))
    assert not VULDEF.validate(vuldef)
    feed = etree.fromstring(Client().get("/feeds/jvnrss.xml").content)
    item = feed.find("rss:item", NS)
    item.remove(item.find("rss:link", NS))
    assert not JVNRSS.validate(feed)


def test_reference_links_keep_link_texts():
    assert reference_links(
        "See [Vendor notice](https://v.example/a) and https://b.example/x.\n"
    ) == [("Vendor notice", "https://v.example/a"), ("https://b.example/x", "https://b.example/x")]
    assert reference_links("https://b.example/x\nno link") == [
        ("https://b.example/x", "https://b.example/x")
    ]
