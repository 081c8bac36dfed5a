"""The e-mail round trip end to end: a coordinator posts to a vendor's thread, the
encrypted mail crosses a real SMTP server on loopback, the vendor answers with real
GnuPG (encrypted to the platform key, signed with its own), the answer is delivered to a
real IMAP server (Debian's dovecot, started here unprivileged) and ``kakehashi mail
fetch`` files it into the right thread, and nowhere else. Skipped when dovecot is
missing, unless ``KAKEHASHI_REQUIRE_BROWSER`` is set (CI): then it fails.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import io
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse

from kakehashi.core.testing import run_pending_jobs
from kakehashi.messaging.access import access_thread
from kakehashi.messaging.models import InboundMail, Message, Thread

from .inbound_mail import pgp_mime_reply, plain_reply
from .scenario import post, two_vendor_case
from .test_inbound import REPLY, keys  # noqa: F401
from .test_outbound import _offline_vendor, platform  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=False)

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)
USER, PASSWORD = "kakehashi", "imap-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Imap:
    port: int

    def deliver(self, raw: bytes) -> None:
        connection = imaplib.IMAP4("127.0.0.1", self.port)
        connection.login(USER, PASSWORD)
        assert connection.append("INBOX", None, None, raw)[0] == "OK"
        connection.logout()

    def keywords(self) -> list[bytes]:
        connection = imaplib.IMAP4("127.0.0.1", self.port)
        connection.login(USER, PASSWORD)
        connection.select("INBOX")
        _status, data = connection.fetch("1:*", "(FLAGS)")
        connection.logout()
        return [item for item in data if isinstance(item, bytes)]


def _dovecot_config(root: Path, port: int) -> Path:
    """A dovecot of its own: passwd-file auth, maildir, loopback, no TLS. As root (a CI
    container) the mail user is the system's dovecot user; otherwise our own uid."""
    if os.geteuid() == 0:
        internal, login = "dovecot", "dovenull"
        mail_uid, mail_gid = pwd.getpwnam("dovecot").pw_uid, pwd.getpwnam("dovecot").pw_gid
    else:
        internal = login = pwd.getpwuid(os.geteuid()).pw_name
        mail_uid, mail_gid = os.geteuid(), os.getegid()
    home = root / "home"
    home.mkdir()
    os.chown(home, mail_uid, mail_gid) if os.geteuid() == 0 else None
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{mail_uid}:{mail_gid}::{home}\n")
    config = root / "dovecot.conf"
    config.write_text(
        f"""protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
login_trusted_networks = 127.0.0.0/8
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 0
mail_location = maildir:{home}/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    return config


@pytest.fixture
def imap(settings) -> Iterator[Imap]:
    if DOVECOT is None:
        if os.environ.get("KAKEHASHI_REQUIRE_BROWSER"):
            pytest.fail("dovecot is not installed (apt-get install dovecot-imapd)")
        pytest.skip("dovecot is not installed")
    # Not under pytest's temporary directory: its parents are private (0700), and
    # dovecot's own processes (another uid when run as root) must reach the files.
    root = Path(tempfile.mkdtemp(prefix="kakehashi-dovecot-"))
    root.chmod(0o755)
    port = _free_port()
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(_dovecot_config(root, port))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    log = (
                        (root / "dovecot.log").read_text()
                        if (root / "dovecot.log").exists()
                        else ""
                    )
                    pytest.fail(f"dovecot did not start: {process.stderr.read()!r} {log}")  # type: ignore[union-attr]
                time.sleep(0.1)
        settings.KAKEHASHI_IMAP_HOST = "127.0.0.1"
        settings.KAKEHASHI_IMAP_PORT = port
        settings.KAKEHASHI_IMAP_SECURITY = "plain"
        settings.KAKEHASHI_IMAP_USER = USER
        settings.KAKEHASHI_IMAP_PASSWORD = PASSWORD
        settings.KAKEHASHI_IMAP_FOLDER = "INBOX"
        settings.KAKEHASHI_IMAP_DONE_FOLDER = ""
        yield Imap(port)
    finally:
        process.terminate()
        process.wait(timeout=15)
        shutil.rmtree(root, ignore_errors=True)


class _Inbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings) -> Iterator[_Inbox]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


def _fetch() -> str:
    out = io.StringIO()
    call_command("mail", "fetch", stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("platform")
def test_a_reply_travels_smtp_out_and_imap_in_into_the_right_thread(  # noqa: PLR0917
    world,
    keys,  # noqa: F811
    smtp,
    imap,
    client_for,
    django_capture_on_commit_callbacks,
):
    case = two_vendor_case(world)
    vendor = _offline_vendor(world, case, "vendor-c", "psirt@c.test", keys["vendor"].public)
    key = f"vendor-{vendor.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        post(world, "coordinator", case, key, "Please confirm the heap overflow.")
    with django_capture_on_commit_callbacks(execute=True):
        run_pending_jobs()
    thread = Thread.objects.get(participant=vendor)

    # Out: the vendor's copy crossed SMTP encrypted, with the thread's reply address.
    (envelope,) = [e for e in smtp.envelopes if "psirt@c.test" in e.rcpt_tos]
    sent = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert sent.get_content_type() == "multipart/encrypted"
    assert b"heap overflow" not in envelope.original_content
    reply_to = str(sent["Reply-To"])
    assert reply_to == f"reply+{thread.reply_token}@example.test"

    # In: the vendor answers with GnuPG; a forger guesses a token; both reach IMAP.
    answer = pgp_mime_reply(
        reply_to,
        "PSIRT C <psirt@c.test>",
        REPLY + "\n\nOn Mon, Desk wrote:\n> Please confirm.\n",
        platform=keys["platform"],
        signer=keys["vendor"],
        files={"fix.patch": b"--- a\n+++ b\n"},
    )
    imap.deliver(answer)
    forged = reply_to.replace(thread.reply_token, thread.reply_token[:-4] + "AAAA")
    imap.deliver(plain_reply(forged, "psirt@c.test", "Forged").as_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        assert "Filed 1, in triage 1, already received 0" in _fetch()
    # Read messages are marked: the next run finds nothing.
    assert all(b"$KakehashiIngested" in flags for flags in imap.keywords())
    assert "Filed 0, in triage 0, already received 0" in _fetch()

    filed = Message.objects.get(arrived_by_email=True)
    assert filed.thread == thread and filed.body == REPLY
    assert filed.sender_participant == vendor and filed.author is None
    assert InboundMail.objects.get(reason="unknown_token").message is None

    # The coordinator sees it in the vendor's thread; nobody else sees that thread, and
    # the general thread holds no copy.
    page = client_for("coordinator").get(
        reverse("messaging:thread", kwargs={"case_id": case.pk, "key": key})
    )
    assert REPLY.encode() in page.content and b"psirt@c.test" in page.content
    for persona in ("psirt", "other_vendor", "finder", "clerk"):
        with pytest.raises(Http404):
            access_thread(world.user(persona), case.pk, key)
    assert not Message.objects.filter(thread__kind="general", body__contains=REPLY).exists()

    # A replay of the same bytes is refused; with a new relay header it waits in triage.
    imap.deliver(answer)
    imap.deliver(b"Received: from replay.example\r\n" + answer)
    assert "Filed 0, in triage 1, already received 1" in _fetch()
    assert InboundMail.objects.filter(reason="replay").count() == 1
    assert Message.objects.filter(arrived_by_email=True).count() == 1


def test_the_periodic_job_fetches_the_configured_mailbox(world, imap):
    from kakehashi.messaging import tasks

    imap.deliver(plain_reply("desk@example.test", "x@y.test", "Hello").as_bytes())
    result = tasks.fetch_mail.call()
    assert result == "filed 0, triage 1, already 0"
    assert InboundMail.objects.get().reason == "no_token"
