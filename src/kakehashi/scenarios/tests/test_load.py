"""``load_demo`` builds the eight scenarios in their states, publishes only what is
published, and changes nothing when run again."""

from __future__ import annotations

import pytest

from kakehashi.advisories.exports.checks import export_problems
from kakehashi.advisories.models import Advisory
from kakehashi.core.demo import load_demo
from kakehashi.scenarios import s1_domestic, s2_library

pytestmark = pytest.mark.django_db


# Loading the eight scenarios takes seconds: one test loads them (twice, for
# idempotency) and checks every scenario's state through the helpers below.


def _scenario_1_is_published_with_credit_cve_and_the_vendors_url(client):
    advisory = Advisory.objects.get(case__title_en=s1_domestic.TITLE_EN)
    assert advisory.state == "published", advisory.state
    revision = advisory.current_revision
    assert revision is not None and export_problems(revision) == []
    content = revision.content
    assert content["credits"] == ["Hanako Yamada"]
    assert content["cve_ids"] == [s1_domestic.cve_value()]
    page = client.get(f"/en/advisories/{advisory.slug}/").content.decode()
    assert s1_domestic.VENDOR_ADVISORY_URL in page


def _scenario_2_is_mid_way_with_thirty_vendors_and_two_pocket_vetoes(client):
    from kakehashi.cases.models import Case

    case = Case.objects.get(title_en=s2_library.TITLE_EN)
    vendors = case.participants.filter(role="vendor")
    assert vendors.count() == 30
    assert vendors.filter(pec_state="declined").count() == 2
    assert case.embargo_in_force and case.embargo_proposals.count() == 2
    advisory = Advisory.objects.get(case=case)
    assert advisory.state == "draft" and advisory.current_revision_id is None
    assert client.get(f"/en/advisories/{advisory.slug}/").status_code == 404


def _counts() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_loading_twice_changes_nothing_and_every_state_is_right(client):
    from kakehashi.cases.actions import schedule_warnings
    from kakehashi.cases.models import Case
    from kakehashi.intake.models import Report
    from kakehashi.scenarios import (
        s3_unreachable,
        s4_zero_day,
        s5_website,
        s6_talk,
        s7_self_report,
        s8_anonymous,
    )

    load_demo()
    before = _counts()
    load_demo()
    assert _counts() == before

    _scenario_1_is_published_with_credit_cve_and_the_vendors_url(client)
    _scenario_2_is_mid_way_with_thirty_vendors_and_two_pocket_vetoes(client)

    assert (
        Case.objects.get(title_en=s3_unreachable.TITLE_EN)
        .participants.get(role="vendor")
        .unreachable_listings.exists()
    )
    alert = Advisory.objects.get(case__title_en=s4_zero_day.TITLE_EN)
    assert alert.kind == "alert" and alert.state == "published"
    assert alert.revisions.count() == 2
    assert export_problems(alert.current_revision) == []
    website = Report.objects.get(title=s5_website.TITLE)
    assert website.state == "closed" and website.fixed_at is not None
    talk = Case.objects.get(title_en=s6_talk.TITLE_EN)
    assert schedule_warnings(talk)
    scheduled = Advisory.objects.get(case__title_en=s7_self_report.TITLE_EN)
    assert (
        scheduled.state == "scheduled" and scheduled.scheduled_for == s7_self_report.wanted_time()
    )
    anonymous = Report.objects.get(title=s8_anonymous.TITLE)
    assert anonymous.finder_user_id is None and anonymous.state == "needs_info"
    assert s8_anonymous.follow_up_link().endswith("/")

    public = [a.advisory_id for a in Advisory.objects.filter(state="published")]
    feed = client.get("/en/advisories/").content.decode()
    for advisory in Advisory.objects.all():
        assert (advisory.advisory_id in feed) == (advisory.advisory_id in public)
    assert "pref.example.jp" not in feed
