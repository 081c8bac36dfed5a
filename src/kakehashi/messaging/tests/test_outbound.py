"""Thread messages by e-mail to vendors without portal access: encrypted to their key
and signed with the platform key, or without text when they have no key; the reply
address carries the thread's token; each message is sent once per vendor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail as outbox
from django.core.files.uploadedfile import SimpleUploadedFile

from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation
from kakehashi.cases import actions as case_actions
from kakehashi.core.pgp_mime import parse_incoming, verify_pgp_mime_signed
from kakehashi.core.testing import run_pending_jobs
from kakehashi.core.tests.test_pgp import PASSPHRASE, GpgKey, _fresh_home, _make_key, _stop
from kakehashi.messaging.models import OutboundMail, Thread
from kakehashi.messaging.outbound import deliver
from kakehashi.vendors import actions as vendor_actions

from .scenario import post, two_vendor_case

pytestmark = pytest.mark.django_db

SECRET = "Heap overflow in parse_header() when the length is negative"


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, GpgKey]]:
    home = _fresh_home(tmp_path_factory.mktemp("messaging-pgp"))
    try:
        yield {
            "vendor": _make_key(home, "Vendor C <psirt@c.test>", "future-default", "default", "0"),
            "platform": _make_key(home, "Desk <desk@example.test>", "ed25519", "sign", "0"),
        }
    finally:
        _stop(home)


@pytest.fixture
def platform(settings, tmp_path, keys):
    path = tmp_path / "platform.asc"
    path.write_text(keys["platform"].secret)
    settings.KAKEHASHI_PGP_SECRET_KEY_FILE = str(path)
    settings.KAKEHASHI_PGP_PASSPHRASE = PASSPHRASE
    settings.KAKEHASHI_REPLY_ADDRESS_TEMPLATE = "reply+{token}@example.test"
    return keys["platform"]


def _offline_vendor(world, case, slug: str, email: str, key: str | None):
    """A vendor organisation without any portal account, in the case."""
    coordinator = world.user("coordinator")
    organisation = Organisation.objects.create(
        slug=slug, kind=OrganisationKind.VENDOR, name_en=slug.title(), name_ja=slug
    )
    profile = vendor_actions.register_vendor(coordinator, organisation)
    vendor_actions.add_contact_point(coordinator, profile, kind="email", value=email)
    if key:
        vendor_actions.add_key(coordinator, profile, key)
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[organisation]
    )
    return case.participants.get(organisation=organisation)


def _send(world, case, key, body, deliver_jobs, **kwargs):
    message = deliver_jobs(lambda: post(world, "coordinator", case, key, body, **kwargs))
    return message


@pytest.fixture
def deliver_jobs(django_capture_on_commit_callbacks):
    def run(step):
        with django_capture_on_commit_callbacks(execute=True):
            result = step()
        with django_capture_on_commit_callbacks(execute=True):
            run_pending_jobs()
        run_pending_jobs()
        return result

    return run


def _to(address: str):
    return [m for m in outbox.outbox if address in m.to]


def test_offline_vendor_gets_the_message_encrypted_signed_with_the_thread_token(
    world, keys, platform, deliver_jobs
):
    case = two_vendor_case(world)
    vendor = _offline_vendor(world, case, "vendor-c", "psirt@c.test", keys["vendor"].public)
    upload = SimpleUploadedFile("poc.py", b"print('poc')")
    message = _send(world, case, f"vendor-{vendor.pk}", SECRET, deliver_jobs, uploads=[upload])
    (mail,) = _to("psirt@c.test")
    raw = mail.message().as_bytes()
    assert SECRET.encode() not in raw and b"poc.py" not in raw.split(b"\n\n", 1)[1]
    assert mail.message().get_content_type() == "multipart/encrypted"
    thread = Thread.objects.get(participant=vendor)
    assert mail.reply_to == [f"reply+{thread.reply_token}@example.test"]
    (found,) = parse_incoming(raw, keys["vendor"].secret_key(), senders=[platform.public])
    assert SECRET in found.text and case.reference in found.text
    assert found.signature_valid
    assert [a.filename for a in found.attachments] == ["poc.py"]
    row = OutboundMail.objects.get(message=message)
    assert row.state == "sent" and row.encrypted and row.addresses == "psirt@c.test"


def test_offline_vendor_without_a_key_gets_a_signed_mail_without_the_text(
    world, platform, deliver_jobs
):
    case = two_vendor_case(world)
    _offline_vendor(world, case, "vendor-d", "psirt@d.test", None)
    _send(world, case, "general", SECRET, deliver_jobs)
    (mail,) = _to("psirt@d.test")
    raw = mail.message().as_bytes()
    assert SECRET.encode() not in raw
    assert mail.message().get_content_type() == "multipart/signed"
    assert verify_pgp_mime_signed(raw, platform.public)
    assert case.reference in mail.subject
    assert not OutboundMail.objects.get().encrypted


def test_vendors_with_portal_accounts_and_other_threads_get_no_mail(world, keys, deliver_jobs):
    case = two_vendor_case(world)
    offline = _offline_vendor(world, case, "vendor-c", "psirt@c.test", keys["vendor"].public)
    # Vendor A and B have portal accounts: notifications, not thread mail.
    _send(world, case, "general", "To everyone", deliver_jobs)
    assert {r.participant_id for r in OutboundMail.objects.all()} == {offline.pk}
    # A private thread of vendor A reaches no other vendor by mail.
    a = case.participants.get(organisation__slug="vendor-a")
    _send(world, case, f"vendor-{a.pk}", "Only A", deliver_jobs)
    assert OutboundMail.objects.count() == 1
    assert len(_to("psirt@c.test")) == 1


def test_delivery_runs_once_and_records_a_missing_address(world, keys, deliver_jobs):
    case = two_vendor_case(world)
    vendor = _offline_vendor(world, case, "vendor-c", "psirt@c.test", keys["vendor"].public)
    _send(world, case, f"vendor-{vendor.pk}", "Hello", deliver_jobs)
    row = OutboundMail.objects.get()
    assert deliver(row.pk) == "already handled"
    assert len(_to("psirt@c.test")) == 1
    vendor.organisation.vendor_profile.contact_points.all().delete()
    _send(world, case, f"vendor-{vendor.pk}", "Again", deliver_jobs)
    assert OutboundMail.objects.order_by("-id").first().state == "no_address"
