"""Finding vendors by name in either language, product, CPE and purl prefix, keyword."""

from __future__ import annotations

import pytest

from kakehashi.accounts.models import Organisation
from kakehashi.vendors import actions
from kakehashi.vendors.search import find_vendors

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(world, coordinator):
    sakura = Organisation.objects.create(
        kind="vendor", slug="sakura", name_ja="さくらソフト株式会社", name_en="Sakura Soft Inc."
    )
    profile = actions.register_vendor(coordinator, sakura, keywords="ルーター\nIoT")
    actions.add_product(
        coordinator,
        profile,
        name="Ｈａｎａ Ｒｏｕｔｅｒ",  # full-width, as typed in a Japanese form
        cpe="cpe:2.3:h:sakura:hana_router:1.0:*:*:*:*:*:*:*",
    )
    other = actions.register_vendor(coordinator, world.organisations["vendor-a"])
    cms = actions.add_product(
        coordinator,
        other,
        name="Example CMS",
        cpe="cpe:2.3:a:vendor_a:example_cms:2.3:*:*:*:*:*:*:*",
        purl="pkg:npm/%40vendor-a/example-cms@2.3.0",
        keywords="blog",
    )
    return {"sakura": sakura, "vendor_a": world.organisations["vendor-a"], "cms": cms}


def _found(matches):
    return {(m.organisation.slug, m.field, m.product.name if m.product else None) for m in matches}


def test_japanese_name_is_found_by_part(registry):
    assert _found(find_vendors("さくらソフト")) == {("sakura", "name_ja", None)}


def test_english_name_is_found_whatever_the_width_and_case(registry):
    assert _found(find_vendors("ＳＡＫＵＲＡ soft")) == {("sakura", "name_en", None)}


def test_product_name_is_found_in_half_width(registry):
    assert _found(find_vendors("hana router")) == {("sakura", "product", "Ｈａｎａ Ｒｏｕｔｅｒ")}


def test_keywords_of_profile_and_product(registry):
    assert _found(find_vendors("ルーター")) == {("sakura", "keywords", None)}
    assert _found(find_vendors("BLOG")) == {("vendor-a", "product", "Example CMS")}


def test_cpe_prefix_finds_the_vendors_products(registry):
    assert _found(find_vendors("cpe:2.3:a:vendor_a:example_cms")) == {
        ("vendor-a", "cpe", "Example CMS")
    }
    assert _found(find_vendors("CPE:2.3:H:SAKURA")) == {("sakura", "cpe", "Ｈａｎａ Ｒｏｕｔｅｒ")}
    assert find_vendors("cpe:2.3:a:nobody") == []


def test_purl_prefix_finds_the_product(registry):
    matches = find_vendors("pkg:npm/%40vendor-a/example")
    assert _found(matches) == {("vendor-a", "purl", "Example CMS")}
    assert matches[0].product == registry["cms"]


def test_an_empty_query_finds_nothing(registry):
    assert find_vendors("   ") == []


def test_search_costs_a_fixed_number_of_queries(registry, coordinator, django_assert_num_queries):
    for number in range(20):
        organisation = Organisation.objects.create(
            kind="vendor", slug=f"v{number}", name_en=f"Vendor {number}"
        )
        profile = actions.register_vendor(coordinator, organisation, keywords="vendor")
        actions.add_product(coordinator, profile, name=f"Vendor tool {number}")
    with django_assert_num_queries(4):
        matches = find_vendors("vendor")
    assert len(matches) == 21 + 20 + 20  # names (vendor A too), products, profile keywords
