"""Notifications by e-mail: at once or as a daily digest, in the recipient's language,
never with the message's text, each notification mailed once; the preference and the
digest's signed unsubscribe link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail as outbox
from django.urls import reverse
from django.utils import timezone

from kakehashi.core.testing import run_pending_jobs
from kakehashi.messaging import actions
from kakehashi.messaging.mail import send_digests, unsubscribe_token
from kakehashi.messaging.models import MailPreference, Notification

from .scenario import post, two_vendor_case, vendor_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Run the jobs, then the mail jobs they enqueue after their commits."""

    def run(step=None):
        with django_capture_on_commit_callbacks(execute=True):
            result = step() if step is not None else run_pending_jobs()
        run_pending_jobs()
        return result

    return run


def _to(persona_email: str) -> list:
    return [m for m in outbox.outbox if persona_email in m.to]


def test_immediate_mail_names_the_case_but_not_the_text(
    world, django_capture_on_commit_callbacks, deliver
):
    case = two_vendor_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        post(world, "coordinator", case, vendor_key(case, "vendor-a"), "Secret: @psirt see PoC")
    deliver()
    mails = _to("psirt@example.test")
    assert len(mails) == 1
    assert case.reference in mails[0].subject and "mentioned" in mails[0].subject
    assert "Secret" not in mails[0].body and "PoC" not in mails[0].body
    assert "/en/messages/cases/" in mails[0].body
    # Vendor B reads no part of A's thread and gets nothing.
    assert not _to("other_vendor@example.test")
    # A second run of the job mails nothing twice.
    ids = list(Notification.objects.values_list("pk", flat=True))
    from kakehashi.messaging.mail import mail_immediately

    assert mail_immediately(ids) == 0


def test_mail_is_in_the_recipients_language(world, django_capture_on_commit_callbacks, deliver):
    psirt = world.user("psirt")
    psirt.language = "ja"
    psirt.save(update_fields=["language"])
    case = two_vendor_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        post(world, "coordinator", case, vendor_key(case, "vendor-a"), "Hello")
    deliver()
    assert "/ja/messages/cases/" in _to("psirt@example.test")[0].body
    assert "/en/messages/cases/" in _to("vendoradmin@example.test")[0].body


def test_digest_users_get_one_mail_a_day_with_an_unsubscribe_link(
    world, django_capture_on_commit_callbacks, deliver
):
    actions.set_mail_frequency(world.user("psirt"), "daily")
    actions.set_mail_frequency(world.user("vendoradmin"), "never")
    case = two_vendor_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        post(world, "coordinator", case, "general", "One")
        post(world, "other_vendor", case, "general", "Two @psirt")
    deliver()
    assert not _to("psirt@example.test") and not _to("vendoradmin@example.test")
    # Frozen clock: not yet due a minute later, due the next morning.
    assert deliver(lambda: send_digests(now=timezone.now() + timedelta(minutes=1))) == 0
    assert deliver(lambda: send_digests(now=timezone.now() + timedelta(hours=20))) == 1
    digest = _to("psirt@example.test")
    assert len(digest) == 1
    assert "2 new notifications" in digest[0].subject
    assert "mentioned you" in digest[0].body and "new message from coordinator" in digest[0].body
    assert "/notifications/unsubscribe/" in digest[0].body
    assert "Two @psirt" not in digest[0].body
    # Run twice: nothing is mailed twice; the opted-out user never gets one.
    assert deliver(lambda: send_digests(now=timezone.now() + timedelta(hours=21))) == 0
    assert not _to("vendoradmin@example.test")


def test_read_notifications_are_not_mailed_in_the_digest(world, client_for):
    actions.set_mail_frequency(world.user("psirt"), "daily")
    case = two_vendor_case(world)
    post(world, "coordinator", case, vendor_key(case, "vendor-a"), "Seen in time")
    client_for("psirt").get(
        reverse(
            "messaging:thread", kwargs={"case_id": case.pk, "key": vendor_key(case, "vendor-a")}
        )
    )
    assert send_digests(now=timezone.now() + timedelta(hours=20)) == 0


def test_unsubscribe_asks_on_get_and_acts_on_post(world, client):
    token = unsubscribe_token(world.user("psirt"))
    url = reverse("messaging:unsubscribe", kwargs={"token": token})
    assert client.get(url).status_code == 200
    assert not MailPreference.objects.exists()  # a mail scanner's GET changes nothing
    assert client.post(url).status_code == 200
    assert MailPreference.objects.get(user=world.user("psirt")).frequency == "never"


def test_forged_unsubscribe_token_is_not_found(world, client):
    token = unsubscribe_token(world.user("psirt"))
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (forged, "nonsense", token.replace(":", ".", 1)):
        url = reverse("messaging:unsubscribe", kwargs={"token": bad})
        assert client.post(url).status_code == 404
    assert not MailPreference.objects.exists()


def test_preference_is_saved_from_the_preferences_page(world, client_for):
    client = client_for("psirt")
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert 'name="frequency"' in page
    client.post(reverse("messaging:mail_preference"), {"frequency": "daily"})
    assert MailPreference.objects.get(user=world.user("psirt")).frequency == "daily"


def test_bad_preference_is_refused_and_nothing_changes(world, client_for):
    client = client_for("psirt")
    response = client.post(
        reverse("messaging:mail_preference"), {"frequency": "hourly"}, follow=True
    )
    assert b"Nothing was changed" in response.content
    assert not MailPreference.objects.exists()
    assert (
        client_for("anonymous")
        .post(reverse("messaging:mail_preference"), {"frequency": "never"})
        .status_code
        == 302
    )
    assert not MailPreference.objects.exists()


def _catalog_is_compiled() -> bool:
    from django.utils import translation

    with translation.override("ja"):
        return translation.gettext("Your unread notifications:") != "Your unread notifications:"


def test_digest_composed_with_a_frozen_clock_in_the_recipients_language(world, settings, deliver):
    """Every instant is fixed: the notifications' times, the digest's run; the digest
    lists them in order with their JST/UTC times, in Japanese for a Japanese reader,
    and its unsubscribe link works from a browser without an account session."""
    from datetime import UTC, datetime

    from django.test import Client

    settings.SITE_URL = "https://kakehashi.example"
    psirt = world.user("psirt")
    psirt.language = "ja"
    psirt.save(update_fields=["language"])
    actions.set_mail_frequency(psirt, "daily")
    case = two_vendor_case(world)
    first = post(world, "coordinator", case, vendor_key(case, "vendor-a"), "Secret one")
    second = post(world, "other_vendor", case, "general", "Hello @psirt, secret two")
    posted = {
        first.pk: datetime(2026, 3, 31, 14, 30, tzinfo=UTC),  # 23:30 JST
        second.pk: datetime(2026, 3, 31, 16, 5, tzinfo=UTC),  # 01:05 JST, the next day
    }
    for message_id, at in posted.items():
        Notification.objects.filter(message_id=message_id).update(created_at=at)
    run_at = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # 08:00 JST, the cron's hour
    assert send_digests(now=datetime(2026, 3, 31, 14, 33, tzinfo=UTC)) == 0  # too fresh
    assert deliver(lambda: send_digests(now=run_at)) == 1
    (digest,) = _to("psirt@example.test")
    body = digest.body
    assert "2026-03-31 23:30 JST (14:30 UTC)" in body
    assert "2026-04-01 01:05 JST (2026-03-31 16:05 UTC)" in body
    assert body.index("23:30 JST") < body.index("01:05 JST")
    assert body.count(f"https://kakehashi.example/ja/messages/cases/{case.pk}/") == 2
    assert "secret" not in body.lower()
    if _catalog_is_compiled():
        assert "新着通知 2 件" in digest.subject
        assert "未読の通知" in body and "other_vendor さんがあなたに言及しました" in body
        assert "coordinator さんからの新着メッセージ" in body
    # The unsubscribe link, followed as a browser would: GET asks, POST (with CSRF) acts.
    link = next(line for line in body.splitlines() if "/notifications/unsubscribe/" in line)
    path = link.split("https://kakehashi.example", 1)[1].strip()
    assert path.startswith("/ja/")
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200 and not MailPreference.objects.filter(frequency="never")
    token = page.cookies["csrftoken"].value
    done = browser.post(path, {"csrfmiddlewaretoken": token})
    assert done.status_code == 200
    assert MailPreference.objects.get(user=psirt).frequency == "never"
    # Nothing further is mailed to them, whatever arrives.
    post(world, "coordinator", case, "general", "Later news")
    assert send_digests(now=timezone.now() + timedelta(days=1)) == 0
