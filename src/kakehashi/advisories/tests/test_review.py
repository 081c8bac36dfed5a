"""The vendors' review of the advisory draft: a watermarked preview from the vendor
portal, each vendor's answer for its own row, and the vendor advisory URL in the
published content."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from kakehashi.advisories import actions
from kakehashi.advisories.models import VendorReview
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Participant
from kakehashi.core.audit import AuditEvent
from kakehashi.core.workflow import GuardFailed, InvalidInput
from kakehashi.vendors import actions as vendor_actions
from kakehashi.vendors.choices import RegistrationType

from .conftest import MARKER_EN, approve_both

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")


def _review_url(case) -> str:
    return reverse("advisories:vendor_review", kwargs={"case_id": case.pk})


def _preview_url(case, language: str = "en") -> str:
    return reverse("advisories:vendor_preview", kwargs={"case_id": case.pk, "language": language})


def _vendor(case, world, key: str) -> Participant:
    return case.participants.get(organisation=world.organisations[key])


def _answer(advisory, **fields) -> dict[str, object]:
    versions = actions.draft_versions(advisory)
    return {"ja": versions["ja"], "en": versions["en"], **fields}


def test_vendor_of_the_case_previews_the_watermarked_draft(advisory, client_for):
    response = client_for("psirt").get(_preview_url(advisory.case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "EMBARGOED" in body and "エンバーゴ中" in body
    assert MARKER_EN in body
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in body


def test_portal_case_page_links_to_the_draft(advisory, client_for):
    page = client_for("psirt").get(reverse("portal:case", kwargs={"case_id": advisory.case_id}))
    assert _review_url(advisory.case) in page.content.decode()


def test_portal_case_page_without_an_advisory_has_no_draft_panel(case, client_for):
    page = client_for("psirt").get(reverse("portal:case", kwargs={"case_id": case.pk}))
    assert page.status_code == 200
    assert _review_url(case) not in page.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "finder", "anonymous_user"])
def test_others_get_404_for_the_preview_and_the_answer(advisory, client_for, persona):
    client = client_for("outsider" if persona == "anonymous_user" else persona)
    if persona == "anonymous_user":
        client.logout()
    for url in (_preview_url(advisory.case), _review_url(advisory.case)):
        status = client.get(url).status_code
        assert status == (302 if persona == "anonymous_user" else 404), url
    assert client.post(_review_url(advisory.case), _answer(advisory, state="confirmed"))
    assert not VendorReview.objects.exists()


def test_other_vendor_not_in_the_case_gets_404(world, coordinator, client_for):
    case = case_actions.create_case(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="One"
    )
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-a"]]
    )
    advisory = actions.start_advisory(case, actor=coordinator)
    client = client_for("other_vendor")
    assert client.get(_preview_url(case)).status_code == 404
    assert client.get(_review_url(case)).status_code == 404
    response = client.post(_review_url(case), _answer(advisory, state="confirmed"))
    assert response.status_code == 404
    assert not VendorReview.objects.exists()


def test_a_case_without_an_advisory_answers_404_to_its_vendor(case, client_for):
    assert client_for("psirt").get(_preview_url(case)).status_code == 404
    assert client_for("psirt").get(_review_url(case)).status_code == 404


def test_individually_registered_vendor_in_a_multi_vendor_case_gets_404(
    advisory, world, coordinator, client_for
):
    vendor_actions.register_vendor(
        coordinator, world.organisations["vendor-b"], registration_type=RegistrationType.INDIVIDUAL
    )
    client = client_for("other_vendor")
    assert client.get(_preview_url(advisory.case)).status_code == 404
    assert client.get(_review_url(advisory.case)).status_code == 404
    vendor_b = _vendor(advisory.case, world, "vendor-b")
    with pytest.raises(GuardFailed):
        actions.review_draft(
            advisory,
            vendor_b,
            actor=world.user("other_vendor"),
            state="confirmed",
            read_versions=actions.draft_versions(advisory),
        )
    assert not VendorReview.objects.exists()


def test_vendor_confirms_its_row_with_its_advisory_url(advisory, world, client_for, coordinator):
    response = client_for("psirt").post(
        _review_url(advisory.case),
        _answer(
            advisory,
            state="confirmed",
            vendor_advisory_url="https://vendor-a.example/security/2026-01",
            vendor_published_at="2026-12-01 11:00",
        ),
    )
    assert response.status_code == 302
    review = VendorReview.objects.get()
    assert review.participant == _vendor(advisory.case, world, "vendor-a")
    assert review.state == "confirmed"
    assert review.vendor_published_at == datetime(2026, 12, 1, 11, 0, tzinfo=JST)
    assert review.draft_versions == {"ja": 1, "en": 1}
    event = AuditEvent.objects.filter(action="advisory.vendor_reviewed").get()
    assert event.actor_id == world.user("psirt").pk
    editor = client_for("coordinator").get(
        reverse("advisories:editor", kwargs={"advisory_id": advisory.pk})
    )
    body = editor.content.decode()
    assert "https://vendor-a.example/security/2026-01" in body and "Confirmed" in body


def test_vendor_asks_for_changes_and_the_coordinator_sees_the_comment(advisory, client_for):
    client_for("vendoradmin").post(
        _review_url(advisory.case),
        _answer(advisory, state="changes_requested", comment="Our fixed version is 3.2.2."),
    )
    assert VendorReview.objects.get().state == "changes_requested"
    editor = client_for("coordinator").get(
        reverse("advisories:editor", kwargs={"advisory_id": advisory.pk})
    )
    assert "Our fixed version is 3.2.2." in editor.content.decode()
    assert "Changes requested" in editor.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"state": "changes_requested"}, "Say what should change in the draft."),
        ({"state": "maybe"}, "Select a valid choice."),
        (
            {"state": "confirmed", "vendor_advisory_url": "javascript:alert(1)"},
            "Enter a valid URL.",
        ),
        (
            {"state": "confirmed", "vendor_published_at": "2026-12-01 11:00"},
            "Give the address of your advisory with its publication time.",
        ),
    ],
)
def test_bad_answers_are_refused_and_nothing_changes(advisory, client_for, fields, message):
    response = client_for("psirt").post(_review_url(advisory.case), _answer(advisory, **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not VendorReview.objects.exists()
    assert not AuditEvent.objects.filter(action="advisory.vendor_reviewed").exists()


def test_an_answer_on_a_stale_draft_is_refused(advisory, client_for, coordinator):
    stale = _answer(advisory, state="confirmed")
    text = advisory.text("en")
    actions.edit_text(advisory, "en", actor=coordinator, expected_version=text.version, title="X")
    response = client_for("psirt").post(_review_url(advisory.case), stale)
    assert response.status_code == 400
    assert "The draft changed since you read it." in response.content.decode()
    assert not VendorReview.objects.exists()


def test_the_coordinator_sees_an_answer_made_on_an_earlier_draft(advisory, client_for, coordinator):
    client_for("psirt").post(_review_url(advisory.case), _answer(advisory, state="confirmed"))
    text = advisory.text("ja")
    actions.edit_text(advisory, "ja", actor=coordinator, expected_version=text.version, title="新")
    editor = client_for("coordinator").get(
        reverse("advisories:editor", kwargs={"advisory_id": advisory.pk})
    )
    assert "on an earlier version of the draft" in editor.content.decode()
    page = client_for("psirt").get(_review_url(advisory.case))
    assert "The draft changed since your answer." in page.content.decode()


def test_a_vendor_answers_only_for_its_own_row(advisory, world):
    vendor_b = _vendor(advisory.case, world, "vendor-b")
    with pytest.raises(GuardFailed):
        actions.review_draft(
            advisory,
            vendor_b,
            actor=world.user("psirt"),  # vendor A's member
            state="confirmed",
            read_versions=actions.draft_versions(advisory),
        )
    with pytest.raises(InvalidInput):
        actions.review_draft(
            advisory,
            _vendor(advisory.case, world, "vendor-a"),
            actor=world.user("psirt"),
            state="confirmed",
            read_versions=actions.draft_versions(advisory),
            vendor_advisory_url="ftp://vendor-a.example/x",
        )
    assert not VendorReview.objects.exists()


def test_the_vendor_advisory_url_becomes_a_reference_in_the_published_content(
    advisory, world, coordinator, client_for
):
    actions.review_draft(
        advisory,
        _vendor(advisory.case, world, "vendor-a"),
        actor=world.user("psirt"),
        state="confirmed",
        read_versions=actions.draft_versions(advisory),
        vendor_advisory_url="https://vendor-a.example/sa-1",
        vendor_published_at=timezone.now() + timedelta(days=1),
    )
    approve_both(advisory, coordinator)
    revision = actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    assert revision is not None
    urls = {row["name_en"]: row["advisory_url"] for row in revision.content["vendors"]}
    assert sorted(urls.values()) == ["", "https://vendor-a.example/sa-1"]
    page = client_for("anonymous").get(reverse("advisories:page", kwargs={"slug": advisory.slug}))
    assert 'href="https://vendor-a.example/sa-1"' in page.content.decode()


def test_the_preview_hides_other_vendors_rows_unless_they_share(advisory, world, client_for):
    def preview() -> str:
        return client_for("psirt").get(_preview_url(advisory.case)).content.decode()

    body = preview()
    assert f"Statement of {_vendor(advisory.case, world, 'vendor-a')}" in body
    vendor_b = _vendor(advisory.case, world, "vendor-b")
    assert f"Statement of {vendor_b}" not in body
    assert "One other vendor's row is not shown in your preview." in body
    case_actions.set_status_sharing(
        advisory.case, vendor_b, actor=world.user("other_vendor"), share=True
    )
    assert f"Statement of {vendor_b}" in preview()


def test_the_coordinators_preview_shows_every_vendor(advisory, world, client_for):
    body = (
        client_for("coordinator")
        .get(reverse("advisories:preview", kwargs={"advisory_id": advisory.pk, "language": "en"}))
        .content.decode()
    )
    for key in ("vendor-a", "vendor-b"):
        assert f"Statement of {_vendor(advisory.case, world, key)}" in body
    assert "not shown in your preview" not in body
