"""Inbound e-mail: parsing, matching the reply token and the sender, decrypting and
verifying, filing into the thread, and every bad input landing in triage with its
reason — never lost, never shown to the wrong party."""

from __future__ import annotations

import io
from collections.abc import Iterator
from email.utils import make_msgid

import pytest
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse

from kakehashi.cases.models import Case
from kakehashi.cases.workflow import Phase
from kakehashi.core.models import AuditEvent
from kakehashi.core.storage import open_private
from kakehashi.core.tests.test_pgp import GpgKey, _fresh_home, _make_key, _stop
from kakehashi.messaging.access import access_thread
from kakehashi.messaging.inbound import reading
from kakehashi.messaging.inbound.actions import discard_triaged, file_triaged, ingest
from kakehashi.messaging.models import InboundMail, Message, Notification, Thread

from .inbound_mail import inline_reply, pgp_mime_reply, plain_reply
from .scenario import post, two_vendor_case
from .test_outbound import _offline_vendor, deliver_jobs, platform  # noqa: F401

pytestmark = pytest.mark.django_db

REPLY = "We confirm the issue and will ship 2.4.1 on Friday."
QUOTED = "\n\nOn Mon, 1 Jun 2026, Desk wrote:\n> Please confirm.\n> Thanks\n"


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, GpgKey]]:
    """The vendor's key and a platform key that can decrypt (ed25519 + cv25519)."""
    home = _fresh_home(tmp_path_factory.mktemp("inbound-pgp"))
    try:
        yield {
            "vendor": _make_key(home, "Vendor C <psirt@c.test>", "future-default", "default", "0"),
            "platform": _make_key(
                home, "Desk <desk@example.test>", "future-default", "default", "0"
            ),
        }
    finally:
        _stop(home)


@pytest.fixture
def offline(world, keys, platform, deliver_jobs):  # noqa: F811
    """Vendor C (no portal account, a key on file) in the case, with its private thread
    opened by the coordinator's first message."""
    case = two_vendor_case(world)
    vendor = _offline_vendor(world, case, "vendor-c", "psirt@c.test", keys["vendor"].public)
    deliver_jobs(lambda: post(world, "coordinator", case, f"vendor-{vendor.pk}", "Please confirm."))
    thread = Thread.objects.get(participant=vendor)
    return case, vendor, thread, f"reply+{thread.reply_token}@example.test"


def _ingest(raw: bytes, capture) -> InboundMail:
    with capture(execute=True):
        result = ingest(raw, source="test")
    assert result.new
    return result.mail


# -- reading ---------------------------------------------------------------------------


def test_the_token_must_fit_the_template_and_is_taken_from_to_cc_or_delivered_to(settings):
    settings.KAKEHASHI_REPLY_ADDRESS_TEMPLATE = "reply+{token}@example.test"
    token = "A" * 43
    found = reading.reply_tokens(
        (f"Desk <reply+{token}@EXAMPLE.test>", "reply+short@example.test", f"x+{token}@other.test")
    )
    assert found == {token}
    settings.KAKEHASHI_REPLY_ADDRESS_TEMPLATE = ""
    assert reading.reply_tokens((f"reply+{token}@example.test",)) == set()


def test_only_the_trailing_quoted_history_is_stripped():
    assert reading.strip_quoted(REPLY + QUOTED) == REPLY
    answered = "> Is 2.4 affected?\nYes.\n> And 2.3?\nNo."
    assert reading.strip_quoted(answered) == answered
    japanese = "確認しました。\n\n2026年6月1日 調整機関 のメッセージ:\n> ご確認ください。"
    assert reading.strip_quoted(japanese) == "確認しました。"
    outlook = "Fixed.\n\n-----Original Message-----\nFrom: desk\nPlease confirm."
    assert reading.strip_quoted(outlook) == "Fixed."
    assert reading.strip_quoted("> only a quote") == "> only a quote"


def test_an_html_only_body_is_reduced_to_text():
    message = plain_reply("a@b.test", "c@d.test", "x")
    message.set_content("<p>Hello <script>alert(1)</script><b>world</b></p>", subtype="html")
    found = reading.content(message)
    assert "<" not in found.text and "Hello" in found.text and "world" in found.text


# -- filing ----------------------------------------------------------------------------


def test_an_encrypted_signed_reply_is_filed_into_the_vendor_thread(
    offline, keys, world, django_capture_on_commit_callbacks
):
    case, vendor, thread, address = offline
    raw = pgp_mime_reply(
        address,
        "PSIRT C <psirt@c.test>",
        REPLY + QUOTED,
        platform=keys["platform"],
        signer=keys["vendor"],
        files={"patch.diff": b"--- a\n+++ b\n"},
    )
    mail = _ingest(raw, django_capture_on_commit_callbacks)
    assert (mail.state, mail.reason) == ("filed", "")
    assert mail.encrypted and mail.signed_by == keys["vendor"].fingerprint
    message = mail.message
    assert message.thread == thread and message.body == REPLY
    assert message.author is None and message.arrived_by_email
    assert message.sender_address == "psirt@c.test" and message.sender_participant == vendor
    assert [a.filename for a in message.attachments.all()] == ["patch.diff"]
    assert Notification.objects.filter(user=world.user("coordinator"), message=message).exists()
    # The vendor is not mailed its own reply; nobody else in the case sees the thread.
    assert not message.outbound.exists()
    with pytest.raises(Http404):
        access_thread(world.user("psirt"), case.pk, f"vendor-{vendor.pk}")
    with open_private(mail.raw_key) as handle:
        assert handle.read() == raw
    assert AuditEvent.objects.filter(action="messaging.inbound_filed").count() == 1


def test_an_inline_pgp_reply_is_filed(offline, keys, django_capture_on_commit_callbacks):
    _case, _vendor, thread, address = offline
    raw = inline_reply(
        address, "psirt@c.test", REPLY, platform=keys["platform"], signer=keys["vendor"]
    )
    mail = _ingest(raw, django_capture_on_commit_callbacks)
    assert mail.state == "filed" and mail.message.thread == thread
    assert mail.message.body == REPLY


@pytest.mark.usefixtures("platform")
def test_a_portal_member_may_reply_by_mail_to_a_thread_it_reads(
    world, django_capture_on_commit_callbacks
):
    case = two_vendor_case(world)
    post(world, "coordinator", case, "general", "To all vendors")
    thread = Thread.objects.get(case=case, kind="general")
    raw = plain_reply(f"reply+{thread.reply_token}@example.test", "psirt@example.test", REPLY)
    mail = _ingest(raw.as_bytes(), django_capture_on_commit_callbacks)
    assert mail.state == "filed"
    assert mail.message.author == world.user("psirt") and mail.message.arrived_by_email


def _triaged(raw: bytes, capture, reason: str) -> InboundMail:
    mail = _ingest(raw, capture)
    assert (mail.state, mail.reason) == ("triage", reason), mail.detail
    assert mail.message is None
    with open_private(mail.raw_key) as handle:
        assert handle.read() == raw  # never lost
    return mail


def test_a_forged_or_missing_token_goes_to_triage(
    offline, keys, django_capture_on_commit_callbacks
):
    _case, _vendor, thread, address = offline
    forged = address.replace(thread.reply_token[-6:], "AAAAAA")
    raw = plain_reply(forged, "psirt@c.test", REPLY).as_bytes()
    _triaged(raw, django_capture_on_commit_callbacks, "unknown_token")
    raw = plain_reply("desk@example.test", "psirt@c.test", REPLY).as_bytes()
    _triaged(raw, django_capture_on_commit_callbacks, "no_token")
    assert Message.objects.filter(arrived_by_email=True).count() == 0


def test_a_sender_that_may_not_write_goes_to_triage(
    offline, world, django_capture_on_commit_callbacks
):
    _case, _vendor, _thread, address = offline
    # Vendor B's PSIRT has an account but does not read vendor C's private thread.
    raw = plain_reply(address, "other_vendor@example.test", REPLY).as_bytes()
    mail = _triaged(raw, django_capture_on_commit_callbacks, "sender")
    assert "other_vendor@example.test" in mail.detail


def test_an_unsigned_reply_from_a_vendor_with_a_key_goes_to_triage(
    offline, keys, django_capture_on_commit_callbacks
):
    _case, _vendor, _thread, address = offline
    raw = plain_reply(address, "psirt@c.test", REPLY).as_bytes()
    _triaged(raw, django_capture_on_commit_callbacks, "unsigned")
    encrypted_unsigned = pgp_mime_reply(
        address, "psirt@c.test", REPLY, platform=keys["platform"], signer=None
    )
    mail = _triaged(encrypted_unsigned, django_capture_on_commit_callbacks, "unsigned")
    assert mail.text.startswith(REPLY)  # decrypted for the desk to read


def test_mail_encrypted_to_another_key_goes_to_triage(
    offline, keys, django_capture_on_commit_callbacks
):
    _case, _vendor, _thread, address = offline
    raw = pgp_mime_reply(address, "psirt@c.test", REPLY, platform=keys["vendor"], signer=None)
    mail = _triaged(raw, django_capture_on_commit_callbacks, "undecryptable")
    assert "not encrypted to the platform key" in mail.detail


def test_a_closed_case_and_an_oversized_file_go_to_triage(
    offline, keys, settings, django_capture_on_commit_callbacks
):
    case, _vendor, _thread, address = offline
    settings.KAKEHASHI_ATTACHMENT_MAX_BYTES = 1000
    raw = pgp_mime_reply(
        address,
        "psirt@c.test",
        REPLY,
        platform=keys["platform"],
        signer=keys["vendor"],
        files={"dump.bin": b"x" * 5000},
    )
    mail = _triaged(raw, django_capture_on_commit_callbacks, "oversized")
    assert [a.filename for a in mail.attachments.all()] == ["dump.bin"]
    Case.objects.filter(pk=case.pk).update(phase=Phase.CLOSED)
    raw = inline_reply(
        address, "psirt@c.test", REPLY, platform=keys["platform"], signer=keys["vendor"]
    )
    _triaged(raw, django_capture_on_commit_callbacks, "closed")


def test_a_replay_is_never_filed_twice(offline, keys, world, django_capture_on_commit_callbacks):
    _case, _vendor, _thread, address = offline
    message_id = make_msgid(domain="c.test")
    raw = pgp_mime_reply(
        address,
        "psirt@c.test",
        REPLY,
        platform=keys["platform"],
        signer=keys["vendor"],
        message_id=message_id,
    )
    first = _ingest(raw, django_capture_on_commit_callbacks)
    assert first.state == "filed"
    # The same bytes again (a mailbox read twice): found, nothing new.
    again = ingest(raw, source="test")
    assert not again.new and again.mail == first
    # The same Message-ID with other bytes (a replay through another relay): triage.
    replayed = _triaged(
        b"Received: from relay.example\r\n" + raw,
        django_capture_on_commit_callbacks,
        "replay",
    )
    _viewer, ref = access_thread(world.user("coordinator"), first.thread.case_id, first.thread.key)
    from kakehashi.core.workflow import InvalidInput

    with pytest.raises(InvalidInput, match="already filed"):
        file_triaged(replayed, ref, actor=world.user("coordinator"))
    assert Message.objects.filter(arrived_by_email=True).count() == 1


def test_the_desk_files_or_discards_a_triaged_mail(
    offline, world, django_capture_on_commit_callbacks
):
    _case, _vendor, thread, _address = offline
    raw = plain_reply("desk@example.test", "someone@c.test", "Lost reply, please file").as_bytes()
    mail = _triaged(raw, django_capture_on_commit_callbacks, "no_token")
    coordinator = world.user("coordinator")
    _viewer, ref = access_thread(coordinator, thread.case_id, thread.key)
    with django_capture_on_commit_callbacks(execute=True):
        message = file_triaged(mail, ref, actor=coordinator)
    mail.refresh_from_db()
    assert (mail.state, mail.handled_by, mail.message) == ("filed", coordinator, message)
    assert message.thread == thread and message.sender_address == "someone@c.test"
    other = _triaged(
        plain_reply("desk@example.test", "spam@x.test", "Buy now").as_bytes(),
        django_capture_on_commit_callbacks,
        "no_token",
    )
    discard_triaged(other, actor=world.user("clerk"), reason="Spam")
    assert other.state == "discarded" and other.discard_reason == "Spam"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"messaging.inbound_file", "messaging.inbound_discard"} <= actions


# -- the triage screens ----------------------------------------------------------------


def test_the_triage_screen_is_for_the_desk_and_shows_the_mail_inert(
    offline, client_for, django_capture_on_commit_callbacks
):
    hostile = '<img src=x onerror="alert(1)"> [click](javascript:alert(2))'
    raw = plain_reply(
        "desk@example.test", "evil@x.test", hostile, files={"poc.html": b"<script>1</script>"}
    ).as_bytes()
    mail = _triaged(raw, django_capture_on_commit_callbacks, "no_token")
    detail = reverse("messaging:triage_detail", kwargs={"mail_id": mail.pk})
    (attachment,) = mail.attachments.all()
    file_url = reverse(
        "messaging:triage_attachment", kwargs={"mail_id": mail.pk, "attachment_id": attachment.pk}
    )
    assert client_for("psirt").get(file_url).status_code == 404
    download = client_for("clerk").get(file_url)
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"<script>1</script>"
    for persona in ("psirt", "other_vendor", "finder", "outsider", "translator"):
        assert client_for(persona).get(detail).status_code == 404
    response = client_for("clerk").get(detail)
    assert response.status_code == 200
    assert b"<img src=x" not in response.content and b"&lt;img src=x" in response.content
    listing = client_for("coordinator").get(reverse("messaging:triage_list"))
    assert b"evil@x.test" in listing.content
    raw_download = client_for("coordinator").get(
        reverse("messaging:triage_raw", kwargs={"mail_id": mail.pk})
    )
    assert raw_download["Content-Type"] == "application/octet-stream"
    assert raw_download["Content-Disposition"].startswith("attachment")


def test_filing_from_the_screen_goes_through_the_thread_access(
    offline, client_for, world, django_capture_on_commit_callbacks
):
    case, vendor, thread, _address = offline
    raw = plain_reply("desk@example.test", "psirt@c.test", "Please file me").as_bytes()
    mail = _triaged(raw, django_capture_on_commit_callbacks, "no_token")
    url = reverse("messaging:triage_file", kwargs={"mail_id": mail.pk})
    detail = client_for("coordinator").get(
        reverse("messaging:triage_detail", kwargs={"mail_id": mail.pk}), {"case": case.reference}
    )
    assert f'value="vendor-{vendor.pk}"'.encode() in detail.content
    # The clerk does not coordinate the case: the thread is not found for them.
    refused = client_for("clerk").post(url, {"case": case.pk, "key": thread.key})
    assert refused.status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        done = client_for("coordinator").post(url, {"case": case.pk, "key": thread.key})
    assert done.status_code == 302
    mail.refresh_from_db()
    assert mail.state == "filed" and mail.message.thread == thread
    discard = reverse("messaging:triage_discard", kwargs={"mail_id": mail.pk})
    assert client_for("clerk").post(discard, {"reason": "late"}).status_code == 400


# -- the command -----------------------------------------------------------------------


def test_mail_ingest_reads_standard_input_and_a_maildir(
    offline, keys, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    _case, _vendor, thread, address = offline
    raw = inline_reply(
        address, "psirt@c.test", REPLY, platform=keys["platform"], signer=keys["vendor"]
    )
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("mail", "ingest", stdout=out)
    assert "Filed 1, in triage 0" in out.getvalue()
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.host").write_bytes(raw)  # already ingested: found again
    (maildir / "new" / "2.host").write_bytes(
        plain_reply("desk@example.test", "x@y.test", "Hello").as_bytes()
    )
    out = io.StringIO()
    call_command("mail", "ingest", "--maildir", str(maildir), stdout=out)
    assert "Filed 0, in triage 1, already received 1" in out.getvalue()
    assert sorted(p.name for p in (maildir / "cur").iterdir()) == ["1.host:2,S", "2.host:2,S"]
    out = io.StringIO()
    call_command("mail", "ingest", "--maildir", str(maildir), stdout=out)
    assert "Filed 0, in triage 0, already received 0" in out.getvalue()
    assert Message.objects.filter(thread=thread, arrived_by_email=True).count() == 1


def test_fetch_refuses_without_a_mailbox_and_is_not_scheduled(settings):
    from crontask import scheduler
    from django.core.management.base import CommandError

    from kakehashi.messaging import tasks

    settings.KAKEHASHI_IMAP_HOST = ""
    with pytest.raises(CommandError, match="No IMAP mailbox"):
        call_command("mail", "fetch")
    assert tasks.fetch_mail.name not in {job.name for job in scheduler.get_jobs()}
