"""Publication coupling: the advisory's publication queues its case's CVE records with
the advisory pages as references; a revision queues their update."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kakehashi.advisories import actions as advisory_actions
from kakehashi.advisories.models import Advisory
from kakehashi.cna import actions
from kakehashi.cna.models import CveRecord
from kakehashi.core.testing import run_pending_jobs

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _publish(advisory, committed):
    for text in advisory.texts.all():
        advisory_actions.approve_text(
            advisory, text.language, actor=_coordinator(), version=text.version
        )
    committed(
        advisory_actions.publish_if_due, advisory.pk, now=timezone.now() + timedelta(days=400)
    )


def _coordinator():
    from kakehashi.accounts.models import User

    return User.objects.get(username="coordinator")


@pytest.fixture
def described(officer, vulnerability, fake):
    actions.reserve_ids(officer, 1, YEAR)
    record = actions.assign_id(officer, vulnerability)
    return actions.edit_record(
        officer,
        record,
        description_en="Cross-site scripting in Vendor A Example CMS 3.2.0 and earlier allows a "
        "remote attacker to inject an arbitrary script via a comment.",
        description_ja="Vendor A が提供する Example CMS にはクロスサイトスクリプティングの脆弱性が存在します。",
        references=[],
        cna_tags=[],
        expected_version=record.version,
    )


def test_the_advisory_publication_publishes_the_record(committed, described, case, fake, world):
    advisory = advisory_actions.start_advisory(case, actor=world.user("coordinator"))
    _publish(advisory, committed)
    record = CveRecord.objects.get(pk=described.pk)
    assert record.sync_state == "queued"
    urls = [r["url"] for r in record.references]
    assert urls[0].endswith(f"/en/advisories/{advisory.slug}/")
    assert urls[1].endswith(f"/ja/advisories/{advisory.slug}/")
    run_pending_jobs()
    record.refresh_from_db()
    assert record.sync_state == "published"
    remote = fake.state.records[record.cve.cve_id]["containers"]["cna"]
    assert remote["references"][0]["tags"] == ["third-party-advisory"]

    # A revision of the advisory updates the record at CVE Services.
    advisory = Advisory.objects.get(pk=advisory.pk)
    for language in ("ja", "en"):
        text = advisory.text(language)
        advisory_actions.edit_text(
            advisory,
            language,
            actor=world.user("coordinator"),
            expected_version=text.version,
            revision_note="update",
        )
    _publish(Advisory.objects.get(pk=advisory.pk), committed)
    assert CveRecord.objects.get(pk=record.pk).sync_state == "update_pending"
    run_pending_jobs()
    assert fake.state.records[record.cve.cve_id]["cveMetadata"]["serial"] == 2


@pytest.mark.usefixtures("pool")
def test_an_incomplete_record_is_marked_for_the_officer(
    committed, officer, vulnerability, case, world
):
    record = actions.assign_id(officer, vulnerability)
    CveRecord.objects.filter(pk=record.pk).update(description_en="")
    advisory = advisory_actions.start_advisory(case, actor=world.user("coordinator"))
    _publish(advisory, committed)
    record.refresh_from_db()
    assert record.sync_state == "failed"
    assert "An English description is required." in record.last_error
