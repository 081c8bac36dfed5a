"""The committee's pages and action endpoints per persona, the case page's panel and
the case timeline."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kakehashi.cases.models import Case
from kakehashi.cases.timeline import build_timeline
from kakehashi.committee import actions
from kakehashi.committee.models import Assessment, CommitteeFile, Decision, DraftText
from kakehashi.unreachable.tests.scenario import at, contact, day, listed, silent_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee_file(world):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    contact(case, vendor, day(20), "post", actor=world.user("coordinator"))
    with at(day(200)):
        return actions.declare_coordination_impossible(
            listing, actor=world.user("coordinator"), statement="Silent for six months."
        )


def _url(name, committee_file):
    return reverse(f"committee:{name}", kwargs={"file_id": committee_file.pk})


def test_committee_member_reads_the_file_but_not_the_case(committee_file, client_for):
    client = client_for("committee")
    body = client.get(_url("detail", committee_file)).content.decode()
    assert "Stored XSS in the comment form" in body  # the vulnerability snapshot
    assert "contact@vendor-a.example" in body  # the contact history snapshot
    assert "Record an assessment" in body
    assert "Record a new version of the draft" not in body  # coordinators feed the file
    case_url = reverse("cases:detail", kwargs={"case_id": committee_file.case_id})
    assert client.get(case_url).status_code == 404


def test_coordinator_sees_the_panel_and_the_file(committee_file, client_for):
    client = client_for("coordinator")
    case_url = reverse("cases:detail", kwargs={"case_id": committee_file.case_id})
    body = client.get(case_url).content.decode()
    assert "DID#00000001" in body
    assert _url("detail", committee_file) in body
    body = client.get(_url("detail", committee_file)).content.decode()
    assert "Record a new version of the draft" in body
    assert "Record an assessment" not in body


@pytest.mark.parametrize("persona", ["psirt", "other_vendor", "finder", "outsider", "cna", "clerk"])
def test_others_get_404_on_pages_and_actions(committee_file, client_for, persona):
    client = client_for(persona)
    assert client.get(_url("detail", committee_file)).status_code == 404
    assert client.get(reverse("committee:list")).status_code == 404
    data = {"criterion-criterion": "a", "criterion-met": "yes", "criterion-reasoning": "x"}
    assert client.post(_url("criterion", committee_file), data).status_code == 404
    assert not Assessment.objects.exists()


def test_assessment_and_refused_decision_through_the_views(committee_file, client_for, world):
    client = client_for("committee")
    with at(day(201)):
        response = client.post(
            _url("criterion", committee_file),
            {
                "criterion-criterion": "a",
                "criterion-met": "yes",
                "criterion-reasoning": "Six months.",
            },
        )
    assert response.status_code == 302
    assert Assessment.objects.get().met is True
    with at(day(240)):
        response = client.post(
            _url("decision", committee_file),
            {"decision-outcome": "publish", "decision-reasons": "Because."},
        )
    assert response.status_code == 400
    assert "There is no draft publication text." in response.content.decode()
    with at(day(201)):
        actions.record_draft(
            committee_file, actor=world.user("coordinator"), text_ja="案", text_en="Draft"
        )
    with at(day(240)):
        response = client.post(
            _url("decision", committee_file),
            {"decision-outcome": "publish", "decision-reasons": "Because."},
        )
    assert response.status_code == 400
    assert "Publication needs all four criteria met." in response.content.decode()
    assert not Decision.objects.exists()
    response = client.post(_url("decision", committee_file), {"decision-outcome": "publish"})
    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_coordinator_adds_a_draft_and_the_committee_cannot(committee_file, client_for):
    data = {"draft-text_ja": "草案", "draft-text_en": "Draft"}
    assert client_for("committee").post(_url("draft", committee_file), data).status_code == 404
    with at(day(201)):
        assert (
            client_for("coordinator").post(_url("draft", committee_file), data).status_code == 302
        )
    assert DraftText.objects.get().text_ja == "草案"


def test_coordinator_opens_an_impracticable_file_from_the_case_page(world, client_for):
    case, vendor = silent_case(world)
    url = reverse("committee:open", kwargs={"case_id": case.pk})
    response = client_for("coordinator").post(
        url, {"open-participant": vendor.pk, "open-statement": ""}, follow=True
    )
    assert "Nothing was changed" in response.content.decode()
    assert not CommitteeFile.objects.exists()
    response = client_for("coordinator").post(
        url, {"open-participant": vendor.pk, "open-statement": "The vendor refuses."}
    )
    committee_file = CommitteeFile.objects.get()
    assert response["Location"] == _url("detail", committee_file)
    assert client_for("committee").post(url, {}).status_code == 404


def test_declaring_too_early_is_refused_from_the_case_page(world, client_for):
    case, vendor = silent_case(world)
    listing = listed(world, case, vendor)
    url = reverse("committee:declare", kwargs={"listing_id": listing.pk})
    with at(day(100)):
        response = client_for("coordinator").post(
            url, {"declare-statement": "Silent."}, follow=True
        )
    assert "cannot be declared impossible yet" in response.content.decode()
    assert not CommitteeFile.objects.exists()


def test_every_step_is_in_the_case_timeline_with_a_fixed_number_of_queries(committee_file, world):
    case = Case.objects.get(pk=committee_file.case_id)
    with CaptureQueriesContext(connection) as before:
        build_timeline(case)
    with at(day(201)):
        actions.record_draft(
            committee_file, actor=world.user("coordinator"), text_ja="案", text_en="Draft"
        )
        for criterion in "abcd":
            actions.assess_criterion(
                committee_file,
                actor=world.user("committee"),
                criterion=criterion,
                met=True,
                reasoning="Holds.",
            )
    with at(day(240)):
        actions.decide(
            committee_file, actor=world.user("committee"), outcome="publish", reasons="All hold."
        )
    with CaptureQueriesContext(connection) as after:
        texts = [entry.text for entry in build_timeline(case)]
    assert len(after) == len(before)
    expected = [
        "Listed publicly as unreachable: DID#00000001",
        f"Committee file {committee_file.pk} opened",
        "notice to the vendor (The public unreachable-developer listing)",
        "draft publication text",
        "(エ) There is no reason against publication — met",
        "decided: Publish",
    ]
    for fragment in expected:
        assert any(fragment in text for text in texts), fragment


def test_file_list_shows_the_files(committee_file, client_for):
    body = client_for("committee").get(reverse("committee:list")).content.decode()
    assert _url("detail", committee_file) in body
    assert "Vendor A Ltd." in body


def test_committee_member_sees_no_case_in_the_case_list(committee_file, client_for):
    case = Case.objects.get(pk=committee_file.case_id)
    assert case.reference in client_for("coordinator").get(reverse("cases:list")).content.decode()
    body = client_for("committee").get(reverse("cases:list")).content.decode()
    assert case.reference not in body
    timeline = reverse("cases:timeline", kwargs={"case_id": case.pk})
    assert client_for("committee").get(timeline).status_code == 404


def _opinion_with_a_document(committee_file, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = SimpleUploadedFile("意見書.html", b"<script>alert(1)</script>", "text/html")
    with at(day(201)):
        return client.post(
            _url("opinion", committee_file),
            {
                "opinion-form": "written",
                "opinion-author": "Vendor A legal",
                "opinion-received_at": "2026-07-20T10:00",
                "opinion-text": "We object.",
                "opinion-attachment": document,
            },
        )


def test_an_opinion_with_a_document_is_served_only_as_a_download(committee_file, client_for):
    from kakehashi.committee.models import OpinionAttachment

    client = client_for("committee")
    assert _opinion_with_a_document(committee_file, client).status_code == 302
    document = OpinionAttachment.objects.get()
    assert document.filename == "意見書.html"
    url = reverse(
        "committee:attachment", kwargs={"file_id": committee_file.pk, "attachment_id": document.pk}
    )
    assert url in client.get(_url("detail", committee_file)).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    for persona in ("psirt", "outsider", "cna"):
        assert client_for(persona).get(url).status_code == 404
    assert client_for("coordinator").get(url).status_code == 200


def test_an_empty_document_is_refused_and_nothing_is_kept(committee_file, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kakehashi.committee.models import Opinion
    from kakehashi.core.workflow import InvalidInput

    with at(day(201)), pytest.raises(InvalidInput, match=r"“empty\.txt” is empty"):
        actions.record_opinion(
            committee_file,
            actor=world.user("committee"),
            form="written",
            author="x",
            received_at=day(200),
            text="x",
            attachments=[SimpleUploadedFile("empty.txt", b"")],
        )
    assert not Opinion.objects.exists()


def test_a_refused_opinion_keeps_no_stored_file(committee_file, world, settings):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from kakehashi.core.workflow import GuardFailed

    location = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    with at(day(201)), pytest.raises(GuardFailed, match="publication committee"):
        actions.record_opinion(
            committee_file,
            actor=world.user("coordinator"),  # not committee staff: refused after storing
            form="written",
            author="x",
            received_at=day(200),
            text="x",
            attachments=[SimpleUploadedFile("a.txt", b"data")],
        )
    assert not location.exists() or not any(location.iterdir())


def test_the_case_pages_vendor_choices_are_the_vendors_it_shows(world, client_for):
    """The listing and committee forms offer the vendors of the participants page as
    shown (a thousand-vendor case renders no thousand options); a posted vendor is
    still checked against every vendor of the case."""
    case, vendor = silent_case(world)
    client = client_for("coordinator")
    page = reverse("cases:detail", kwargs={"case_id": case.pk})
    option = f'<option value="{vendor.pk}">'

    def form_html(query: str, name: str) -> str:
        html = client.get(page + query).content.decode()
        start = html.index(f'name="{name}"')
        return html[start : html.index("</select>", start)]

    for name in ("participant", "open-participant"):
        assert option in form_html("", name)
        assert option not in form_html("?state=role:finder", name)  # filtered out
