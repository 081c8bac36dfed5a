"""The demo advisories: one published with two vendors and a CVE ID, one approved and
scheduled for the end of an embargo — loaded twice without change."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kakehashi.advisories.demo import ALERT_TITLE, PUBLISHED_TITLE, SCHEDULED_TITLE
from kakehashi.advisories.models import Advisory, VendorReview
from kakehashi.core.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_advisories_load_idempotently(client):
    load_demo()
    load_demo()
    assert Advisory.objects.count() == 3
    published = Advisory.objects.get(case__title_en=PUBLISHED_TITLE)
    assert published.state == "published" and published.revisions.count() == 1
    content = published.current_revision.content  # type: ignore[union-attr]
    statuses = sorted(s["status"] for v in content["vendors"] for s in v["statuses"])
    assert statuses == ["fixed", "not_affected"]
    assert content["cve_ids"] == [f"CVE-{timezone.localdate().year}-31337"]
    for language in ("ja", "en"):
        page = client.get(f"/{language}/advisories/{published.slug}/")
        assert page.status_code == 200

    scheduled = Advisory.objects.get(case__title_en=SCHEDULED_TITLE)
    assert scheduled.state == "scheduled"
    assert scheduled.case is not None and scheduled.case.embargo_in_force
    assert scheduled.scheduled_for is not None and scheduled.scheduled_for > timezone.now()
    assert scheduled.current_revision_id is None
    assert client.get(f"/en/advisories/{scheduled.slug}/").status_code == 404
    assert scheduled.advisory_id not in client.get(reverse("feeds:advisories")).content.decode()
    review = VendorReview.objects.get(advisory=scheduled)
    assert review.state == "confirmed" and review.vendor_advisory_url

    alert = Advisory.objects.get(case=None, kind="alert")
    assert alert.state == "published" and alert.critical
    assert alert.revisions.count() == 1
    content = alert.current_revision.content  # type: ignore[union-attr]
    assert set(content["texts"]) == {"ja", "en"}
    assert content["texts"]["en"]["title"] == ALERT_TITLE
    assert "回避策" in content["texts"]["ja"]["solution"]
    for url in (
        f"/ja/advisories/{alert.slug}/",
        f"/advisories/{alert.slug}/csaf.json",
        f"/advisories/{alert.slug}/vuldef.xml",
    ):
        assert client.get(url).status_code == 200, url
    listed = client.get("/ja/advisories/", {"kind": "alert"}).content.decode()
    assert alert.advisory_id in listed
