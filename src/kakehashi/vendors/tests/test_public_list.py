"""The public vendor list: consenting vendors only, in the viewer's language, escaped."""

from __future__ import annotations

import pytest
from django.test import Client

from kakehashi.accounts.models import Organisation
from kakehashi.vendors import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(world, coordinator):
    actions.register_vendor(
        coordinator,
        world.organisations["vendor-a"],
        public_listing=True,
        direct_report_url="https://a.test/security",
    )
    actions.register_vendor(coordinator, world.organisations["vendor-b"], public_listing=False)
    evil = Organisation.objects.create(
        kind="vendor", slug="evil", name_en="<script>alert(1)</script> Corp", name_ja=""
    )
    actions.register_vendor(coordinator, evil, public_listing=True)


def test_anonymous_visitor_sees_only_consenting_vendors_in_english(listed):
    page = Client().get("/en/vendors/").content.decode()
    assert "Vendor A" in page
    assert 'href="https://a.test/security"' in page
    assert "Vendor B" not in page


def test_names_are_shown_in_japanese_on_the_japanese_page(listed):
    page = Client().get("/ja/vendors/").content.decode()
    assert "Vendor A（日本語）" in page
    assert "Vendor B" not in page


def test_names_are_escaped(listed):
    page = Client().get("/en/vendors/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Corp" in page


def test_an_empty_list_says_so(world):
    assert "No vendors are listed yet." in Client().get("/en/vendors/").content.decode()
