"""The known-vulnerability check (acceptance check (オ)): what it finds, in both
languages, what it must not reveal, and how other apps extend it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kakehashi.accounts.models import Organisation
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case
from kakehashi.intake import known
from kakehashi.intake.known import Match, find_similar, register_search_provider, terms_for

from .factories import make_report

pytestmark = pytest.mark.django_db


def keys(matches: list[Match]) -> list[str]:
    return [m.key for m in matches]


def _case(world, *, title_en="", title_ja="", cve_id="", reception=True, **fields) -> Case:
    coordinator = world.user("coordinator")
    case = case_actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        reception_org=world.organisations["reception"] if reception else None,
        title_en=title_en,
        title_ja=title_ja,
    )
    if cve_id:
        vulnerability = case_actions.add_vulnerability(
            case, actor=coordinator, title_en="Flaw", cwe_id="CWE-79"
        )
        type(vulnerability).objects.filter(pk=vulnerability.pk).update(cve_id=cve_id)
    if fields:
        Case.objects.filter(pk=case.pk).update(**fields)
    return case


def test_a_report_on_the_same_product_is_a_likely_duplicate(world):
    earlier = make_report(world, product_name="Example CMS", vendor_name="Vendor A")
    unrelated = make_report(world, product_name="Other Shop", vendor_name="Someone")
    report = make_report(world, product_name="example cms", vendor_name="vendor a")
    matches = find_similar(report)
    assert keys(matches) == [earlier.tracking_id]
    (match,) = matches
    assert match.source == "report" and match.report_id == earlier.pk
    assert set(match.reasons) == {"same product", "same vendor"}
    assert unrelated.tracking_id not in keys(find_similar(report))


def test_shorter_and_full_width_product_names_match(world):
    shorter = make_report(world, product_name="CMS", vendor_name="")
    report = make_report(world, product_name="Example CMS Pro", vendor_name="")
    assert keys(find_similar(report)) == [shorter.tracking_id]
    full_width = make_report(world, product_name="ＣＭＳ", vendor_name="")  # NFKC: "CMS"
    assert set(keys(find_similar(full_width))) == {shorter.tracking_id, report.tracking_id}


def test_japanese_text_is_searched_as_written(world):
    earlier = make_report(
        world,
        product_name="写真管理ソフト",
        description="アップロード機能にOSコマンドインジェクション",
    )
    report = make_report(world, product_name="別製品", vendor_name="", description="説明")
    assert earlier.tracking_id in keys(find_similar(report, "コマンドインジェクション"))
    assert find_similar(report, "存在しない語") == []


def test_a_vendor_alone_is_not_enough_without_a_query(world):
    make_report(world, product_name="Product One", vendor_name="Vendor A")
    report = make_report(world, product_name="Product Two", vendor_name="Vendor A")
    assert find_similar(report) == []
    assert len(find_similar(report, "Vendor A")) == 1


def test_cve_ids_find_cases_and_reports(world):
    case = _case(world, title_en="Stored XSS", cve_id="CVE-2025-12345")
    earlier = make_report(world, product_name="Else", description="See cve-2025-12345.")
    report = make_report(world, product_name="Mine", description="Like CVE-2025-12345?")
    matches = find_similar(report)
    assert set(keys(matches)) == {case.reference, earlier.tracking_id}
    assert all("CVE-2025-12345" in m.reasons for m in matches)
    case_match = next(m for m in matches if m.source == "case")
    assert case_match.url and case_match.report_id is None  # a case is not a duplicate target


def test_case_titles_in_either_language_are_searched(world):
    japanese = _case(world, title_ja="Example CMS の格納型XSS")
    english = _case(world, title_en="Stored XSS in Example CMS")
    report = make_report(world, product_name="Example CMS")
    assert set(keys(find_similar(report))) == {japanese.reference, english.reference}


def test_other_desks_reports_and_unpublished_cases_stay_hidden(world):
    other_desk = Organisation.objects.create(kind="reception", slug="other", name_en="Other desk")
    hidden_report = make_report(world, product_name="Example CMS")
    type(hidden_report).objects.filter(pk=hidden_report.pk).update(reception_org=other_desk)
    embargoed = _case(world, title_en="Example CMS flaw", reception=False)
    published = _case(
        world, title_en="Example CMS old flaw", reception=False, published_at=timezone.now()
    )
    report = make_report(world, product_name="Example CMS")
    found = keys(find_similar(report))
    assert hidden_report.tracking_id not in found and embargoed.reference not in found
    assert published.reference in found
    (match,) = [m for m in find_similar(report) if m.key == published.reference]
    assert match.url == ""  # another desk's case: no link the clerk could not open


def test_a_website_report_matches_reports_on_the_same_site(world):
    earlier = make_report(world, track="website", site_url="https://shop.example.jp/login")
    report = make_report(world, track="website", site_url="https://SHOP.example.jp/cart")
    (match,) = find_similar(report)
    assert match.key == earlier.tracking_id and "same website" in match.reasons


def test_the_report_itself_and_empty_terms_find_nothing(world):
    report = make_report(world, product_name="Solo Product")
    assert find_similar(report) == []
    blank = make_report(
        world, track="website", site_url="https://a.example/", product_name="", vendor_name=""
    )
    type(blank).objects.filter(pk=blank.pk).update(site_url="")
    blank.site_url = ""
    assert terms_for(blank).empty and find_similar(blank) == []


def test_other_apps_register_search_providers(world, monkeypatch):
    monkeypatch.setattr(known, "_PROVIDERS", dict(known._PROVIDERS))

    def advisories(report, terms):
        if terms.product:
            yield Match("advisory", "JVN#12345678", "Example CMS advisory", 4, ("same product",))

    register_search_provider("advisories", advisories)
    report = make_report(world, product_name="Example CMS")
    assert keys(find_similar(report)) == ["JVN#12345678"]
    assert "advisories" in known.search_providers()


def test_the_search_reads_a_fixed_number_of_queries(world, django_assert_num_queries):
    for n in range(5):
        make_report(world, product_name="Example CMS", title=f"Report {n}")
        _case(world, title_en=f"Example CMS flaw {n}", cve_id=f"CVE-2025-1000{n}")
    report = make_report(world, product_name="Example CMS")
    # reports; cases, their flaws, their products; the CVE corpus (cna, one search)
    with django_assert_num_queries(5):
        assert len(find_similar(report)) == 10
