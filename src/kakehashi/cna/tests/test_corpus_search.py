"""Searching the corpus (CVE ID, vendor, product, CPE, purl, English and Japanese text),
the known-vulnerability provider, the desk's page and the API."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from kakehashi.accounts import actions as account_actions
from kakehashi.cna import corpus
from kakehashi.cna.importer import Importer
from kakehashi.intake import known
from kakehashi.intake.tests.factories import make_report

from .cve_records import (
    jpcert_style,
    library_record,
    rejected_record,
    schema_example,
    write_cvelist,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path):
    others = [jpcert_style(f"CVE-2025-{n}") for n in range(2000, 2005)]
    for record in others:
        cna = record["containers"]["cna"]
        cna["title"] = "Path traversal in Other Gateway"
        cna["descriptions"] = [{"lang": "en", "value": "Path traversal in Other Gateway 2.0."}]
        cna["affected"][0].update(vendor="Other Inc.", product="Other Gateway", cpes=[])
    write_cvelist(
        tmp_path, [jpcert_style(), library_record(), rejected_record(), schema_example(), *others]
    )
    Importer(tmp_path).run()


def _ids(query: str, limit: int = 20) -> list[str]:
    return [r.cve_id for r in corpus.search(query, limit)]


def test_search_by_cve_id_vendor_product_cpe_and_purl(imported):
    assert _ids("cve-2022-41993") == ["CVE-2022-41993"]
    assert _ids("Sample Electric") == ["CVE-2022-41993"]
    assert _ids("router manager") == ["CVE-2022-41993"]
    assert _ids("cpe:2.3:a:sample_electric:") == ["CVE-2022-41993"]
    assert _ids("pkg:npm/fast") == ["CVE-2024-31337"]
    assert _ids("Example.org") == ["CVE-1900-1234"]


def test_search_by_japanese_and_english_text(imported):
    assert _ids("ルーター管理ツール") == ["CVE-2022-41993"]
    assert _ids("ｸﾛｽｻｲﾄｽｸﾘﾌﾟﾃｨﾝｸﾞ") == ["CVE-2022-41993"]  # half-width kana, NFKC-folded
    assert _ids("ＰＲＯＴＯＴＹＰＥ pollution") == ["CVE-2024-31337"]  # full-width, any case
    assert _ids("withdrawn") == ["CVE-2023-20001"]
    assert _ids("pollution nowhere-to-be-found") == []  # every word must occur


def test_short_words_fall_back_to_a_scan(imported):
    assert _ids("v6") == ["CVE-2022-41993"]
    assert _ids("脆弱") == ["CVE-2022-41993"]
    assert sorted(_ids("traversal 2.")) == [f"CVE-2025-{n}" for n in range(2000, 2005)]


def test_the_limit_is_kept_and_query_syntax_is_inert(imported):
    assert len(_ids("other gateway", limit=3)) == 3
    assert _ids('"router" OR "x') == []
    assert _ids("NEAR(router manager)") == []
    assert _ids("   ") == []


def test_the_known_vulnerability_check_finds_corpus_records(world, imported):
    assert "cve" in known.search_providers()
    report = make_report(world, product_name="Sample Router Manager", vendor_name="Sample Electric")
    found = {m.key: m for m in known.find_similar(report) if m.source == "cve"}
    assert list(found) == ["CVE-2022-41993"]
    assert found["CVE-2022-41993"].score >= known.LIKELY
    assert found["CVE-2022-41993"].url == reverse("cna:corpus") + "?q=CVE-2022-41993"
    by_query = known.find_similar(report, "CVE-2024-31337")
    assert [m.key for m in by_query if m.source == "cve"] == ["CVE-2024-31337"]
    by_words = known.find_similar(report, "ルーター管理ツール")
    assert [m.key for m in by_words if m.source == "cve"] == ["CVE-2022-41993"]


def test_the_corpus_page_searches_for_desk_staff(world, imported):
    client = Client()
    client.force_login(world.user("clerk"))
    response = client.get(
        reverse("cna:corpus"), {"q": "ルーター"}, headers={"accept-language": "en"}
    )
    assert response.status_code == 200
    assert b"CVE-2022-41993" in response.content
    assert b"CVE-2024-31337" not in response.content
    assert client.get(reverse("cna:corpus"), {"q": "no-such-product"}).status_code == 200


def test_untrusted_record_text_is_escaped(world, tmp_path):
    hostile = library_record("CVE-2024-40000")
    hostile["containers"]["cna"]["title"] = '<script>alert("x")</script> hostile'
    write_cvelist(tmp_path, [hostile])
    Importer(tmp_path).run()
    client = Client()
    client.force_login(world.user("coordinator"))
    response = client.get(reverse("cna:corpus"), {"q": "hostile"})
    assert b'<script>alert("x")' not in response.content
    assert b"&lt;script&gt;" in response.content


@pytest.mark.parametrize("persona", ["psirt", "finder", "outsider"])
def test_the_corpus_page_is_404_for_others(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    assert client.get(reverse("cna:corpus"), {"q": "router"}).status_code == 404


def _api(world, persona: str, query: dict, scopes=("read",)):
    _token, secret = account_actions.create_api_token(
        world.user(persona), name="test", scopes=list(scopes)
    )
    return Client().get(
        "/api/v1/cve/corpus",
        query,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
    )


def test_the_api_searches_the_corpus(world, imported):
    response = _api(world, "coordinator", {"q": "pkg:npm/fast-merge"})
    assert response.status_code == 200
    (record,) = json.loads(response.content)
    assert record["cve_id"] == "CVE-2024-31337"
    assert record["purls"] == ["pkg:npm/fast-merge"]
    assert _api(world, "psirt", {"q": "router"}).status_code == 404
    assert _api(world, "coordinator", {"q": ""}).status_code == 422
    assert _api(world, "coordinator", {"q": "x", "limit": 0}).status_code == 422
