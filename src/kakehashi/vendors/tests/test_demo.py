"""The demo registry: the vendors the demo cases use, each showing a registry feature."""

from __future__ import annotations

import pytest

from kakehashi.core.demo import load_demo_people
from kakehashi.vendors.demo import load_demo_registry
from kakehashi.vendors.models import VendorProfile
from kakehashi.vendors.search import find_vendors

pytestmark = pytest.mark.django_db


def _load() -> None:
    load_demo_people()
    load_demo_registry()


def test_the_demo_registry_loads_idempotently_with_one_entry_per_feature():
    _load()
    _load()
    profiles = {
        p.organisation.slug: p for p in VendorProfile.objects.select_related("organisation")
    }
    assert sorted(profiles) == ["helix-oss", "kumo-soft", "northwind", "sakura-network"]
    assert profiles["northwind"].overseas
    assert profiles["northwind"].coordinating_partner.slug == "partner-cert"
    assert profiles["kumo-soft"].registration_type == "individual"
    listed = sorted(p.organisation.slug for p in VendorProfile.objects.publicly_listed())
    assert listed == ["helix-oss", "sakura-network"]
    assert profiles["sakura-network"].contact_points.filter(email_role="cc").count() == 1


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("ルーター", "sakura-network"),
        ("pkg:github/helix/helix-xml", "helix-oss"),
        ("NAS", "northwind"),
    ],
)
def test_the_demo_registry_answers_searches_in_both_languages(query, slug):
    _load()
    found = [match.organisation.slug for match in find_vendors(query)]
    assert slug in found
