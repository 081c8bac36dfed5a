"""The reports API through HTTP: anonymous and token submissions with the form's limits,
refusals per field, base64 files, a finder's own reads and messages, the schema."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from kakehashi.accounts import actions as account_actions
from kakehashi.core.storage import open_private
from kakehashi.core.testing import run_pending_jobs
from kakehashi.intake import actions
from kakehashi.intake.models import Report

from .conftest import PRODUCT_REPORT, pass_all_checks

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _secret(world, persona: str, scopes: tuple[str, ...] = ("read", "write")) -> str:
    _token, secret = account_actions.create_api_token(
        world.user(persona), name="test", scopes=list(scopes)
    )
    return secret


def _post(path: str, body: dict, secret: str | None = None, ip: str = "192.0.2.1", **headers):
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    return Client(REMOTE_ADDR=ip).post(
        f"/api/v1/{path}",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Accept-Language": "en", **headers},
    )


def _get(path: str, secret: str):
    return Client().get(
        f"/api/v1/{path}", headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    )


def _report(**overrides) -> dict:
    return {"track": "product", "language": "ja", **PRODUCT_REPORT, **overrides}


def _file(name: str, content: bytes) -> dict:
    return {"name": name, "content_base64": base64.b64encode(content).decode("ascii")}


@pytest.fixture
def filed(world):
    """A report filed by the finder's account, and one by another finder's."""

    def make(persona: str = "finder", **overrides) -> Report:
        return actions.submit_report(
            track="product",
            language="en",
            data={**PRODUCT_REPORT, **overrides},
            finder_user=world.user(persona),
            reception_org=world.organisations["reception"],
        ).report

    return make


# --- Submission ------------------------------------------------------------------------


def test_anonymous_submission_answers_the_secret_link_once_and_mails_a_receipt(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post("reports", _report())
    run_pending_jobs()

    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert body["tracking_id"] == report.tracking_id and body["state"] == "received"
    assert report.finder_user is None
    assert report.title == PRODUCT_REPORT["title"] and report.publish_credit is True
    link = body["follow_up_url"]
    assert f"/ja/report/follow-up/{report.pk}-" in link
    _number, _dash, secret = link.rstrip("/").rsplit("/", 1)[-1].partition("-")
    assert report.follow_up_digest == actions.follow_up_digest(secret)
    (mail,) = mailoutbox
    assert mail.to == ["yamada@example.test"] and link in mail.body
    # The link works on the finder's pages.
    assert client.get("/" + link.split("/", 3)[3]).status_code == 302


def test_token_submission_belongs_to_the_tokens_user_and_returns_no_link(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            "reports", _report(finder_email="", language=None), _secret(world, "finder")
        )
    run_pending_jobs()

    assert response.status_code == 201
    assert response.json()["follow_up_url"] is None
    report = Report.objects.get(pk=response.json()["id"])
    assert report.finder_user == world.user("finder")
    assert report.language == "en"  # the request's language
    (mail,) = mailoutbox
    assert mail.to == ["finder@example.test"]


def test_a_signed_in_browser_without_a_token_files_anonymously(world, client_for):
    """No other site can file a report in a signed-in user's name: the session is ignored."""
    response = client_for("finder").post(
        "/api/v1/reports", data=json.dumps(_report()), content_type="application/json"
    )

    assert response.status_code == 201
    assert response.json()["follow_up_url"]
    assert Report.objects.get().finder_user is None


def test_a_wrong_token_is_refused_not_taken_as_anonymous(world):
    response = _post("reports", _report(), "not-a-token")
    basic = _post("reports", _report(), Authorization="Basic Zm9vOmJhcg==")

    assert response.status_code == basic.status_code == 401
    assert not Report.objects.exists()


def test_a_read_only_token_may_not_submit(world):
    response = _post("reports", _report(), _secret(world, "finder", ("read",)))

    assert response.status_code == 403
    assert "write" in response.json()["detail"]
    assert not Report.objects.exists()


def test_every_refused_field_is_named_at_once_and_nothing_is_saved(world):
    response = _post(
        "reports",
        _report(
            title=" ",
            description="",
            product_name="",
            finder_email="not-an-address",
            cvss_v3_vector="CVSS:3.1/AV:Z",
            publish_credit=True,
            credit_name="",
            finder_name="",
        ),
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "ReportInvalid"
    assert set(body["errors"]) == {
        "title",
        "description",
        "product_name",
        "finder_email",
        "cvss_v3_vector",
        "credit_name",
    }
    assert body["errors"]["title"] == "Give a one-line summary."
    assert body["errors"]["title"] in body["detail"]
    assert not Report.objects.exists()


def test_a_website_report_needs_an_http_url(world):
    response = _post("reports", _report(track="website", site_url="javascript:alert(1)"))

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"site_url"}


@pytest.mark.parametrize(
    "change",
    [
        {"track": "firmware"},
        {"share_identity_with_vendor": "perhaps"},
        {"planned_talk_date": "next spring"},
        {"self_coordination": "someone"},
        {"title": "x" * 301},
        {"is_admin": True},
        {"attachments": [{"name": "a.txt"}]},
    ],
)
def test_wrong_types_and_unknown_fields_are_refused(world, change):
    response = _post("reports", _report(**change))

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert not Report.objects.exists()


def test_typed_fields_are_stored_as_such(world):
    response = _post(
        "reports",
        _report(
            planned_talk_date="2031-04-01",
            planned_talk_title="Talk",
            self_coordination="reception",
            allow_direct_contact=True,
        ),
    )

    assert response.status_code == 201
    report = Report.objects.get()
    assert report.planned_talk_date.isoformat() == "2031-04-01"
    assert report.self_coordination == "reception" and report.allow_direct_contact is True


# --- Files -------------------------------------------------------------------------------


def test_base64_files_are_stored_typed_from_their_bytes_with_japanese_names(world):
    files = [
        _file("スクリーンショット.png", b"<script>alert(1)</script>"),
        _file("../../etc/メモ.txt", PNG),
    ]

    response = _post("reports", _report(attachments=files))

    assert response.status_code == 201
    first, second = Report.objects.get().attachments.order_by("pk")
    assert (first.filename, first.detected_type) == ("スクリーンショット.png", "text/plain")
    assert (second.filename, second.detected_type) == ("メモ.txt", "image/png")
    with open_private(first.storage_key) as handle:
        assert handle.read() == b"<script>alert(1)</script>"


def test_wrapped_base64_is_accepted_and_broken_base64_refused(world):
    wrapped = _file("a.txt", b"hello " * 40)
    wrapped["content_base64"] = "\n".join(
        wrapped["content_base64"][i : i + 76] for i in range(0, len(wrapped["content_base64"]), 76)
    )
    assert _post("reports", _report(attachments=[wrapped])).status_code == 201

    response = _post(
        "reports",
        _report(title="", attachments=[{"name": "poc.bin", "content_base64": "not base64!"}]),
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"title", "attachments"}
    assert "poc.bin" in errors["attachments"]
    assert Report.objects.count() == 1


def test_oversized_empty_or_too_many_files_are_refused(world, settings):
    settings.KAKEHASHI_ATTACHMENT_MAX_BYTES = 10
    settings.KAKEHASHI_ATTACHMENT_MAX_FILES = 2

    big = _post("reports", _report(attachments=[_file("big.txt", b"x" * 11)]))
    empty = _post("reports", _report(attachments=[_file("empty.txt", b"")]))
    many = _post("reports", _report(attachments=[_file(f"{n}.txt", b"x") for n in range(3)]))

    assert big.status_code == empty.status_code == many.status_code == 422
    assert "larger" in big.json()["errors"]["attachments"]
    assert "empty" in empty.json()["errors"]["attachments"]
    assert "At most 2" in many.json()["errors"]["attachments"]
    assert not Report.objects.exists()


# --- Rate limits ---------------------------------------------------------------------------


def test_reports_per_ip_are_limited_like_the_form(world, settings):
    settings.KAKEHASHI_REPORT_RATE_PER_HOUR = 2
    settings.KAKEHASHI_REPORT_RATE_PER_ADDRESS_PER_HOUR = 100
    secret = _secret(world, "finder")

    refused = _post("reports", _report(title=""))  # a refused report does not count
    first = _post("reports", _report(finder_email="a@example.test"))
    second = _post("reports", _report(finder_email="b@example.test"), secret)  # token too
    third = _post("reports", _report(finder_email="c@example.test"))
    elsewhere = _post("reports", _report(finder_email="d@example.test"), ip="198.51.100.7")

    assert refused.status_code == 422
    assert first.status_code == second.status_code == elsewhere.status_code == 201
    assert third.status_code == 429
    assert "Too many reports" in third.json()["detail"]
    assert 0 < int(third["Retry-After"]) <= 3600
    assert Report.objects.count() == 3


def test_reports_per_address_are_limited_across_ips(world, settings):
    settings.KAKEHASHI_REPORT_RATE_PER_HOUR = 100
    settings.KAKEHASHI_REPORT_RATE_PER_ADDRESS_PER_HOUR = 1

    first = _post("reports", _report(), ip="192.0.2.1")
    again = _post("reports", _report(finder_email="YAMADA@example.test"), ip="192.0.2.2")

    assert first.status_code == 201
    assert again.status_code == 429


# --- Reads ---------------------------------------------------------------------------------


def test_a_finder_lists_only_its_own_reports(world, filed):
    own = filed()
    filed("outsider")  # another finder's
    anonymous = _post("reports", _report()).json()

    response = _get("reports", _secret(world, "finder"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["tracking_id"] == own.tracking_id
    assert item["state"] == "received" and item["state_label"] == "Received"
    assert item["forwarded"] is False
    assert anonymous["tracking_id"] not in response.content.decode()


def test_the_list_is_paginated(world, filed):
    for _n in range(3):
        filed()
    secret = _secret(world, "finder")

    page = _get("reports?limit=2&offset=2", secret).json()

    assert page["count"] == 3 and len(page["items"]) == 1
    assert _get("reports?limit=1000", secret).status_code == 422


def test_one_report_with_its_files_and_the_conversation_oldest_first(world, filed):
    report = filed()
    clerk = world.user("clerk")
    actions.ask_finder(report, actor=clerk, question="Which version?")
    report.refresh_from_db()
    secret = _secret(world, "finder")
    answered = _post(
        f"reports/{report.pk}/messages",
        {"body": "2.3.1", "attachments": [_file("ログ.txt", b"trace")]},
        secret,
    )
    assert answered.status_code == 201

    response = _get(f"reports/{report.pk}", secret)

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "received" and body["open_question"] is False
    question, answer = body["messages"]
    assert (question["body"], question["is_question"], question["from_finder"]) == (
        "Which version?",
        True,
        False,
    )
    assert (answer["body"], answer["from_finder"]) == ("2.3.1", True)
    (attachment,) = answer["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("ログ.txt", 5)
    assert body["attachments"] == []  # none sent with the report itself
    assert body["finder_name"] == PRODUCT_REPORT["finder_name"]


def test_a_forwarded_report_says_so_without_the_case(world, filed):
    report = filed()
    clerk = world.user("clerk")
    pass_all_checks(report, clerk)
    actions.accept_report(report, actor=clerk)
    report.refresh_from_db()
    case = actions.forward_report(
        report, actor=clerk, coordinator_org=world.organisations["coordination"]
    )

    response = _get(f"reports/{report.pk}", _secret(world, "finder"))

    body = response.json()
    assert body["forwarded"] is True and body["state"] == "forwarded"
    assert case.reference not in response.content.decode()
    assert not {"case", "case_id", "reference"} & set(body)


def test_another_finders_report_is_not_found_like_a_missing_one(world, filed):
    other = filed("outsider")
    secret = _secret(world, "finder")

    hidden = _get(f"reports/{other.pk}", secret)
    missing = _get("reports/999999", secret)
    message = _post(f"reports/{other.pk}/messages", {"body": "hi"}, secret)

    assert hidden.status_code == missing.status_code == message.status_code == 404
    assert hidden.json() == missing.json()
    assert not other.messages.exists()


def test_reads_need_a_token_with_the_read_scope(world, filed):
    report = filed()

    assert Client().get("/api/v1/reports").status_code == 401
    assert Client().get(f"/api/v1/reports/{report.pk}").status_code == 401
    write_only = _secret(world, "finder", ("write",))
    assert _get("reports", write_only).status_code == 403
    assert _get(f"reports/{report.pk}", write_only).status_code == 403


# --- Messages ------------------------------------------------------------------------------


def test_messages_need_the_write_scope_and_an_open_report(world, filed):
    report = filed()
    read_only = _secret(world, "finder", ("read",))
    secret = _secret(world, "finder")

    assert _post(f"reports/{report.pk}/messages", {"body": "x"}, read_only).status_code == 403
    assert _post(f"reports/{report.pk}/messages", {"body": " "}, secret).status_code == 422
    broken = _post(
        f"reports/{report.pk}/messages",
        {"attachments": [{"name": "x.bin", "content_base64": "%%%"}]},
        secret,
    )
    assert broken.status_code == 422 and "attachments" in broken.json()["errors"]

    actions.reject_report(report, actor=world.user("clerk"), reason="known")
    closed = _post(f"reports/{report.pk}/messages", {"body": "But…"}, secret)

    assert closed.status_code == 409
    assert closed.json()["code"] == "GuardFailed"
    assert not report.messages.exists()


# --- Hostile input and the schema ----------------------------------------------------------


def test_hostile_text_comes_back_as_plain_json_strings(world):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    secret = _secret(world, "finder")
    filed = _post(
        "reports",
        _report(title=script, description=script, finder_name=script, product_name=script),
        secret,
    )
    assert filed.status_code == 201
    report_id = filed.json()["id"]
    _post(
        f"reports/{report_id}/messages",
        {"body": script, "attachments": [_file(script, b"x")]},
        secret,
    )

    response = _get(f"reports/{report_id}", secret)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.json()
    assert body["title"] == body["description"] == body["finder_name"] == script
    assert body["messages"][0]["body"] == script
    filename = body["messages"][0]["attachments"][0]["filename"]
    assert filename == "script><img src=x onerror=alert(1)>"  # the last path part, as text


def test_openapi_document_lists_the_report_paths(db):
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    paths = schema["paths"]

    submit = paths["/api/v1/reports"]["post"]
    assert {"201", "401", "403", "422", "429"} <= set(submit["responses"])
    assert {} in submit["security"]  # anonymous allowed
    assert any("TokenAuth" in s for s in submit["security"])
    assert paths["/api/v1/reports"]["get"]["security"] == [{"TokenAuth": []}]
    assert {"200", "401", "403", "404"} <= set(
        paths["/api/v1/reports/{report_id}"]["get"]["responses"]
    )
    reply = paths["/api/v1/reports/{report_id}/messages"]["post"]
    assert {"201", "403", "404", "409", "422"} <= set(reply["responses"])
    properties = schema["components"]["schemas"]["ReportIn"]["properties"]
    assert properties["planned_talk_date"]["anyOf"][0]["format"] == "date"
    assert properties["share_identity_with_vendor"]["type"] == "boolean"
    assert "case" not in schema["components"]["schemas"]["ReportOut"]["properties"]


def test_a_body_beyond_the_request_limit_is_refused_as_json(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = _post("reports", _report(attachments=[_file("big.bin", b"x" * 2000)]))

    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "too large" in response.json()["detail"]
    assert not Report.objects.exists()


def test_a_self_report_through_the_api_credits_no_finder(world):
    """The reporter of a self-report is the vendor: consent and credit fields sent
    anyway are dropped by the action, as the form does not ask them."""
    response = _post(
        "reports",
        _report(
            track="self_report",
            publish_credit=True,
            credit_name="PSIRT team",
            share_identity_with_vendor=True,
            allow_direct_contact=True,
        ),
        _secret(world, "psirt"),
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert report.track == "self_report"
    assert not report.publish_credit and report.credit_name == ""
    assert not report.share_identity_with_vendor and not report.allow_direct_contact
