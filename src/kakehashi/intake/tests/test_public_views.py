"""The finder's side through its pages: the report form in both languages, going back,
double submission, bad and hostile input, abuse limits, the follow-up link, the status
page and the conversation, the finder portal, the PGP key and the disclosure policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kakehashi.core.storage import private_exists
from kakehashi.core.testing import run_pending_jobs
from kakehashi.intake import actions
from kakehashi.intake.draft import purge_stale_uploads
from kakehashi.intake.models import DisclosurePolicy, Report, StagedUpload

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
HOSTILE_NAME = '<img src=x onerror="alert(1)">.html'  # a "/" would be a directory
HOSTILE_NAME_ESCAPED = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.html"
PGP_BLOCK = "-----BEGIN PGP MESSAGE-----\n\nhQEMA0x1y2z3AQf/abc=\n=abcd\n-----END PGP MESSAGE-----"

YOU = {
    "finder_name": "山田 太郎",
    "finder_email": "yamada@example.test",
    "share_identity_with_vendor": "on",
    "publish_credit": "on",
    "credit_name": "Taro Yamada",
}
PRODUCT = {
    "title": "管理画面のクロスサイトスクリプティング",
    "product_name": "Example CMS",
    "product_version": "2.3",
    "vendor_name": "Vendor A",
    "description": "コメント欄に入力したスクリプトが管理画面で実行されます。",
    "environment": "Ubuntu 24.04, Firefox",
    "reproduction": "1. コメントを投稿\n2. 管理画面を開く",
    "impact": "管理者のセッションが奪われます。",
}
WEBSITE = {
    "title": "Reflected XSS in the search page",
    "site_url": "https://shop.example.jp/search",
    "description": "The q parameter is reflected without escaping.",
}
CIRCUMSTANCES = {
    "self_coordination": "not_told",
    "planned_talk_title": "Talk at a conference",
    "planned_talk_venue": "Tokyo",
    "planned_talk_date": "2030-01-15",
}


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(f"intake:{name}", kwargs=kwargs or None)


def step(name: str, lang: str = "en") -> str:
    return url("report_step", lang, step=name)


def japanese_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("検証コード.txt", "攻撃コード\nalert(1)\n".encode(), "text/plain")


def begin(client: Client, track: str = "product", lang: str = "en") -> None:
    assert client.post(url("report_start", lang), {"track": track}).status_code == 302
    if track == "product":
        assert client.post(url("report_consent", lang), {"agree": "on"}).status_code == 302


def fill(client: Client, lang: str = "en", *, you=None, what=None, circumstances=None, files=()):
    """Walk the pages with "Next"; each must accept its answers."""
    for name, data in (
        ("you", YOU if you is None else you),
        ("vulnerability", PRODUCT if what is None else what),
        ("circumstances", CIRCUMSTANCES if circumstances is None else circumstances),
        ("files", {"attachments": list(files)}),
    ):
        response = client.post(step(name, lang), {**data, "nav": "next"})
        assert response.status_code == 302, (name, response.content.decode()[:3000])


def confirm_token(client: Client, lang: str = "en") -> str:
    response = client.get(url("report_confirm", lang))
    assert response.status_code == 200
    assert response.context["token"], response.context["review"].problems
    return response.context["token"]


def send(client: Client, lang: str = "en", **extra):
    token = confirm_token(client, lang)
    return client.post(url("report_confirm", lang), {"submission_token": token, **extra})


def file_report(client: Client, track="product", lang="en", **fill_kwargs) -> Report:
    begin(client, track, lang)
    fill(client, lang, **fill_kwargs)
    assert send(client, lang).status_code == 302
    return Report.objects.latest("id")


def link_path(client: Client) -> str:
    """The secret link as the done page shows it (absolute), reduced to its path."""
    link = client.get(url("report_done")).context["link"]
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


# --- The whole flow, in both languages ---------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_finder_reports_a_product_with_a_japanese_named_attachment(
    lang, world, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client()
    start = client.get(url("report_start", lang))
    assert start.status_code == 200 and f'lang="{lang}"' in start.content.decode()
    begin(client, "product", lang)
    fill(client, lang, files=[japanese_file()])
    confirm = client.get(url("report_confirm", lang))
    page = confirm.content.decode()
    assert "検証コード.txt" in page and "Example CMS" in page and "2030-01-15" in page
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url("report_confirm", lang), {"submission_token": confirm.context["token"]}
        )
    assert sent.status_code == 302 and sent["Location"] == url("report_done", lang)
    report = Report.objects.get()
    assert (report.track, report.language, report.state) == ("product", lang, "received")
    assert report.finder_user is None and report.product_name == "Example CMS"
    assert report.share_identity_with_vendor and report.publish_credit
    assert not report.allow_direct_contact
    assert report.planned_talk_date.isoformat() == "2030-01-15"
    assert report.reproduction == PRODUCT["reproduction"]
    (attachment,) = report.attachments.all()
    assert attachment.filename == "検証コード.txt" and attachment.detected_type == "text/plain"
    assert not StagedUpload.objects.exists()  # the draft's copies are gone

    done = client.get(url("report_done", lang))
    body = done.content.decode()
    assert report.tracking_id in body
    assert f"/{lang}/report/follow-up/{report.pk}-" in body
    assert done["Referrer-Policy"] == "no-referrer" and "no-store" in done["Cache-Control"]
    run_pending_jobs()
    (receipt,) = mailoutbox
    assert receipt.to == ["yamada@example.test"] and report.tracking_id in receipt.subject
    assert f"/{lang}/report/follow-up/{report.pk}-" in receipt.body


def test_a_website_report_skips_the_consent_and_asks_for_the_site(world):
    client = Client()
    begin(client, "website")
    page = client.get(step("vulnerability")).content.decode()
    assert 'name="site_url"' in page and 'name="product_name"' not in page
    assert "operator" in client.get(step("you")).content.decode()
    fill(client, what=WEBSITE, circumstances={})
    assert send(client).status_code == 302
    report = Report.objects.get()
    assert report.track == "website" and report.site_url == WEBSITE["site_url"]


def test_a_product_report_needs_the_consent_first(world):
    client = Client()
    client.post(url("report_start"), {"track": "product"})
    assert client.get(step("you"))["Location"] == url("report_consent")
    refused = client.post(url("report_consent"), {})
    assert refused.status_code == 400 and "agreement" in refused.content.decode()


def test_the_secret_link_is_shown_once(world):
    client = Client()
    file_report(client)
    assert client.get(url("report_done")).context["link"]
    again = client.get(url("report_done"))
    assert again.context["link"] == ""
    assert "/report/follow-up/" not in again.content.decode()


def test_a_signed_in_finder_gets_the_report_in_the_portal(world, client_for):
    client = client_for("finder")
    report = file_report(client, you={"finder_name": "Finder"})
    assert report.finder_user == world.user("finder")
    mine = client.get(url("my_reports"))
    assert report.tracking_id in mine.content.decode()
    assert report.tracking_id not in client_for("outsider").get(url("my_reports")).content.decode()
    assert client.get(url("report_status", report_id=report.pk)).status_code == 200


# --- Nothing lost, nothing twice ---------------------------------------------------------


def test_going_back_keeps_every_answer_and_the_chosen_files(world):
    client = Client()
    begin(client)
    client.post(step("you"), {**YOU, "nav": "next"})
    half = {"title": "Half-written", "description": "Not finished", "nav": "back"}
    back = client.post(step("vulnerability"), half)
    assert back["Location"] == step("you")  # no validation on the way back
    you_page = client.get(step("you")).content.decode()
    assert "山田 太郎" in you_page and "yamada@example.test" in you_page
    assert client.get(step("vulnerability")).context["form"].initial["title"] == "Half-written"
    client.post(step("vulnerability"), {**PRODUCT, "nav": "next"})
    client.post(step("circumstances"), {**CIRCUMSTANCES, "nav": "next"})
    client.post(step("files"), {"attachments": [japanese_file()], "nav": "back"})
    client.get(step("you"))
    files_page = client.get(step("files")).content.decode()
    assert "検証コード.txt" in files_page
    client.get(url("report_start", "ja"))  # switching language keeps the draft too
    assert "検証コード.txt" in client.get(url("report_confirm", "ja")).content.decode()


def test_a_staged_file_can_be_removed_and_the_draft_discarded(world):
    client = Client()
    begin(client)
    client.post(step("files"), {"attachments": [japanese_file()], "nav": "upload"})
    staged = StagedUpload.objects.get()
    client.post(step("files"), {"remove": [str(staged.pk)], "nav": "upload"})
    assert not StagedUpload.objects.exists() and not private_exists(staged.storage_key)
    client.post(step("files"), {"attachments": [japanese_file()], "nav": "upload"})
    key = StagedUpload.objects.get().storage_key
    client.post(url("report_cancel"))
    assert not StagedUpload.objects.exists() and not private_exists(key)
    assert client.get(step("you"))["Location"] == url("report_start")


def test_files_of_abandoned_drafts_are_purged(world, settings):
    client = Client()
    begin(client)
    client.post(step("files"), {"attachments": [japanese_file()], "nav": "upload"})
    staged = StagedUpload.objects.get()
    assert purge_stale_uploads() == 0
    later = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    assert purge_stale_uploads(now=later) == 1
    assert not private_exists(staged.storage_key)
    # The draft notices its file is gone instead of failing.
    assert client.get(url("report_confirm")).context["staged"] == []


def test_double_submission_files_one_report(world):
    client = Client()
    begin(client)
    fill(client)
    token = confirm_token(client)
    first = client.post(url("report_confirm"), {"submission_token": token})
    second = client.post(url("report_confirm"), {"submission_token": token})
    assert first["Location"] == second["Location"] == url("report_done")
    assert Report.objects.count() == 1
    # The back button shows the confirmation page again: there is nothing left to send.
    assert client.get(url("report_confirm"))["Location"] == url("report_start")


def test_a_stale_confirmation_page_cannot_file_a_report(world):
    client = Client()
    begin(client)
    fill(client)
    response = client.post(url("report_confirm"), {"submission_token": "forged"})
    assert response["Location"] == url("report_start")
    assert not Report.objects.exists()


# --- Bad input -------------------------------------------------------------------------


def test_every_missing_required_field_is_named_at_once(world):
    client = Client()
    begin(client)
    response = client.post(
        step("vulnerability"), {"title": "", "description": "", "product_name": "", "nav": "next"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "description", "product_name"}
    # Skipping ahead is allowed, but the confirmation page names every gap and offers no send.
    confirm = client.get(url("report_confirm"))
    problems = {label for _step, label, _msg in confirm.context["review"].problems}
    assert {"Summary in one line", "The vulnerability", "Product name"} <= problems
    assert confirm.context["token"] == "" and "Send the report" not in confirm.content.decode()


def test_wrong_types_are_refused_per_field_and_the_rest_is_kept(world):
    client = Client()
    begin(client)
    response = client.post(
        step("you"), {**YOU, "finder_email": "not-an-address", "finder_phone": "1" * 41}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"finder_email", "finder_phone"}
    assert "山田 太郎" in response.content.decode()
    date = client.post(step("circumstances"), {"planned_talk_date": "next spring"})
    assert set(date.context["form"].errors) == {"planned_talk_date"}
    cvss = client.post(step("vulnerability"), {**PRODUCT, "cvss_v3_vector": "CVSS:3.0/AV:N"})
    assert set(cvss.context["form"].errors) == {"cvss_v3_vector"}


@pytest.mark.parametrize(
    "address", ["javascript:alert(1)", "ftp://shop.example.jp/", "shop.example.jp", ""]
)
def test_a_website_report_needs_an_http_or_https_url(world, address):
    client = Client()
    begin(client, "website")
    response = client.post(step("vulnerability"), {**WEBSITE, "site_url": address})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"site_url"}
    assert "http://" in response.content.decode()


@pytest.fixture
def with_platform_key(monkeypatch):
    monkeypatch.setattr(
        "kakehashi.intake.views.public_form.platform_fingerprint",
        lambda: "ABCD 1234 ABCD 1234 ABCD  1234 ABCD 1234 ABCD 1234",
    )


def test_an_encrypted_report_replaces_the_description(world, with_platform_key):
    client = Client()
    begin(client)
    page = client.get(step("vulnerability")).content.decode()
    assert 'name="encrypted_body"' in page and "ABCD 1234" in page
    what = {"title": "Encrypted", "product_name": "Example CMS", "encrypted_body": PGP_BLOCK}
    fill(client, what=what)
    assert send(client).status_code == 302
    report = Report.objects.get()
    assert report.encrypted_body == PGP_BLOCK and report.description == ""


def test_an_encrypted_message_may_be_uploaded_as_a_file(world, with_platform_key):
    client = Client()
    begin(client)
    upload = SimpleUploadedFile("report.asc", PGP_BLOCK.encode("ascii"), "application/pgp")
    what = {"title": "Encrypted", "product_name": "Example CMS", "encrypted_file": upload}
    assert client.post(step("vulnerability"), {**what, "nav": "next"}).status_code == 302
    # Kept as text in the draft: going back shows it, and it is sent.
    assert client.get(step("vulnerability")).context["form"].initial["encrypted_body"] == PGP_BLOCK
    client.post(step("you"), {**YOU, "nav": "next"})
    assert send(client).status_code == 302
    assert Report.objects.get().encrypted_body == PGP_BLOCK


@pytest.mark.parametrize(
    "field",
    [
        {"encrypted_body": "-----BEGIN PGP MESSAGE-----\nhQEMA0x1y2z3\n(cut off)"},
        {"encrypted_body": "Hello, this is not encrypted"},
        {"encrypted_file": SimpleUploadedFile("x.gpg", b"\x85\x01\x0c\x03\xff\x00binary")},
    ],
)
def test_a_malformed_pgp_block_is_refused(world, with_platform_key, field):
    client = Client()
    begin(client)
    response = client.post(
        step("vulnerability"), {"title": "x", "product_name": "Example CMS", **field}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) & {"encrypted_body", "encrypted_file"}
    assert "description" not in errors or "encrypted_file" in errors


def test_without_a_platform_key_the_form_offers_no_encryption(world):
    client = Client()
    begin(client)
    page = client.get(step("vulnerability")).content.decode()
    assert 'name="encrypted_body"' not in page
    # A crafted POST cannot smuggle one in either.
    client.post(step("vulnerability"), {**PRODUCT, "encrypted_body": PGP_BLOCK})
    fill(client)
    send(client)
    assert Report.objects.get().encrypted_body == ""


def test_oversized_and_empty_files_are_refused_with_a_message(world, settings):
    settings.KAKEHASHI_ATTACHMENT_MAX_BYTES = 1_000_000
    client = Client()
    begin(client)
    big = SimpleUploadedFile("big.bin", b"x" * 1_000_001)
    response = client.post(step("files"), {"attachments": [big], "nav": "next"})
    assert response.status_code == 400 and "larger than 1 MB" in response.content.decode()
    empty = client.post(step("files"), {"attachments": [SimpleUploadedFile("e.txt", b"")]})
    assert empty.status_code == 400
    assert not StagedUpload.objects.exists()


def test_the_file_count_limit_holds_across_visits(world, settings):
    settings.KAKEHASHI_ATTACHMENT_MAX_FILES = 1
    client = Client()
    begin(client)
    client.post(step("files"), {"attachments": [japanese_file()], "nav": "upload"})
    response = client.post(step("files"), {"attachments": [japanese_file()], "nav": "upload"})
    assert response.status_code == 400 and "At most 1 files" in response.content.decode()
    assert StagedUpload.objects.count() == 1


# --- The CVSS calculator ---------------------------------------------------------------


def test_the_calculator_scores_on_the_server(world):
    client = Client()
    metrics = {"cvss_av": "N", "cvss_ac": "L", "cvss_pr": "N", "cvss_ui": "N", "cvss_s": "U"}
    metrics |= {"cvss_c": "H", "cvss_i": "H", "cvss_a": "H"}
    scored = client.post(url("cvss_preview"), metrics, headers={"HX-Request": "true"})
    assert "9.8" in scored.content.decode() and "Critical" in scored.content.decode()
    partial = client.post(url("cvss_preview"), {"cvss_av": "N"})
    assert "every metric" in partial.content.decode()
    bad = client.post(url("cvss_preview"), {"cvss_v3_vector": "CVSS:3.1/AV:Q"})
    assert "not valid" in bad.content.decode()


def test_without_javascript_the_score_is_shown_on_the_page_and_at_confirmation(world):
    client = Client()
    begin(client)
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"
    page = client.post(step("vulnerability"), {**PRODUCT, "cvss_v3_vector": vector, "nav": "score"})
    assert page.status_code == 200 and "6.1" in page.content.decode()
    fill(client, what={**PRODUCT, "cvss_v3_vector": vector})
    confirm = client.get(url("report_confirm")).content.decode()
    assert "6.1" in confirm
    send(client)
    assert str(Report.objects.get().cvss_v3_score) == "6.1"


def test_the_calculator_builds_the_vector_from_the_metrics(world):
    client = Client()
    begin(client)
    metrics = {"cvss_av": "L", "cvss_ac": "H", "cvss_pr": "L", "cvss_ui": "N", "cvss_s": "U"}
    metrics |= {"cvss_c": "H", "cvss_i": "N", "cvss_a": "N"}
    fill(client, what={**PRODUCT, **metrics})
    send(client)
    assert Report.objects.get().cvss_v3_vector == "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N"


# --- Abuse: honeypot and rate limits ----------------------------------------------------


def test_a_filled_honeypot_is_refused_and_files_nothing(world):
    client = Client()
    begin(client)
    fill(client)
    token = confirm_token(client)
    bot = client.post(
        url("report_confirm"), {"submission_token": token, "homepage_url": "http://spam"}
    )
    assert bot.status_code == 400 and not Report.objects.exists()
    assert (
        client.post(url("report_start"), {"track": "website", "homepage_url": "x"}).status_code
        == 400
    )
    assert "homepage_url" in client.get(step("you")).content.decode()  # offered, off-screen


def test_too_many_reports_from_one_ip_get_a_429(world, settings):
    settings.KAKEHASHI_REPORT_RATE_PER_HOUR = 2
    client = Client(REMOTE_ADDR="192.0.2.7")
    for number in range(2):
        file_report(client, you={"finder_email": f"f{number}@example.test"})
    begin(client)
    fill(client, you={"finder_email": "third@example.test"})
    refused = send(client)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many reports" in refused.content.decode()
    assert Report.objects.count() == 2
    assert client.get(url("report_confirm")).status_code == 200  # the draft is kept
    other = Client(REMOTE_ADDR="198.51.100.1")
    assert file_report(other, you={"finder_email": "other@example.test"})


def test_too_many_reports_from_one_address_get_a_429_whatever_the_ip(world, settings):
    settings.KAKEHASHI_REPORT_RATE_PER_ADDRESS_PER_HOUR = 1
    file_report(Client(REMOTE_ADDR="192.0.2.1"), you={"finder_email": "Same@Example.test"})
    client = Client(REMOTE_ADDR="192.0.2.2")
    begin(client)
    fill(client, you={"finder_email": "same@example.test"})
    assert send(client).status_code == 429


def test_the_ip_is_taken_behind_trusted_proxies(world, settings):
    settings.KAKEHASHI_REPORT_RATE_PER_HOUR = 1
    settings.KAKEHASHI_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    file_report(Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"), you={})
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert file_report(second, you={})  # another client behind the same proxy
    third = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    begin(third)
    fill(third, you={})
    assert send(third).status_code == 429


# --- Following a report ------------------------------------------------------------------


@pytest.fixture
def filed(world):
    """A report sent anonymously, and the path of its secret link."""
    client = Client()
    report = file_report(client)
    return report, link_path(client)


def test_the_follow_up_link_opens_the_report_in_a_new_browser(filed):
    report, path = filed
    browser = Client()
    response = browser.get(path)
    assert response.status_code == 302
    assert response["Location"] == url("report_status", report_id=report.pk)
    assert response["Referrer-Policy"] == "no-referrer"
    assert path.rsplit("-", 1)[-1].strip("/") not in response["Location"]
    status = browser.get(response["Location"])
    assert status.status_code == 200 and report.tracking_id in status.content.decode()


def test_a_wrong_secret_is_not_found(filed):
    report, path = filed
    browser = Client()
    for wrong in (
        f"/en/report/follow-up/{report.pk}-wrong-secret/",
        f"/en/report/follow-up/{report.pk + 1}-{path.rsplit('-', 1)[-1]}",
        "/en/report/follow-up/abc/",
    ):
        response = browser.get(wrong)
        assert response.status_code == 404
        assert response["Referrer-Policy"] == "no-referrer"
    assert browser.get(url("report_status", report_id=report.pk)).status_code == 404


@pytest.mark.parametrize(
    "persona", ["anonymous", "finder", "outsider", "psirt", "coordinator", "clerk"]
)
def test_the_status_page_is_not_found_without_the_link_or_the_account(filed, client_for, persona):
    report, _path = filed
    response = client_for(persona).get(url("report_status", report_id=report.pk))
    assert response.status_code == 404


def test_another_finders_report_is_not_found(world, client_for):
    mine = file_report(client_for("finder"), you={})
    theirs_client = Client()
    theirs = file_report(theirs_client, you={})
    finder = client_for("finder")
    assert finder.get(url("report_status", report_id=mine.pk)).status_code == 200
    assert finder.get(url("report_status", report_id=theirs.pk)).status_code == 404
    # The anonymous finder's browser holds only its own report.
    assert theirs_client.get(url("report_status", report_id=mine.pk)).status_code == 404
    assert (
        theirs_client.post(url("report_reply", report_id=mine.pk), {"body": "hi"}).status_code
        == 404
    )


def test_the_finder_answers_a_question_with_a_file(filed, world):
    report, path = filed
    actions.ask_finder(report, actor=world.user("clerk"), question="Which version exactly?")
    browser = Client()
    status_url = browser.get(path)["Location"]
    page = browser.get(status_url).content.decode()
    assert "chat-question" in page and "Which version exactly?" in page
    answer = SimpleUploadedFile("ログ.txt", b"trace\n")
    sent = browser.post(
        url("report_reply", report_id=report.pk), {"body": "2.3.1 です", "attachments": [answer]}
    )
    assert sent.status_code == 302 and sent["Location"].endswith("#conversation")
    report.refresh_from_db()
    assert report.state == "received"
    question, reply = report.messages.all()
    assert not question.from_finder and reply.from_finder and reply.author is None
    assert reply.attachments.get().filename == "ログ.txt"
    page = browser.get(status_url).content.decode()
    assert page.index("Which version exactly?") < page.index("2.3.1 です")
    assert "ログ.txt" in page
    href = reverse("intake:attachment", kwargs={"attachment_id": reply.attachments.get().pk})
    assert f'href="{href}"' in page


def test_an_empty_reply_is_refused_and_a_closed_report_takes_none(filed, world):
    report, path = filed
    browser = Client()
    browser.get(path)
    empty = browser.post(url("report_reply", report_id=report.pk), {"body": "  "})
    assert empty.status_code == 400 and "Write something" in empty.content.decode()
    actions.reject_report(report, actor=world.user("clerk"), reason="known", note="See JVN#1")
    page = browser.get(url("report_status", report_id=report.pk)).content.decode()
    assert "Already known" in page and "See JVN#1" in page
    assert 'name="body"' not in page
    refused = browser.post(url("report_reply", report_id=report.pk), {"body": "But…"})
    assert refused.status_code == 400 and "closed" in refused.content.decode()


def test_the_status_page_keeps_to_its_query_budget(filed, world, django_assert_max_num_queries):
    report, path = filed
    clerk = world.user("clerk")
    for number in range(5):
        actions.message_finder(report, actor=clerk, body=f"Progress {number}")
    browser = Client()
    browser.get(path)
    with django_assert_max_num_queries(10):
        assert browser.get(url("report_status", report_id=report.pk)).status_code == 200


# --- Hostile input -----------------------------------------------------------------------


def test_html_in_every_text_field_and_file_name_is_shown_escaped(world, with_platform_key):
    you = dict.fromkeys(("finder_name", "finder_affiliation", "personal_data_note"), SCRIPT)
    you |= {"finder_phone": "<b>1</b>", "publish_credit": "on", "credit_name": SCRIPT}
    what = dict.fromkeys(
        (
            "title",
            "product_name",
            "product_version",
            "vendor_name",
            "description",
            "environment",
            "reproduction",
            "impact",
        ),
        SCRIPT,
    )
    circumstances = {
        "other_organisations_told": SCRIPT,
        "planned_talk_title": SCRIPT,
        "planned_talk_venue": SCRIPT,
    }
    hostile_file = SimpleUploadedFile(HOSTILE_NAME, b"<svg onload=alert(1)>", "image/png")
    client = Client()
    begin(client)
    fill(client, you=you, what=what, circumstances=circumstances, files=[hostile_file])
    confirm = client.get(url("report_confirm")).content.decode()
    assert "<script>alert" not in confirm
    assert confirm.count(ESCAPED) >= 15  # every text field
    assert "<img src=x" not in confirm and HOSTILE_NAME_ESCAPED in confirm
    assert send(client).status_code == 302
    report = Report.objects.get()
    assert report.title == SCRIPT and report.attachments.get().filename == HOSTILE_NAME
    actions.message_finder(report, actor=world.user("clerk"), body=f"Re: {SCRIPT}")
    status = client.get(url("report_status", report_id=report.pk)).content.decode()
    assert "<script>alert" not in status and "<b>1</b>" not in status
    assert status.count(ESCAPED) >= 16 and HOSTILE_NAME_ESCAPED in status
    assert "<img src=x" not in status
    done = client.get(url("report_done")).content.decode()
    assert "<script>alert" not in done


def test_a_polyglot_file_is_typed_from_its_bytes_and_never_trusted(world):
    polyglot = SimpleUploadedFile(
        "image.gif", b"GIF89a/*\x00\x00*/=1;<script>alert(1)</script>", "text/html"
    )
    client = Client()
    begin(client)
    fill(client, files=[polyglot])
    confirm = client.get(url("report_confirm")).content.decode()
    assert "image/gif" in confirm and "<script>alert(1)" not in confirm
    send(client)
    attachment = Report.objects.get().attachments.get()
    assert attachment.detected_type == "image/gif" and attachment.filename == "image.gif"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("you", {"finder_name": "x" * 5000, "share_identity_with_vendor": "maybe"}),
        ("vulnerability", {"title": "\x00\u202e" * 10, "cvss_av": "Z", "site_url": "x" * 600}),
        ("circumstances", {"self_coordination": "<script>", "planned_talk_date": "2030-02-31"}),
        ("files", {"remove": ["999999", "<x>"], "attachments": "not a file"}),
        ("nowhere", {}),
    ],
)
def test_malformed_posts_never_crash(world, name, data):
    client = Client()
    begin(client)
    response = client.post(step(name), data)
    assert response.status_code in (302, 400, 404)
    assert client.get(url("report_confirm")).status_code == 200


# --- The PGP key and the policy ---------------------------------------------------------


def test_the_pgp_key_is_published_when_configured(world, monkeypatch):
    missing = Client().get(url("pgp_key"))
    assert missing.status_code == 404 and "No encryption key" in missing.content.decode()
    armor = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ...\n-----END PGP PUBLIC KEY BLOCK-----\n"
    monkeypatch.setattr("kakehashi.core.pgp.public_key_armor", lambda: armor)
    response = Client().get(url("pgp_key"))
    assert response.status_code == 200 and response.content.decode() == armor
    assert response["Content-Type"] == "application/pgp-keys"


@pytest.mark.parametrize(("lang", "heading"), [("en", "What to include"), ("ja", "届出の方法")])
def test_the_default_policy_is_shipped_in_both_languages(world, lang, heading):
    page = Client().get(url("policy", lang)).content.decode()
    assert heading in page and "29147" in page
    assert url("report_start", lang) in page and url("pgp_key", lang) in page


def test_an_operator_admin_edits_the_policy_and_versions_are_kept(
    world, client_for, django_capture_on_commit_callbacks
):
    assert "What to include" in Client().get(url("policy")).content.decode()  # now cached
    admin = client_for("admin")
    form = admin.get(url("policy_edit"))
    assert "What to include" in form.context["form"].initial["body_en"]
    preview = admin.post(
        url("policy_edit"),
        {"body_ja": "## 新方針", "body_en": "## New\n\n<script>x</script>", "nav": "preview"},
    )
    assert "<h2>New</h2>" in preview.content.decode() and not DisclosurePolicy.objects.exists()
    for number in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            saved = admin.post(
                url("policy_edit"),
                {
                    "body_ja": f"## 方針 {number}",
                    "body_en": f"## Policy {number}\n\n<script>alert(1)</script>",
                    "change_note": f"version {number}",
                },
            )
        assert saved["Location"] == url("policy")
    page = Client().get(url("policy")).content.decode()
    assert "Policy 2" in page and "Policy 1" not in page and "<script>alert" not in page
    assert "方針 2" in Client().get(url("policy", "ja")).content.decode()
    assert DisclosurePolicy.objects.count() == 2
    history = admin.get(url("policy_edit")).content.decode()
    assert "version 1" in history and "version 2" in history


def test_only_operator_admins_edit_the_policy(world, client_for):
    for persona in ("clerk", "coordinator", "finder", "psirt"):
        response = client_for(persona).post(
            url("policy_edit"), {"body_ja": "x", "body_en": "y", "change_note": ""}
        )
        assert response.status_code == 404
    assert not DisclosurePolicy.objects.exists()
    assert "Edit the policy" not in client_for("clerk").get(url("policy")).content.decode()
    assert "Edit the policy" in client_for("admin").get(url("policy")).content.decode()


def test_the_header_links_to_the_form_and_the_policy_for_visitors(world):
    page = Client().get("/ja/").content.decode()
    assert url("report_start", "ja") in page and url("policy", "ja") in page
