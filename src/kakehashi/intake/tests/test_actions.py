"""Intake actions: submission, the desk's decisions, forwarding, the website line."""

from __future__ import annotations

import pytest

from kakehashi.cases.models import Case
from kakehashi.core.storage import open_private
from kakehashi.core.testing import run_pending_jobs
from kakehashi.core.workflow import GuardFailed, InvalidInput, NotPermitted
from kakehashi.intake import actions
from kakehashi.intake.models import Report

from .conftest import pass_all_checks, poc_file

pytestmark = pytest.mark.django_db


def test_a_product_report_is_filed_with_a_tracking_id_and_a_secret_link(submit):
    submitted = submit()
    report = submitted.report
    assert report.tracking_id.startswith("KHR#") and len(report.tracking_id) == 12
    assert report.follow_up_digest == actions.follow_up_digest(submitted.follow_up_secret)
    assert submitted.follow_up_secret not in report.follow_up_digest
    assert report.state == "received" and report.cvss_v3_score is not None


def test_receipt_mail_goes_to_the_finder_in_the_report_language(
    submit, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit(language="ja")
    run_pending_jobs()
    (message,) = mailoutbox
    assert message.to == ["yamada@example.test"]
    assert message.subject == f"[{submitted.report.tracking_id}] 届出を受け付けました"
    assert f"受付番号は {submitted.report.tracking_id} です" in message.body
    assert (
        f"/ja/report/follow-up/{submitted.report.pk}-{submitted.follow_up_secret}/" in message.body
    )


def test_every_missing_field_is_named_at_once_and_nothing_is_saved(submit):
    with pytest.raises(actions.ReportInvalid) as refused:
        submit(
            title="",
            description="",
            product_name="",
            finder_email="not-an-address",
            cvss_v3_vector="CVSS:3.1/AV:Z",
        )
    assert set(refused.value.errors) == {
        "title",
        "description",
        "product_name",
        "finder_email",
        "cvss_v3_vector",
    }
    assert not Report.objects.exists()


def test_website_reports_need_an_http_url(submit):
    with pytest.raises(actions.ReportInvalid) as refused:
        submit(track="website", site_url="javascript:alert(1)")
    assert "site_url" in refused.value.errors


def test_attachments_are_stored_privately_typed_from_their_bytes_with_japanese_names(submit):
    report = submit(uploads=[poc_file()]).report
    (attachment,) = report.attachments.all()
    assert attachment.filename == "検証コード.html"
    assert attachment.detected_type == "text/plain"  # the client said image/png
    assert attachment.storage_key not in attachment.filename
    with open_private(attachment.storage_key) as handle:
        assert handle.read() == b"<script>alert(1)</script>"


def test_oversized_or_empty_files_are_refused_before_anything_is_stored(submit, settings):
    settings.KAKEHASHI_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(InvalidInput, match="larger"):
        submit(uploads=[poc_file(content=b"x" * 11)])
    with pytest.raises(InvalidInput, match="empty"):
        submit(uploads=[poc_file(content=b"")])
    assert not Report.objects.exists()


def test_acceptance_needs_all_five_checks_passed(report, clerk):
    actions.record_check(report, actor=clerk, check="complete", result="pass")
    with pytest.raises(GuardFailed, match="acceptance check"):
        actions.accept_report(report, actor=clerk)
    report.refresh_from_db()
    pass_all_checks(report, clerk)
    actions.accept_report(report, actor=clerk)
    report.refresh_from_db()
    assert report.state == "accepted" and report.accepted_at is not None


def test_rejection_tells_the_finder_the_reason(
    report, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.reject_report(report, actor=clerk, reason="out_of_scope", note="Not used in Japan")
    run_pending_jobs()
    assert report.state == "rejected"
    assert any("Not used in Japan" in m.body for m in mailoutbox)


def test_question_and_answer_loop(report, clerk):
    actions.ask_finder(report, actor=clerk, question="Which version?")
    report.refresh_from_db()
    assert report.state == "needs_info"
    actions.finder_reply(
        report,
        actor=None,
        body="2.3.1",
        via_secret_link=True,
        uploads=[poc_file("log.txt", b"trace")],
    )
    report.refresh_from_db()
    assert report.state == "received"
    assert report.attachments.get().message is not None


def test_strangers_cannot_answer_or_decide(report, world):
    with pytest.raises(GuardFailed):
        actions.finder_reply(report, actor=world.user("psirt"), body="hi")
    with pytest.raises(NotPermitted):
        actions.reject_report(report, actor=world.user("coordinator"), reason="known")


def test_forwarding_creates_a_case_without_the_finders_identity_unless_allowed(
    report, clerk, world
):
    pass_all_checks(report, clerk)
    actions.accept_report(report, actor=clerk)
    case = actions.forward_report(
        report, actor=clerk, coordinator_org=world.organisations["coordination"]
    )
    report.refresh_from_db()
    assert report.state == "forwarded" and report.case == case
    finder = case.participants.get(role="finder")
    assert finder.user is None and finder.email == ""
    assert "山田" not in finder.name and report.tracking_id in finder.name
    assert "山田" not in case.summary and "yamada@" not in case.summary
    assert case.vulnerabilities.get().cvss_v3_score == report.cvss_v3_score
    assert case.reception_org == world.organisations["reception"] and case.phase == "forwarded"


def test_forwarding_passes_the_identity_when_the_finder_allows_it(submit, clerk, world):
    report = submit(share_identity_with_vendor=True).report
    pass_all_checks(report, clerk)
    actions.accept_report(report, actor=clerk)
    case = actions.forward_report(
        report, actor=clerk, coordinator_org=world.organisations["coordination"]
    )
    finder = case.participants.get(role="finder")
    assert (finder.name, finder.email) == ("山田 太郎", "yamada@example.test")


def test_duplicates_are_linked_and_closed_not_deleted(submit, clerk):
    first, second = submit().report, submit().report
    actions.mark_duplicate(second, first, actor=clerk)
    second.refresh_from_db()
    assert second.duplicate_of == first and second.state == "closed"
    assert Report.objects.count() == 2


def test_website_line_sends_details_only_to_a_confirmed_window(submit, clerk):
    report = submit(track="website", site_url="https://shop.example.jp/cart").report
    pass_all_checks(report, clerk)
    actions.accept_report(report, actor=clerk)
    actions.record_operator_contact(
        report, actor=clerk, channel="email", address="info@shop.example.jp", outcome="sent"
    )
    report.refresh_from_db()
    assert report.site_state == "searching"
    with pytest.raises(GuardFailed, match="confirmed"):
        actions.send_details_to_operator(report, actor=clerk, address="info@shop.example.jp")
    actions.record_operator_contact(
        report,
        actor=clerk,
        channel="email",
        address="security@shop.example.jp",
        outcome="answered",
        window_confirmed=True,
    )
    report.refresh_from_db()
    actions.send_details_to_operator(report, actor=clerk, address="security@shop.example.jp")
    actions.record_fix(report, actor=clerk, method="application_fixed")
    actions.website_step(report, "notify_finder", actor=clerk)
    actions.close_report(report, actor=clerk, reason="completed")
    report.refresh_from_db()
    assert (report.site_state, report.state, report.fix_method) == (
        "finder_notified",
        "closed",
        "application_fixed",
    )


def test_website_reports_are_never_forwarded_but_transferred_without_the_site(submit, clerk, world):
    report = submit(track="website", site_url="https://shop.example.jp/cart").report
    pass_all_checks(report, clerk)
    actions.accept_report(report, actor=clerk)
    with pytest.raises(GuardFailed):
        actions.forward_report(
            report, actor=clerk, coordinator_org=world.organisations["coordination"]
        )
    with pytest.raises(InvalidInput, match="names the site"):
        actions.transfer_to_product_track(
            report, actor=clerk, product_name="CartKit", description="XSS seen on shop.example.jp"
        )
    product = actions.transfer_to_product_track(
        report, actor=clerk, product_name="CartKit", description="XSS in the cart template"
    )
    assert product.track == "product" and product.site_url == ""
    report.refresh_from_db()
    assert report.closure_reason == "transferred"
    assert not Case.objects.exists()


def test_over_long_fields_are_refused_as_input_not_database_errors(submit):
    with pytest.raises(actions.ReportInvalid) as refused:
        submit(title="x" * 301, product_name="p" * 201)
    assert set(refused.value.errors) == {"title", "product_name"}


def test_asking_the_finder_acknowledges_the_report(report, clerk):
    actions.ask_finder(report, actor=clerk, question="Which version?")
    report.refresh_from_db()
    assert report.acknowledged_at is not None


def test_a_transferred_report_gets_its_own_tracking_id(submit, clerk):
    report = submit(track="website", site_url="https://shop.example.jp/").report
    pass_all_checks(report, clerk)
    actions.accept_report(report, actor=clerk)
    product = actions.transfer_to_product_track(
        report, actor=clerk, product_name="CartKit", description="XSS in the cart template"
    )
    assert product.tracking_id != report.tracking_id
    assert product.tracking_id.startswith("KHR#") and len(product.tracking_id) == 12


def test_the_case_page_links_the_report_it_came_from(report, clerk, world, client_for):
    pass_all_checks(report, clerk)
    actions.accept_report(report, actor=clerk)
    case = actions.forward_report(
        report, actor=clerk, coordinator_org=world.organisations["coordination"]
    )
    page = client_for("coordinator").get(f"/en/cases/{case.pk}/")
    assert f"/en/reception/reports/{report.pk}/for-case/" in page.content.decode()
    assert report.tracking_id in page.content.decode()


def test_day_zero_details_and_publication_reach_the_finder_through_the_reception(
    report, clerk, world, mailoutbox, django_capture_on_commit_callbacks
):
    from kakehashi.cases import actions as case_actions

    pass_all_checks(report, clerk)
    actions.accept_report(report, actor=clerk)
    case = actions.forward_report(
        report, actor=clerk, coordinator_org=world.organisations["coordination"]
    )
    coordinator = world.user("coordinator")
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-a"]]
    )
    vendor = case.participants.get(role="vendor")
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.record_contact_attempt(
            case,
            vendor,
            actor=coordinator,
            channel="email",
            address="psirt@a.test",
            details_included=True,
        )
        case_actions.advance_phase(Case.objects.get(pk=case.pk), "publish", actor=coordinator)
    run_pending_jobs()
    bodies = [m.body for m in report.messages.filter(from_finder=False)]
    assert len(bodies) == 3
    assert "起算日" in bodies[0]  # the report was filed in Japanese
    assert sum("[" + report.tracking_id + "]" in m.subject for m in mailoutbox) >= 3


def test_a_zip_bomb_is_stored_as_bytes_and_never_opened(submit):
    import io
    import zipfile

    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
        bomb.open("zeros.bin", "w") as member,
    ):
        chunk = b"\0" * 1_000_000
        for _ in range(50):  # 50 MB inflated, about 50 KB on the wire
            member.write(chunk)
    payload = buffer.getvalue()
    assert len(payload) < 200_000
    report = submit(uploads=[poc_file("bomb.zip", payload)]).report
    (attachment,) = report.attachments.all()
    assert (attachment.detected_type, attachment.size) == ("application/zip", len(payload))
    with open_private(attachment.storage_key) as handle:
        assert handle.read() == payload
