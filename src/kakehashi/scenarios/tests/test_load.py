"""``load_demo`` builds the eight scenarios in their states, publishes only what is
published, and changes nothing when run again."""

from __future__ import annotations

import pytest

from kakehashi.advisories.exports.checks import export_problems
from kakehashi.advisories.models import Advisory
from kakehashi.core.demo import load_demo
from kakehashi.scenarios import s1_domestic, s2_library

pytestmark = pytest.mark.django_db


def test_scenario_1_is_published_with_credit_cve_and_the_vendors_url(client):
    load_demo()
    advisory = Advisory.objects.get(case__title_en=s1_domestic.TITLE_EN)
    assert advisory.state == "published", advisory.state
    revision = advisory.current_revision
    assert revision is not None and export_problems(revision) == []
    content = revision.content
    assert content["credits"] == ["Hanako Yamada"]
    assert content["cve_ids"] == [s1_domestic.cve_value()]
    page = client.get(f"/en/advisories/{advisory.slug}/").content.decode()
    assert s1_domestic.VENDOR_ADVISORY_URL in page


def test_scenario_2_is_mid_way_with_thirty_vendors_and_two_pocket_vetoes(client):
    from kakehashi.cases.models import Case

    load_demo()
    case = Case.objects.get(title_en=s2_library.TITLE_EN)
    vendors = case.participants.filter(role="vendor")
    assert vendors.count() == 30
    assert vendors.filter(pec_state="declined").count() == 2
    assert case.embargo_in_force and case.embargo_proposals.count() == 2
    advisory = Advisory.objects.get(case=case)
    assert advisory.state == "draft" and advisory.current_revision_id is None
    assert client.get(f"/en/advisories/{advisory.slug}/").status_code == 404
