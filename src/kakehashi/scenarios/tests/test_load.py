"""``load_demo`` builds the eight scenarios in their states, publishes only what is
published, and changes nothing when run again."""

from __future__ import annotations

import pytest

from kakehashi.advisories.exports.checks import export_problems
from kakehashi.advisories.models import Advisory
from kakehashi.core.demo import load_demo
from kakehashi.scenarios import s1_domestic

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
