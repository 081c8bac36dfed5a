"""The reception desk through its pages: who may act, what each action does, how
refusals look (nothing changes), downloads, the coordinators' view, hostile input,
the queue's order and deadlines, and the query budget."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kakehashi.cases.models import Case
from kakehashi.core.dates import JST
from kakehashi.intake import actions
from kakehashi.intake.access import SESSION_KEY
from kakehashi.intake.models import Report, ReportAttachment
from kakehashi.intake.views.desk import LINKED_FORMS

from .conftest import pass_all_checks
from .factories import HOSTILE, accepted_report, forwarded_report, make_report, upload

pytestmark = pytest.mark.django_db

DENIED = ("psirt", "coordinator", "admin", "finder", "outsider")


def fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


def url(name: str, report: Report) -> str:
    return reverse(f"intake:desk_{name}", kwargs={"report_id": report.pk})


def post(client, name: str, report: Report, prefix: str, data: dict, *, revision=None, **extra):
    """POST an action form as the page renders it: prefixed fields and the revision."""
    payload = {f"{prefix}-revision": fresh(report).revision if revision is None else revision}
    payload.update({f"{prefix}-{key}": value for key, value in data.items()})
    payload.update(extra)
    return client.post(url(name, report), payload)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def ctx(world, clerk):
    return SimpleNamespace(world=world, clerk=clerk)


def _website(ctx, *, confirmed: bool = False, sent: bool = False) -> Report:
    report = accepted_report(ctx.world, track="website")
    if confirmed or sent:
        actions.record_operator_contact(
            report,
            actor=ctx.clerk,
            channel="email",
            address="security@shop.example.jp",
            outcome="answered",
            window_confirmed=True,
        )
    if sent:
        actions.send_details_to_operator(
            fresh(report), actor=ctx.clerk, address="security@shop.example.jp"
        )
    return fresh(report)


def _rejected(ctx) -> Report:
    report = make_report(ctx.world)
    actions.reject_report(report, actor=ctx.clerk, reason="known")
    return fresh(report)


# name: (form prefix, setup → (report, POST data), did it happen?)
ACTIONS = {
    "acknowledge": (
        "ack",
        lambda c: (make_report(c.world), {}),
        lambda r: r.acknowledged_at is not None,
    ),
    "assign": (
        "assign",
        lambda c: (make_report(c.world), {"assignee": c.clerk.pk}),
        lambda r: r.assignee_id is not None,
    ),
    "scope": (
        "scope",
        lambda c: (make_report(c.world), {"scope": "narrow"}),
        lambda r: r.scope == "narrow" and r.priority == "low",
    ),
    "ask": (
        "ask",
        lambda c: (make_report(c.world), {"question": "Which version?"}),
        lambda r: r.state == "needs_info" and r.messages.filter(is_question=True).exists(),
    ),
    "message": (
        "message",
        lambda c: (make_report(c.world), {"body": "We are looking at it."}),
        lambda r: r.messages.filter(from_finder=False).exists(),
    ),
    "check": (
        "check",
        lambda c: (make_report(c.world), {"check": "complete", "result": "pass", "note": "ok"}),
        lambda r: r.checks.filter(check_name="complete", result="pass").exists(),
    ),
    "accept": (
        "accept",
        lambda c: (_checked(c), {"note": "Thank you."}),
        lambda r: r.state == "accepted" and r.accepted_at is not None,
    ),
    "reject": (
        "reject",
        lambda c: (make_report(c.world), {"reason": "out_of_scope", "note": "Not used in Japan"}),
        lambda r: r.state == "rejected" and r.rejection_reason == "out_of_scope",
    ),
    "duplicate": (
        "duplicate",
        lambda c: (
            make_report(c.world),
            {"original": make_report(c.world, title="First").tracking_id},
        ),
        lambda r: r.duplicate_of is not None and r.state == "closed",
    ),
    "forward": (
        "forward",
        lambda c: (
            accepted_report(c.world),
            {"coordinator_org": c.world.organisations["coordination"].pk},
        ),
        lambda r: r.state == "forwarded" and r.case is not None,
    ),
    "close": (
        "close",
        lambda c: (accepted_report(c.world), {"reason": "low_impact", "note": "Low impact"}),
        lambda r: r.state == "closed" and r.closure_reason == "low_impact",
    ),
    "reopen": (
        "reopen",
        lambda c: (_rejected(c), {"note": "New information"}),
        lambda r: r.state == "received",
    ),
    "contact": (
        "contact",
        lambda c: (
            _website(c),
            {"channel": "email", "address": "info@shop.example.jp", "outcome": "sent"},
        ),
        lambda r: r.operator_contacts.exists() and r.site_state == "searching",
    ),
    "send": (
        "send",
        lambda c: (_website(c, confirmed=True), {"address": "security@shop.example.jp"}),
        lambda r: r.site_state == "details_sent",
    ),
    "site": (
        "site",
        lambda c: (_website(c), {"event": "start"}),
        lambda r: r.site_state == "searching",
    ),
    "fix": (
        "fix",
        lambda c: (_website(c, sent=True), {"method": "page_removed"}),
        lambda r: r.site_state == "fixed" and r.fix_method == "page_removed",
    ),
    "transfer": (
        "transfer",
        lambda c: (
            _website(c),
            {"product_name": "CartKit", "description": "XSS in the cart template"},
        ),
        lambda r: r.closure_reason == "transferred",
    ),
}


def _checked(ctx) -> Report:
    report = make_report(ctx.world)
    pass_all_checks(report, ctx.clerk)
    return fresh(report)


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_the_clerk_performs_each_action_and_returns_to_the_report(name, ctx, client_for):
    prefix, setup, happened = ACTIONS[name]
    report, data = setup(ctx)
    response = post(client_for("clerk"), name, report, prefix, data)
    assert response.status_code == 302, messages_of(response) or response.content[:2000]
    report = fresh(report)
    assert happened(report)
    if name == "forward":
        assert response["Location"] == reverse("cases:detail", kwargs={"case_id": report.case_id})
    elif name == "transfer":
        product = Report.objects.get(track="product", title=data["product_name"])
        assert response["Location"].startswith(url("report", product))
    else:
        assert response["Location"].startswith(url("report", report))


@pytest.mark.parametrize("name", sorted([*ACTIONS, "decrypt"]))
def test_only_the_reception_desk_may_act(name, ctx, client_for):
    """Vendors, the coordination (its administrator too), the finder and outsiders get
    the same 404 as for a report that does not exist, and nothing changes."""
    prefix, setup, happened = ACTIONS.get(name, ("decrypt", None, None))
    report, data = setup(ctx) if setup else (make_report(ctx.world), {})
    before = fresh(report).revision
    for persona in DENIED:
        response = post(client_for(persona), name, report, prefix, data)
        assert response.status_code == 404, persona
    after = fresh(report)
    assert after.revision == before
    assert happened is None or not happened(after)
    response = client_for("anonymous").post(url(name, report), {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_action_endpoints_refuse_get(report, client_for):
    assert client_for("clerk").get(url("accept", report)).status_code == 405


# --- Refusals: the message, and nothing changed ---------------------------------------


def test_a_stale_form_is_refused_with_the_conflict_message(report, clerk, client_for):
    stale = fresh(report).revision
    actions.set_scope(fresh(report), actor=clerk, scope="medium")  # another clerk, meanwhile
    response = post(
        client_for("clerk"),
        "reject",
        report,
        "reject",
        {"reason": "known", "note": "Published last year"},
        revision=stale,
    )
    text = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this at the same moment" in text
    after = fresh(report)
    assert after.state == "received" and after.revision == stale + 1
    # The form is shown again for the report as it now is, the typed text kept.
    assert f'name="reject-revision" value="{after.revision}"' in text
    assert "Published last year" in text


@pytest.mark.parametrize(
    "form",
    [
        ("acknowledge", "ack", {}),
        ("check", "check", {"check": "complete", "result": "pass"}),
        ("message", "message", {"body": "Hello"}),
    ],
)
def test_actions_without_a_revision_argument_refuse_stale_forms_too(
    form, report, clerk, client_for
):
    name, prefix, data = form
    stale = fresh(report).revision
    actions.assign_report(fresh(report), actor=clerk, assignee=clerk)
    response = post(client_for("clerk"), name, report, prefix, data, revision=stale)
    assert response.status_code == 409
    assert "Someone else changed this" in messages_of(response)
    after = fresh(report)
    assert after.acknowledged_at is None and not after.checks.exists()
    assert not after.messages.exists()


def test_a_refused_transition_names_the_state_and_changes_nothing(ctx, client_for):
    report = _rejected(ctx)
    response = post(client_for("clerk"), "accept", report, "accept", {})
    assert response.status_code == 400
    text = response.content.decode()
    assert "is not allowed while the report is “Not accepted”" in text
    assert "Allowed now: reopen" in text
    assert fresh(report).state == "rejected" and fresh(report).revision == report.revision


def test_acceptance_is_refused_until_all_five_checks_pass(report, client_for):
    client = client_for("clerk")
    for check in ("complete", "consistent", "in_scope", "is_vulnerability"):
        response = post(client, "check", report, "check", {"check": check, "result": "pass"})
        assert response.status_code == 302
    post(client, "check", report, "check", {"check": "not_known", "result": "fail"})
    response = post(client, "accept", report, "accept", {})
    assert response.status_code == 400
    assert "Record every acceptance check as passed first" in response.content.decode()
    assert "(e) It is not already known" in response.content.decode()
    assert fresh(report).state == "received" and fresh(report).accepted_at is None
    page = client.get(url("report", report)).content.decode()
    assert "4 of 5 passed" in page
    post(client, "check", report, "check", {"check": "not_known", "result": "pass", "note": "ok"})
    assert "5 of 5 passed" in client.get(url("report", report)).content.decode()
    assert post(client, "accept", report, "accept", {}).status_code == 302
    assert fresh(report).state == "accepted"


def test_the_latest_record_of_each_check_is_shown(report, clerk, client_for):
    actions.record_check(report, actor=clerk, check="consistent", result="fail", note="v1 vs v2")
    actions.record_check(report, actor=clerk, check="consistent", result="pass", note="clarified")
    text = client_for("clerk").get(url("report", report)).content.decode()
    assert "clarified" in text and "v1 vs v2" not in text


def test_a_missing_field_is_a_form_error(report, client_for):
    response = post(client_for("clerk"), "reject", report, "reject", {"note": "why?"})
    assert response.status_code == 400
    assert "Nothing was changed" in messages_of(response)
    assert fresh(report).state == "received"


def test_details_go_only_to_a_confirmed_window(ctx, client_for):
    report = _website(ctx)
    actions.record_operator_contact(
        report, actor=ctx.clerk, channel="email", address="info@shop.example.jp", outcome="sent"
    )
    response = post(
        client_for("clerk"), "send", report, "send", {"address": "info@shop.example.jp"}
    )
    assert response.status_code == 400  # not a choice: only confirmed windows are offered
    assert fresh(report).site_state == "searching"


def test_a_duplicate_must_be_a_report_of_the_same_desk(report, client_for):
    response = post(client_for("clerk"), "duplicate", report, "duplicate", {"original": "KHR#0"})
    assert response.status_code == 400
    assert "No other report of this desk has this tracking ID." in response.content.decode()
    assert fresh(report).state == "received"


# --- Forwarding and the coordinators' view --------------------------------------------


def for_case(client, report: Report) -> str:
    response = client.get(reverse("intake:desk_for_case", kwargs={"report_id": report.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_forwarding_creates_a_case_and_the_coordinators_do_not_see_a_withheld_identity(
    ctx, client_for
):
    report = accepted_report(ctx.world, finder_phone="03-0000-0000", finder_affiliation="Lab X")
    post(
        client_for("clerk"),
        "forward",
        report,
        "forward",
        {"coordinator_org": ctx.world.organisations["coordination"].pk},
    )
    report = fresh(report)
    assert Case.objects.get() == report.case
    text = for_case(client_for("coordinator"), report)
    for secret in ("山田", "yamada@example.test", "03-0000-0000", "Lab X"):
        assert secret not in text
    assert "did not allow their name or contact to be passed on" in text
    assert "Taro Yamada" in text  # the credit name the finder asked to publish
    assert "コメント欄に入力したスクリプト" in text  # what was reported


def test_the_coordinators_see_the_identity_the_finder_allowed(ctx, client_for):
    report = forwarded_report(ctx.world, share_identity_with_vendor=True, allow_direct_contact=True)
    text = for_case(client_for("coordinator"), report)
    assert "山田 太郎" in text and "yamada@example.test" in text
    assert "did not allow" not in text


def test_no_credit_is_shown_unless_the_finder_asked_for_it(ctx, client_for):
    report = forwarded_report(ctx.world, publish_credit=False, credit_name="Secret Handle")
    assert "Secret Handle" not in for_case(client_for("coordinator"), report)


def test_the_desk_is_sent_back_to_the_report_when_it_cannot_see_the_case(ctx, client_for):
    # The reception desk sees the cases it forwarded, so the clerk lands on the case;
    # the report page links the case too.
    report = forwarded_report(ctx.world)
    page = client_for("clerk").get(url("report", report)).content.decode()
    assert reverse("cases:detail", kwargs={"case_id": report.case_id}) in page


# --- Attachments ----------------------------------------------------------------------


def _attachment(world, name="検証コード.html", **kwargs) -> ReportAttachment:
    report = make_report(world, uploads=[upload(name)], **kwargs)
    return report.attachments.get()


def download(client, attachment: ReportAttachment, method: str = "get", **data):
    path = reverse("intake:attachment", kwargs={"attachment_id": attachment.pk})
    return getattr(client, method)(path, data)


def test_downloads_are_attachments_that_nothing_renders(world, client_for):
    attachment = _attachment(world)
    response = download(client_for("clerk"), attachment)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"attachment.html\"; filename*=UTF-8''"
        "%E6%A4%9C%E8%A8%BC%E3%82%B3%E3%83%BC%E3%83%89.html"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        (
            "<script>.html",
            "attachment; filename=\"script.html\"; filename*=UTF-8''%3Cscript%3E.html",
        ),
        ("../../x", "attachment; filename=\"x\"; filename*=UTF-8''x"),
        ('a"b;c\r\n.txt', "attachment; filename=\"a_b_c.txt\"; filename*=UTF-8''a%22b%3Bc.txt"),
        (
            "報告 書.pdf",
            "attachment; filename=\"attachment.pdf\"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%20%E6%9B%B8.pdf",
        ),
    ],
)
def test_hostile_file_names_cannot_break_the_header(name, disposition, world, client_for):
    attachment = _attachment(world, name=name)
    # Names stored before today's cleaning rules are cleaned again on the way out.
    ReportAttachment.objects.filter(pk=attachment.pk).update(filename=name)
    response = download(client_for("clerk"), attachment)
    assert response["Content-Disposition"] == disposition


def test_hostile_file_names_are_shown_escaped(world, client_for):
    attachment = _attachment(world, name="<img src=x onerror=alert(1)>.html")
    text = client_for("clerk").get(url("report", attachment.report)).content.decode()
    assert "<img src=x" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;.html" in text


def test_a_quarantined_file_needs_an_explicit_confirmation(world, client_for):
    attachment = _attachment(world)
    ReportAttachment.objects.filter(pk=attachment.pk).update(
        quarantined=True, scan_label="flagged", scan_detail="Eicar-Test-Signature"
    )
    client = client_for("clerk")
    warning = download(client, attachment)
    assert warning.status_code == 200 and warning["Content-Type"].startswith("text/html")
    text = warning.content.decode()
    assert "quarantined" in text and "Eicar-Test-Signature" in text
    assert "<script>alert(1)</script>" not in text
    unconfirmed = download(client, attachment, "post")
    assert unconfirmed["Content-Type"].startswith("text/html")
    confirmed = download(client, attachment, "post", confirm="download")
    assert confirmed["Content-Type"] == "application/octet-stream"
    assert confirmed["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(confirmed.streaming_content) == b"<script>alert(1)</script>"


def test_the_finder_downloads_through_the_follow_up_link_session(world, client_for):
    attachment = _attachment(world)
    anonymous = client_for("anonymous")
    refused = download(anonymous, attachment)
    assert refused.status_code == 302 and "/accounts/login/" in refused["Location"]
    session = anonymous.session
    session[SESSION_KEY] = [attachment.report_id]
    session.save()
    assert download(anonymous, attachment).status_code == 200
    for persona in ("psirt", "outsider", "finder", "coordinator"):
        assert download(client_for(persona), attachment).status_code == 404, persona


def test_a_missing_attachment_is_not_found(client_for):
    response = client_for("clerk").get(reverse("intake:attachment", kwargs={"attachment_id": 9}))
    assert response.status_code == 404


# --- What the page shows --------------------------------------------------------------

TEXT_FIELDS = (
    "title",
    "product_name",
    "product_version",
    "vendor_name",
    "description",
    "environment",
    "reproduction",
    "impact",
    "other_organisations_told",
    "planned_talk_title",
    "planned_talk_venue",
    "finder_name",
    "finder_affiliation",
    "credit_name",
    "personal_data_note",
)
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def test_html_in_every_text_field_is_shown_escaped(world, clerk, client_for):
    report = make_report(
        world,
        share_identity_with_vendor=True,
        finder_phone="<b>03</b>",  # 40 characters at most: too short for the long payload
        **{field: f"{field} {HOSTILE}" for field in TEXT_FIELDS},
    )
    actions.finder_reply(report, actor=None, body=HOSTILE, via_secret_link=True)
    actions.record_check(report, actor=clerk, check="complete", result="fail", note=HOSTILE)
    text = client_for("clerk").get(url("report", report)).content.decode()
    assert HOSTILE not in text and "<img src=x" not in text
    for field in TEXT_FIELDS:
        assert f"{field} {ESCAPED}" in text, field
    assert "&lt;b&gt;03&lt;/b&gt;" in text and "<b>03</b>" not in text
    pass_all_checks(report, clerk)
    actions.accept_report(fresh(report), actor=clerk, note=HOSTILE)
    actions.forward_report(
        fresh(report), actor=clerk, coordinator_org=world.organisations["coordination"]
    )
    coordinator_view = for_case(client_for("coordinator"), fresh(report))
    assert HOSTILE not in coordinator_view and f"description {ESCAPED}" in coordinator_view


def test_the_page_offers_only_the_actions_allowed_now(report, clerk, client_for):
    client = client_for("clerk")
    text = client.get(url("report", report)).content.decode()
    assert "Acknowledge receipt" in text and "Accept the report" in text
    assert "Do not accept" in text and "Ask the finder" in text
    assert "Forward to coordination" not in text and "Reopen the report" not in text
    assert 'name="check-result" value="pass"' in text
    pass_all_checks(report, clerk)
    actions.accept_report(fresh(report), actor=clerk)
    text = client.get(url("report", report)).content.decode()
    assert "Forward to coordination" in text and "Close the report" in text
    assert "Accept the report" not in text and "Acknowledge receipt" not in text
    assert 'name="check-result"' not in text
    assert "Website handling" not in text


def test_the_website_line_offers_its_steps_in_order(ctx, client_for):
    report = _website(ctx)
    client = client_for("clerk")
    text = client.get(url("report", report)).content.decode()
    assert 'value="start"' in text and "Record a contact with the operator" in text
    assert "Send the details" not in text and "Forward to coordination" not in text
    assert "Transfer to the software product track" in text
    report = _website(ctx, sent=True)
    text = client.get(url("report", report)).content.decode()
    assert 'value="verify"' in text and "Record the fix" in text
    assert "Fix expected by" in text


def test_action_forms_open_on_request(report, client_for):
    client = client_for("clerk")
    closed = client.get(url("report", report)).content.decode()
    assert 'name="reject-reason"' not in closed
    assert 'hx-select="#act-reject"' in closed
    opened = client.get(url("report", report) + "?act=reject").content.decode()
    assert 'name="reject-reason"' in opened
    # A form for an action not allowed now is not offered even when asked for.
    assert (
        'name="forward-coordinator_org"'
        not in client.get(url("report", report) + "?act=forward").content.decode()
    )


@pytest.mark.parametrize("name", sorted(LINKED_FORMS))
def test_each_action_form_opens_when_its_action_is_allowed(name, ctx, client_for):
    prefix, setup, _happened = ACTIONS[name]
    report, data = setup(ctx)
    text = client_for("clerk").get(url("report", report) + f"?act={name}").content.decode()
    assert f'name="{prefix}-revision" value="{report.revision}"' in text
    for field in data:
        assert f'name="{prefix}-{field}"' in text, field


def test_both_languages_render_the_desk(report, client_for):
    client = client_for("clerk")
    japanese = client.get(f"/ja/reception/reports/{report.pk}/")
    assert japanese.status_code == 200 and '<html lang="ja">' in japanese.content.decode()
    assert client.get("/ja/reception/").status_code == 200


def test_the_known_vulnerability_check_offers_a_one_click_duplicate(world, client_for):
    original = make_report(world, title="先の届出")
    report = make_report(world, title="後の届出")
    client = client_for("clerk")
    text = client.get(url("report", report)).content.decode()
    assert original.tracking_id in text and "same product" in text
    assert f'name="duplicate-original" value="{original.tracking_id}"' in text
    response = post(client, "duplicate", report, "duplicate", {"original": original.tracking_id})
    assert response.status_code == 302
    assert fresh(report).duplicate_of == original
    searched = client.get(url("report", original) + "?known=先の").content.decode()
    assert "Nothing similar was found." in searched  # itself excluded; the other says 後の


def test_decrypting_an_encrypted_report(world, clerk, client_for, settings, tmp_path):
    from kakehashi.core import pgp

    key = pgp.generate_key("Reception", "reception@example.test", "pass phrase", expires="1y")
    path = tmp_path / "platform.asc"
    path.write_text(key.secret_armor)
    settings.KAKEHASHI_PGP_SECRET_KEY_FILE = str(path)
    settings.KAKEHASHI_PGP_PASSPHRASE = "pass phrase"
    body = pgp.encrypt("暗号化された説明".encode(), [key.public_armor])
    report = make_report(world, description="", encrypted_body=body)
    client = client_for("clerk")
    assert "Decrypt with the platform key" in client.get(url("report", report)).content.decode()
    assert post(client, "decrypt", report, "decrypt", {}).status_code == 302
    assert "暗号化された説明" in fresh(report).description
    assert "Decrypt with the platform key" not in client.get(url("report", report)).content.decode()


# --- The queue ------------------------------------------------------------------------


def _queue(client, query: str = "") -> list[str]:
    response = client.get(reverse("intake:desk_queue") + query)
    assert response.status_code == 200
    return [report.tracking_id for report, _clock in response.context["rows"]]


def _aged(report: Report, days: float) -> Report:
    """Received ``days`` ago (a timestamp, not a workflow field)."""
    Report.objects.filter(pk=report.pk).update(submitted_at=timezone.now() - timedelta(days=days))
    return fresh(report)


def test_the_queue_filters_reports(world, clerk, client_for):
    mine = make_report(world)
    actions.assign_report(mine, actor=clerk, assignee=clerk)
    website = make_report(world, track="website")
    old = _aged(make_report(world), 10)
    rejected = _rejected(SimpleNamespace(world=world, clerk=clerk))
    client = client_for("clerk")
    assert set(_queue(client)) == {mine.tracking_id, website.tracking_id, old.tracking_id}
    assert _queue(client, "?assignee=me") == [mine.tracking_id]
    assert mine.tracking_id not in _queue(client, "?assignee=unassigned")
    assert _queue(client, "?track=website") == [website.tracking_id]
    assert _queue(client, "?overdue=on") == [old.tracking_id]
    assert _queue(client, "?state=rejected") == [rejected.tracking_id]
    assert rejected.tracking_id in _queue(client, "?state=all")


def test_the_queue_shows_overdue_and_holiday_flags(world, client_for):
    _aged(make_report(world), 8)
    year_end = make_report(world)  # received over the year-end closure
    Report.objects.filter(pk=year_end.pk).update(
        submitted_at=datetime(2025, 12, 26, 10, 0, tzinfo=JST)
    )
    text = client_for("clerk").get(reverse("intake:desk_queue")).content.decode()
    assert 'class="overdue"' in text and "overdue-flag" in text
    assert "5 holidays in the window: last business day 2025-12-26" in text


def test_the_queue_is_paginated(world, client_for, monkeypatch):
    monkeypatch.setattr("kakehashi.intake.views.desk.PAGE_SIZE", 2)
    for _n in range(3):
        make_report(world)
    text = client_for("clerk").get(reverse("intake:desk_queue")).content.decode()
    assert "Page 1 of 2" in text


def test_a_clerk_takes_a_report_from_the_queue(report, clerk, client_for):
    client = client_for("clerk")
    assert 'name="assign-assignee"' in client.get(reverse("intake:desk_queue")).content.decode()
    response = post(client, "assign", report, "assign", {"assignee": clerk.pk}, next="queue")
    assert response.status_code == 302 and response["Location"] == reverse("intake:desk_queue")
    assert fresh(report).assignee == clerk


def test_reports_are_assigned_only_to_clerks_of_the_desk(report, world, client_for):
    response = post(
        client_for("clerk"), "assign", report, "assign", {"assignee": world.user("psirt").pk}
    )
    assert response.status_code == 400
    assert fresh(report).assignee is None


def test_the_queue_is_for_the_reception_only(world, client_for):
    for persona in ("admin", "coordinator", "psirt", "finder", "outsider"):
        assert client_for(persona).get(reverse("intake:desk_queue")).status_code == 404


def _queries(client, path: str) -> int:
    client.get(path)  # the first request of a session records it: not part of the page
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_queue_issues_the_same_queries_for_3_or_30_reports(world, clerk, client_for):
    client = client_for("clerk")

    def fill(n: int) -> None:
        for i in range(n):
            report = make_report(world, title=f"Report {i}")
            if i % 3 == 0:
                actions.assign_report(report, actor=clerk, assignee=clerk)
            if i % 4 == 0:
                actions.ask_finder(fresh(report), actor=clerk, question="?")
                actions.finder_reply(fresh(report), actor=None, body="!", via_secret_link=True)

    fill(3)
    few = _queries(client, reverse("intake:desk_queue"))
    fill(27)
    many = _queries(client, reverse("intake:desk_queue"))
    assert few == many
    assert many <= 10  # 8 are the session, the user and its memberships; 2 the page


def test_the_report_page_has_a_fixed_query_budget(world, clerk, client_for):
    report = make_report(world, uploads=[upload(), upload("log.txt", b"trace")])
    small = _queries(client_for("clerk"), url("report", report))
    for n in range(10):
        actions.ask_finder(fresh(report), actor=clerk, question=f"Question {n}")
        actions.finder_reply(fresh(report), actor=None, body=f"Answer {n}", via_secret_link=True)
        actions.record_check(fresh(report), actor=clerk, check="complete", result="pass")
    large = _queries(client_for("clerk"), url("report", report))
    assert small == large
