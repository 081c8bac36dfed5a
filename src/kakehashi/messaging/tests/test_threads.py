"""Threads and messages through the interface: who reads and writes which thread,
safe rendering, attachments, quoting, mentions, edits and read state."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import GuardFailed, InvalidInput
from kakehashi.messaging import actions
from kakehashi.messaging.access import access_thread, case_viewer
from kakehashi.messaging.models import (
    Message,
    MessageVersion,
    Notification,
    ReadMarker,
    Thread,
)

from .scenario import post, two_vendor_case, vendor_key

pytestmark = pytest.mark.django_db


def _thread_url(case, key):
    return reverse("messaging:thread", kwargs={"case_id": case.pk, "key": key})


def _post_url(case, key):
    return reverse("messaging:post", kwargs={"case_id": case.pk, "key": key})


# --- Who reads which thread -------------------------------------------------------------


def test_vendor_cannot_open_another_vendors_private_thread(world, client_for):
    case = two_vendor_case(world)
    key_a = vendor_key(case, "vendor-a")
    post(world, "coordinator", case, key_a, "Details for vendor A only.")
    assert client_for("psirt").get(_thread_url(case, key_a)).status_code == 200
    assert client_for("other_vendor").get(_thread_url(case, key_a)).status_code == 404
    # …the same answer as for a private thread that does not exist at all.
    assert client_for("other_vendor").get(_thread_url(case, "vendor-999999")).status_code == 404


def test_vendor_cannot_post_to_another_vendors_private_thread(world, client_for):
    case = two_vendor_case(world)
    key_a = vendor_key(case, "vendor-a")
    response = client_for("other_vendor").post(_post_url(case, key_a), {"body": "Hi"})
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_both_vendors_read_the_general_thread(world, client_for):
    case = two_vendor_case(world)
    post(world, "coordinator", case, "general", "To all vendors.")
    for persona in ("psirt", "other_vendor", "coordinator", "translator"):
        response = client_for(persona).get(_thread_url(case, "general"))
        assert response.status_code == 200, persona
        assert b"To all vendors." in response.content


def test_case_thread_list_shows_a_vendor_only_its_own_private_thread(world, client_for):
    case = two_vendor_case(world)
    url = reverse("messaging:case_threads", kwargs={"case_id": case.pk})
    page = client_for("psirt").get(url).content.decode()
    assert vendor_key(case, "vendor-a") in page
    assert vendor_key(case, "vendor-b") not in page
    desk = client_for("coordinator").get(url).content.decode()
    assert vendor_key(case, "vendor-a") in desk and vendor_key(case, "vendor-b") in desk


def test_finder_reads_only_topics_opened_to_the_finder(world, client_for):
    case = two_vendor_case(world)
    viewer = case_viewer(world.user("coordinator"), case.pk)
    shared = actions.open_topic(
        viewer, title="Reproduction", audience="vendors", finder_included=True
    )
    closed = actions.open_topic(viewer, title="Internal", audience="coordination")
    finder = client_for("finder")
    assert finder.get(_thread_url(case, shared.key)).status_code == 200
    assert finder.get(_thread_url(case, closed.key)).status_code == 404
    assert finder.get(_thread_url(case, "general")).status_code == 404
    assert finder.get(_thread_url(case, vendor_key(case, "vendor-a"))).status_code == 404
    # A coordination-only topic is closed to the vendors too.
    assert client_for("psirt").get(_thread_url(case, closed.key)).status_code == 404
    assert client_for("psirt").get(_thread_url(case, shared.key)).status_code == 200


def test_only_coordinators_open_topics(world, client_for):
    case = two_vendor_case(world)
    url = reverse("messaging:open_topic", kwargs={"case_id": case.pk})
    data = {"title": "Patch review", "audience": "vendors"}
    assert client_for("psirt").post(url, data).status_code == 404
    assert client_for("translator").post(url, data).status_code == 404
    assert not Thread.objects.exists()
    response = client_for("coordinator").post(url, data)
    assert response.status_code == 302
    assert Thread.objects.get().title == "Patch review"


def test_topic_without_a_title_is_refused(world):
    case = two_vendor_case(world)
    viewer = case_viewer(world.user("coordinator"), case.pk)
    with pytest.raises(InvalidInput, match="title"):
        actions.open_topic(viewer, title="  ", audience="vendors")
    with pytest.raises(InvalidInput, match="who may read"):
        actions.open_topic(viewer, title="X", audience="everyone")
    assert not Thread.objects.exists()


def test_clerk_committee_and_outsider_see_no_thread(world, client_for):
    case = two_vendor_case(world)
    post(world, "coordinator", case, "general", "Hello.")
    for persona in ("clerk", "committee", "outsider"):
        assert client_for(persona).get(_thread_url(case, "general")).status_code == 404
    assert client_for("anonymous").get(_thread_url(case, "general")).status_code == 302


def test_malformed_thread_key_is_not_found(world, client_for):
    case = two_vendor_case(world)
    for key in ("vendor-x", "topic-", "other", "vendor-1-2"):
        assert client_for("coordinator").get(_thread_url(case, key)).status_code == 404


# --- Posting ------------------------------------------------------------------------------


def test_first_message_creates_the_thread_once_and_is_audited(world, client_for):
    case = two_vendor_case(world)
    client = client_for("psirt")
    key = vendor_key(case, "vendor-a")
    assert client.post(_post_url(case, key), {"body": "We got it."}).status_code == 302
    assert client.post(_post_url(case, key), {"body": "Fix next week."}).status_code == 302
    thread = Thread.objects.get()
    assert thread.kind == "vendor" and thread.message_count == 2
    assert len(thread.reply_token) >= 40
    event = AuditEvent.objects.filter(action="messaging.post").last()
    assert event.case_id == case.pk
    assert "Fix next week" not in str(event.data) + event.summary


def test_empty_message_is_refused_and_nothing_changes(world, client_for):
    case = two_vendor_case(world)
    response = client_for("coordinator").post(
        _post_url(case, "general"), {"body": "   "}, follow=True
    )
    assert b"Nothing was sent" in response.content
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_closed_case_refuses_messages(world):
    from kakehashi.cases.models import Case
    from kakehashi.cases.workflow import Phase

    case = two_vendor_case(world)
    Case.objects.filter(pk=case.pk).update(phase=Phase.CLOSED)
    with pytest.raises(GuardFailed, match="closed"):
        post(world, "coordinator", case, "general", "Too late.")
    assert not Message.objects.exists()


def test_hostile_markdown_is_rendered_inert(world, client_for):
    case = two_vendor_case(world)
    body = (
        "<script>alert(1)</script> <img src=x onerror=alert(2)> "
        "[click](javascript:alert(3)) ![t](https://evil.example/t.png)"
    )
    post(world, "psirt", case, "general", body)
    html = client_for("coordinator").get(_thread_url(case, "general")).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x onerror" not in html and '<img src="x"' not in html
    assert 'href="javascript:' not in html
    assert 'src="https://evil.example' not in html


def test_quote_must_be_in_the_same_thread(world):
    case = two_vendor_case(world)
    other = post(world, "coordinator", case, vendor_key(case, "vendor-b"), "For B.")
    with pytest.raises(InvalidInput, match="quoted"):
        post(world, "psirt", case, "general", "Quoting", quoted_id=other.pk)
    first = post(world, "psirt", case, "general", "Original")
    reply = post(world, "coordinator", case, "general", "Reply", quoted_id=first.pk)
    assert reply.quoted == first


def test_quoted_message_is_shown_with_the_reply(world, client_for):
    case = two_vendor_case(world)
    first = post(world, "psirt", case, "general", "Original words")
    post(world, "coordinator", case, "general", "Reply", quoted_id=first.pk)
    html = client_for("other_vendor").get(_thread_url(case, "general")).content.decode()
    assert html.count("Original words") == 2
    assert 'class="quoted"' in html


# --- Mentions and notifications ------------------------------------------------------------


def test_mention_notifies_a_reader_and_ignores_a_non_reader(world):
    case = two_vendor_case(world)
    key_a = vendor_key(case, "vendor-a")
    post(world, "coordinator", case, key_a, "@psirt please check; cc @other_vendor")
    mentions = Notification.objects.filter(kind="mention")
    assert [n.user.username for n in mentions] == ["psirt"]
    # Vendor B can not read A's thread: no notification of any kind.
    assert not Notification.objects.filter(user=world.user("other_vendor")).exists()
    # The author is not notified of their own message.
    assert not Notification.objects.filter(user=world.user("coordinator")).exists()


def test_general_message_notifies_every_reader(world):
    case = two_vendor_case(world)
    post(world, "psirt", case, "general", "Question for all")
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"admin", "coordinator", "cna", "translator", "vendoradmin", "other_vendor"}


def test_notification_centre_lists_and_marks_read(world, client_for):
    case = two_vendor_case(world)
    post(world, "coordinator", case, vendor_key(case, "vendor-a"), "Hi @psirt")
    client = client_for("psirt")
    count = client.get(reverse("messaging:notification_count")).content.decode()
    assert "1 unread" in count
    page = client.get(reverse("messaging:notifications")).content.decode()
    assert "mentioned you" in page
    client.post(reverse("messaging:notifications_read"))
    assert not Notification.objects.filter(read_at__isnull=True, user=world.user("psirt")).exists()
    assert "unread" not in client.get(reverse("messaging:notification_count")).content.decode()


def test_opening_the_thread_reads_its_notifications(world, client_for):
    case = two_vendor_case(world)
    key = vendor_key(case, "vendor-a")
    post(world, "coordinator", case, key, "Hi")
    client_for("psirt").get(_thread_url(case, key))
    assert not Notification.objects.filter(user=world.user("psirt"), read_at__isnull=True).exists()
    # The other member of vendor A has not opened it yet.
    assert Notification.objects.filter(
        user=world.user("vendoradmin"), read_at__isnull=True
    ).exists()


# --- Edits ----------------------------------------------------------------------------------


def test_author_edits_and_every_version_is_kept(world, client_for):
    case = two_vendor_case(world)
    message = post(world, "psirt", case, "general", "First text")
    url = reverse(
        "messaging:edit",
        kwargs={"case_id": case.pk, "key": "general", "message_id": message.pk},
    )
    client_for("psirt").post(url, {"body": "Second text", "version": 1})
    message.refresh_from_db()
    assert message.body == "Second text" and message.version == 2
    assert list(MessageVersion.objects.values_list("body", flat=True)) == [
        "First text",
        "Second text",
    ]
    history = reverse(
        "messaging:history",
        kwargs={"case_id": case.pk, "key": "general", "message_id": message.pk},
    )
    html = client_for("other_vendor").get(history).content.decode()
    assert "First text" in html and "Second text" in html


def test_only_the_author_edits(world, client_for):
    case = two_vendor_case(world)
    message = post(world, "psirt", case, "general", "Mine")
    url = reverse(
        "messaging:edit",
        kwargs={"case_id": case.pk, "key": "general", "message_id": message.pk},
    )
    response = client_for("coordinator").post(url, {"body": "Changed", "version": 1}, follow=True)
    assert b"Only the author" in response.content
    message.refresh_from_db()
    assert message.body == "Mine" and MessageVersion.objects.count() == 1


def test_stale_edit_is_refused(world):
    from kakehashi.core.workflow import ConcurrentChange

    case = two_vendor_case(world)
    message = post(world, "psirt", case, "general", "One")
    actions.edit_message(message, actor=world.user("psirt"), body="Two", version=1)
    with pytest.raises(ConcurrentChange):
        actions.edit_message(message, actor=world.user("psirt"), body="Three", version=1)
    assert Message.objects.get().body == "Two"


def test_edit_of_a_message_in_an_unreadable_thread_is_not_found(world, client_for):
    case = two_vendor_case(world)
    message = post(world, "other_vendor", case, vendor_key(case, "vendor-b"), "B only")
    url = reverse(
        "messaging:edit",
        kwargs={"case_id": case.pk, "key": vendor_key(case, "vendor-a"), "message_id": message.pk},
    )
    assert client_for("psirt").post(url, {"body": "x", "version": 1}).status_code == 404


# --- Attachments ----------------------------------------------------------------------------


def test_attachment_is_downloaded_never_rendered_inline(world, client_for):
    case = two_vendor_case(world)
    upload = SimpleUploadedFile("poc<script>.html", b"<html><script>alert(1)</script></html>")
    message = post(world, "psirt", case, "general", "PoC attached", uploads=[upload])
    attachment = message.attachments.get()
    url = reverse(
        "messaging:attachment",
        kwargs={"case_id": case.pk, "key": "general", "attachment_id": attachment.pk},
    )
    response = client_for("coordinator").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"<html>")


def test_attachment_of_another_thread_is_not_found(world, client_for):
    case = two_vendor_case(world)
    upload = SimpleUploadedFile("b.txt", b"vendor B only")
    message = post(world, "other_vendor", case, vendor_key(case, "vendor-b"), "B", uploads=[upload])
    attachment = message.attachments.get()
    for key in ("general", vendor_key(case, "vendor-a")):
        url = reverse(
            "messaging:attachment",
            kwargs={"case_id": case.pk, "key": key, "attachment_id": attachment.pk},
        )
        assert client_for("psirt").get(url).status_code == 404


def test_oversized_attachment_is_refused_and_nothing_is_stored(world, client_for, settings):
    settings.KAKEHASHI_ATTACHMENT_MAX_BYTES = 1_000_000
    case = two_vendor_case(world)
    big = SimpleUploadedFile("big.bin", b"x" * 1_000_001)
    response = client_for("psirt").post(
        _post_url(case, "general"), {"body": "Big", "attachments": [big]}, follow=True
    )
    assert b"larger than 1 MB" in response.content
    assert not Message.objects.exists()


def test_too_many_and_empty_attachments_are_refused(world, settings):
    settings.KAKEHASHI_ATTACHMENT_MAX_FILES = 1
    case = two_vendor_case(world)
    files = [SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")]
    with pytest.raises(InvalidInput, match="At most 1 files"):
        post(world, "psirt", case, "general", "Two", uploads=files)
    with pytest.raises(InvalidInput, match="empty"):
        post(world, "psirt", case, "general", "Empty", uploads=[SimpleUploadedFile("e.txt", b"")])
    assert not Message.objects.exists()


# --- Read state -------------------------------------------------------------------------------


def test_read_state_survives_pagination_with_a_fixed_query_count(
    world, client_for, django_assert_max_num_queries
):
    from kakehashi.messaging import views

    case = two_vendor_case(world)
    for number in range(views.PAGE_SIZE + 10):
        post(world, "coordinator", case, "general", f"Message {number}")
    client = client_for("psirt")
    # First visit: everything unread, opened on page 1.
    first = client.get(_thread_url(case, "general")).content.decode()
    assert first.count('badge">new') == views.PAGE_SIZE
    marker = ReadMarker.objects.get(user=world.user("psirt"))
    first_page_last = Message.objects.order_by("id")[views.PAGE_SIZE - 1].pk
    assert marker.last_read_id == first_page_last
    # Second visit opens where the reader stopped: page 2, ten new messages.
    second = client.get(_thread_url(case, "general")).content.decode()
    assert "Page 2 of 2" in second and second.count('badge">new') == 10
    # Going back to page 1 does not move the marker back.
    client.get(_thread_url(case, "general") + "?page=1")
    marker.refresh_from_db()
    assert marker.last_read_id == Message.objects.order_by("-id").first().pk
    # The query count does not grow with the number of messages or attachments.
    with django_assert_max_num_queries(28):
        client.get(_thread_url(case, "general") + "?page=1")


def test_unread_marker_in_the_thread_list(world, client_for):
    case = two_vendor_case(world)
    post(world, "coordinator", case, "general", "New")
    url = reverse("messaging:case_threads", kwargs={"case_id": case.pk})
    client = client_for("psirt")
    assert 'class="unread"' in client.get(url).content.decode()
    client.get(_thread_url(case, "general"))
    assert 'class="unread"' not in client.get(url).content.decode()


def test_access_thread_is_the_one_gate(world):
    from django.http import Http404

    case = two_vendor_case(world)
    with pytest.raises(Http404):
        access_thread(world.user("other_vendor"), case.pk, vendor_key(case, "vendor-a"))
    viewer, ref = access_thread(world.user("psirt"), case.pk, vendor_key(case, "vendor-a"))
    assert viewer.side == "vendor" and ref.thread is None


def test_vendor_portal_case_page_links_to_the_messages(world, client_for):
    case = two_vendor_case(world)
    page = client_for("psirt").get(reverse("portal:case", kwargs={"case_id": case.pk}))
    assert page.status_code == 200
    assert reverse("messaging:case_threads", kwargs={"case_id": case.pk}) in page.content.decode()


def test_topic_about_a_vulnerability_of_the_case(world, client_for):
    from kakehashi.cases import actions as case_actions

    case = two_vendor_case(world)
    coordinator = world.user("coordinator")
    vulnerability = case_actions.add_vulnerability(case, actor=coordinator, title_en="XSS")
    url = reverse("messaging:open_topic", kwargs={"case_id": case.pk})
    data = {"title": "Fix review", "audience": "vendors", "vulnerability": vulnerability.pk}
    client_for("coordinator").post(url, data)
    topic = Thread.objects.get()
    assert topic.vulnerability == vulnerability
    listing = reverse("messaging:case_threads", kwargs={"case_id": case.pk})
    assert "XSS" in client_for("psirt").get(listing).content.decode()


def test_topic_about_another_cases_vulnerability_is_refused(world, client_for):
    from kakehashi.cases import actions as case_actions

    case = two_vendor_case(world)
    coordinator = world.user("coordinator")
    other = case_actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_en="Another case",
    )
    foreign = case_actions.add_vulnerability(other, actor=coordinator, title_en="Other flaw")
    url = reverse("messaging:open_topic", kwargs={"case_id": case.pk})
    data = {"title": "Wrong", "audience": "vendors", "vulnerability": foreign.pk}
    response = client_for("coordinator").post(url, data, follow=True)
    assert b"Nothing was changed" in response.content
    assert not Thread.objects.exists()
    viewer = case_viewer(coordinator, case.pk)
    with pytest.raises(InvalidInput, match="not one of this case"):
        actions.open_topic(viewer, title="Wrong", audience="vendors", vulnerability=foreign)


# --- Mentions, more ---------------------------------------------------------------------------


def test_mention_at_the_end_of_a_sentence_and_in_any_case(world):
    case = two_vendor_case(world)
    post(world, "coordinator", case, "general", "Thanks, @psirt. And @VendorAdmin, too!")
    kinds = dict(Notification.objects.values_list("user__username", "kind"))
    assert kinds["psirt"] == "mention" and kinds["vendoradmin"] == "mention"
    assert kinds["other_vendor"] == "message"


def test_an_e_mail_address_is_not_a_mention(world):
    case = two_vendor_case(world)
    post(world, "coordinator", case, "general", "Write to security@psirt or me@other_vendor")
    assert not Notification.objects.filter(kind="mention").exists()


def test_finder_is_mentioned_only_where_it_may_read(world, every_thread):
    case, keys = every_thread
    Notification.objects.all().delete()
    post(world, "coordinator", case, keys["topic-vendors-finder"], "@finder can you retest?")
    post(world, "coordinator", case, keys["topic-vendors"], "Ask @finder later")
    post(world, "coordinator", case, "general", "@finder hello")
    finder = Notification.objects.filter(user=world.user("finder"))
    assert [(n.kind, n.thread.key) for n in finder] == [("mention", keys["topic-vendors-finder"])]


# --- Edits, more ------------------------------------------------------------------------------


def test_unchanged_edit_and_edit_of_a_closed_case_are_refused(world):
    from kakehashi.cases.models import Case
    from kakehashi.cases.workflow import Phase

    case = two_vendor_case(world)
    message = post(world, "psirt", case, "general", "Text")
    with pytest.raises(InvalidInput, match="unchanged"):
        actions.edit_message(message, actor=world.user("psirt"), body=" Text ", version=1)
    Case.objects.filter(pk=case.pk).update(phase=Phase.CLOSED)
    message.refresh_from_db()
    with pytest.raises(GuardFailed, match="closed"):
        actions.edit_message(message, actor=world.user("psirt"), body="Later", version=1)
    assert MessageVersion.objects.count() == 1 and Message.objects.get().body == "Text"


def test_each_edit_is_audited_without_the_text(world):
    case = two_vendor_case(world)
    message = post(world, "psirt", case, "general", "Original secret")
    actions.edit_message(message, actor=world.user("psirt"), body="Changed secret", version=1)
    event = AuditEvent.objects.get(action="messaging.edit")
    assert event.data == {"version": 2} and "secret" not in event.summary


def test_history_lists_every_version_newest_first(world, client_for):
    case = two_vendor_case(world)
    message = post(world, "psirt", case, "general", "v-one")
    for number, text in ((1, "v-two"), (2, "v-three")):
        actions.edit_message(message, actor=world.user("psirt"), body=text, version=number)
        message.refresh_from_db()
    url = reverse("messaging:history", args=[case.pk, "general", message.pk])
    html = client_for("coordinator").get(url).content.decode()
    assert html.index("v-three") < html.index("v-two") < html.index("v-one")
    thread = client_for("coordinator").get(_thread_url(case, "general")).content.decode()
    assert "edited (version 3)" in thread and "v-one" not in thread


# --- Read state, more -------------------------------------------------------------------------


def test_unread_state_is_per_user_and_new_messages_reopen_where_the_reader_stopped(
    world, client_for
):
    from kakehashi.messaging import views

    case = two_vendor_case(world)
    for number in range(views.PAGE_SIZE * 2):
        post(world, "coordinator", case, "general", f"Old {number}")
    psirt = client_for("psirt")
    psirt.get(_thread_url(case, "general") + "?page=last")  # jumps to the end
    newest = post(world, "coordinator", case, "general", "Brand new")
    page = psirt.get(_thread_url(case, "general")).content.decode()
    assert "Page 3 of 3" in page and page.count('badge">new') == 1 and "Brand new" in page
    # The other member of vendor A has read nothing: page 1, all new.
    other = client_for("vendoradmin").get(_thread_url(case, "general")).content.decode()
    assert "Page 1 of 3" in other and other.count('badge">new') == views.PAGE_SIZE
    assert ReadMarker.objects.get(user=world.user("psirt")).last_read_id == newest.pk
