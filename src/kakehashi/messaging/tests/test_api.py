"""The messaging API through HTTP: threads with unread counts, paginated messages, posting
with the web form's rules, edits, marking read, topics and writing to all vendors — for
every persona, with 404 (not 403) for a thread the caller may not read."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from kakehashi.accounts import actions as account_actions
from kakehashi.core.testing import run_pending_jobs
from kakehashi.messaging import actions
from kakehashi.messaging.models import Message, MessageVersion, Notification, ReadMarker, Thread

from .scenario import NOBODY_IN_THE_CASE, PERSONAS, READERS, post, two_vendor_case, vendor_key

pytestmark = pytest.mark.django_db


def _secret(world, persona: str, scopes: tuple[str, ...] = ("read", "write")) -> str:
    _token, secret = account_actions.create_api_token(
        world.user(persona), name="test", scopes=list(scopes)
    )
    return secret


@pytest.fixture
def api(world):
    """``api(persona, method, path, body)`` with a fresh read+write token per call."""

    def call(persona: str, method: str, path: str, body: dict | None = None, secret=None):
        secret = secret or _secret(world, persona)
        return getattr(Client(), method)(
            f"/api/v1/messaging/{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        )

    return call


def _threads(case) -> str:
    return f"cases/{case.pk}/threads"


def _messages(case, key: str) -> str:
    return f"cases/{case.pk}/threads/{key}/messages"


# --- Who reads and writes what ---------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reads_and_writes_exactly_its_threads(world, api, every_thread, persona):
    case, keys = every_thread
    secret = _secret(world, persona)
    listed = api(persona, "get", _threads(case), secret=secret)
    expected = {keys[name] for name, readers in READERS.items() if persona in readers}
    if persona in NOBODY_IN_THE_CASE:
        assert listed.status_code == 404
    else:
        assert listed.status_code == 200
        assert {t["key"] for t in listed.json()} == expected
    for name, key in keys.items():
        read = api(persona, "get", _messages(case, key), secret=secret)
        written = api(persona, "post", _messages(case, key), {"body": "Hi"}, secret=secret)
        if persona in READERS[name]:
            assert read.status_code == 200, (persona, name)
            assert written.status_code == 201, (persona, name)
        else:
            # Not allowed looks exactly like not there: no existence leak.
            assert read.status_code == written.status_code == 404, (persona, name)
            assert read.json() == {"detail": "Not found."}
    mine = Message.objects.filter(author=world.user(persona), body="Hi").count()
    assert mine == len(expected)


def test_thread_of_another_case_or_missing_is_not_found(world, api, every_thread):
    case, _keys = every_thread
    for key in ("vendor-999999", "topic-999999", "nonsense", "vendor-x"):
        assert api("coordinator", "get", _messages(case, key)).status_code == 404
    assert api("coordinator", "get", "cases/999999/threads").status_code == 404


def test_anonymous_and_read_only_tokens(world, api, every_thread):
    case, _keys = every_thread
    response = Client().get(f"/api/v1/messaging/{_threads(case)}")
    assert response.status_code == 401
    read_only = _secret(world, "psirt", ("read",))
    assert api("psirt", "get", _threads(case), secret=read_only).status_code == 200
    refused = api("psirt", "post", _messages(case, "general"), {"body": "x"}, secret=read_only)
    assert refused.status_code == 403
    assert "write" in refused.json()["detail"]


# --- Threads and unread counts ---------------------------------------------------------


def test_thread_list_counts_unread_messages_per_thread(world, api):
    case = two_vendor_case(world)
    for n in range(3):
        post(world, "coordinator", case, "general", f"News {n}")
    post(world, "coordinator", case, vendor_key(case, "vendor-a"), "For A")
    listed = {t["key"]: t for t in api("psirt", "get", _threads(case)).json()}
    assert listed["general"]["unread"] == 3 and listed["general"]["message_count"] == 3
    assert listed[vendor_key(case, "vendor-a")]["unread"] == 1
    assert listed[vendor_key(case, "vendor-a")]["vendor"] == "Vendor A"
    # The coordination sees every vendor's private thread, even one without a message.
    desk = {t["key"]: t for t in api("coordinator", "get", _threads(case)).json()}
    assert desk[vendor_key(case, "vendor-b")]["message_count"] == 0
    assert desk["general"]["unread"] == 0  # its own messages


# --- Messages: pages, rendering, read state --------------------------------------------


def test_messages_are_paged_by_id_and_unread_survives_paging(world, api):
    case = two_vendor_case(world)
    ids = [post(world, "coordinator", case, "general", f"Message {n}").pk for n in range(5)]
    first = api("psirt", "get", _messages(case, "general") + "?limit=2").json()
    assert [m["id"] for m in first["items"]] == ids[:2]
    assert all(m["unread"] for m in first["items"])
    assert first["thread"]["unread"] == 5 and first["read_up_to"] == 0
    # Reading is not marking: the client says how far it read.
    assert not ReadMarker.objects.filter(user=world.user("psirt")).exists()
    marked = api("psirt", "post", f"cases/{case.pk}/threads/general/read", {"up_to": ids[1]})
    assert marked.json() == {"read_up_to": ids[1], "unread": 3}
    second = api("psirt", "get", _messages(case, "general") + f"?after={first['next_after']}")
    page = second.json()
    assert [m["id"] for m in page["items"]] == ids[2:] and page["next_after"] is None
    assert all(m["unread"] for m in page["items"])
    # Starting from the page again: the first two stay read.
    again = api("psirt", "get", _messages(case, "general") + "?limit=2").json()
    assert not any(m["unread"] for m in again["items"])
    # The marker never moves back, and cannot point past the thread's last message.
    back = api("psirt", "post", f"cases/{case.pk}/threads/general/read", {"up_to": ids[0]})
    assert back.json()["read_up_to"] == ids[1]
    ahead = api("psirt", "post", f"cases/{case.pk}/threads/general/read", {"up_to": 10**9})
    assert ahead.json() == {"read_up_to": ids[-1], "unread": 0}


def test_marking_read_reads_the_threads_notifications(world, api):
    case = two_vendor_case(world)
    message = post(world, "coordinator", case, vendor_key(case, "vendor-a"), "Hi @psirt")
    path = f"cases/{case.pk}/threads/{vendor_key(case, 'vendor-a')}/read"
    api("psirt", "post", path, {"up_to": message.pk})
    assert not Notification.objects.filter(user=world.user("psirt"), read_at__isnull=True).exists()


def test_message_carries_its_source_and_only_sanitised_html(world, api):
    case = two_vendor_case(world)
    body = (
        "**bold** <script>alert(1)</script> [x](javascript:alert(2)) "
        '<img src=x onerror=alert(3)> [d](data:text/html;base64,PHNjcmlwdD4=) <a href="/y">raw</a>'
    )
    post(world, "psirt", case, "general", body)
    (item,) = api("coordinator", "get", _messages(case, "general")).json()["items"]
    assert item["body"] == body
    html = item["body_html"]
    assert "<strong>bold</strong>" in html
    # Raw HTML stays text; links keep only safe schemes.
    assert "<script" not in html and "<img" not in html and '<a href="/y"' not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html and 'href="data' not in html
    assert item["author"]["username"] == "psirt"


def test_pages_cost_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = two_vendor_case(world)
    for n in range(30):
        upload = SimpleUploadedFile(f"f{n}.txt", b"data")
        post(world, "coordinator", case, "general", f"M{n}", uploads=[upload])
    secret = _secret(world, "psirt")
    with django_assert_max_num_queries(16):
        response = api("psirt", "get", _messages(case, "general") + "?limit=30", secret=secret)
    assert len(response.json()["items"]) == 30


# --- Posting and editing ---------------------------------------------------------------


def test_post_follows_the_web_forms_rules_and_notifies(world, api):
    case = two_vendor_case(world)
    key = vendor_key(case, "vendor-a")
    response = api("psirt", "post", _messages(case, key), {"body": "Fixed, thanks @coordinator."})
    assert response.status_code == 201
    created = response.json()
    assert created["unread"] is False and created["thread"] == key
    message = Message.objects.get(pk=created["id"])
    assert message.thread.kind == "vendor" and MessageVersion.objects.filter(message=message)
    kinds = dict(Notification.objects.values_list("user__username", "kind"))
    assert kinds["coordinator"] == "mention" and kinds["vendoradmin"] == "message"
    assert "other_vendor" not in kinds and "psirt" not in kinds


def test_bad_posts_are_refused_with_a_reason_and_change_nothing(world, api):
    case = two_vendor_case(world)
    other = post(world, "coordinator", case, vendor_key(case, "vendor-b"), "For B")
    path = _messages(case, "general")
    empty = api("psirt", "post", path, {"body": "   "})
    assert empty.status_code == 422 and empty.json()["code"] == "InvalidInput"
    assert empty.json()["detail"] == "Write a message."
    quoted = api("psirt", "post", path, {"body": "Re", "quoted_id": other.pk})
    assert quoted.status_code == 422 and "quoted" in quoted.json()["detail"]
    bad_file = api(
        "psirt",
        "post",
        path,
        {"body": "File", "attachments": [{"name": "a.txt", "content_base64": "%%%"}]},
    )
    assert bad_file.status_code == 422 and "base64" in bad_file.json()["detail"]
    unknown = api("psirt", "post", path, {"body": "x", "to": "everyone"})
    assert unknown.status_code == 422
    assert Message.objects.count() == 1


def test_post_with_an_attachment(world, api):
    case = two_vendor_case(world)
    content = base64.b64encode(b"PoC bytes").decode()
    response = api(
        "psirt",
        "post",
        _messages(case, "general"),
        {"body": "PoC", "attachments": [{"name": "poc.py", "content_base64": content}]},
    )
    assert response.status_code == 201
    (attachment,) = response.json()["attachments"]
    assert attachment["filename"] == "poc.py" and attachment["size"] == 9
    path = f"cases/{case.pk}/threads/general/attachments/{attachment['id']}"
    download = api("other_vendor", "get", path)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"PoC bytes"
    # Through another thread's key, or by a reader of nothing: not found.
    other_key = vendor_key(case, "vendor-a")
    assert api("psirt", "get", path.replace("general", other_key)).status_code == 404
    assert api("outsider", "get", path).status_code == 404


def test_closed_case_answers_409(world, api):
    from kakehashi.cases.models import Case
    from kakehashi.cases.workflow import Phase

    case = two_vendor_case(world)
    Case.objects.filter(pk=case.pk).update(phase=Phase.CLOSED)
    response = api("coordinator", "post", _messages(case, "general"), {"body": "Late"})
    assert response.status_code == 409 and response.json()["code"] == "GuardFailed"
    assert not Message.objects.exists()


def test_edit_keeps_history_and_refuses_stale_versions_and_other_authors(world, api):
    case = two_vendor_case(world)
    message = post(world, "psirt", case, "general", "First")
    path = f"{_messages(case, 'general')}/{message.pk}"
    edited = api("psirt", "patch", path, {"body": "Second", "version": 1})
    assert edited.status_code == 200
    assert edited.json()["version"] == 2 and edited.json()["edited_at"]
    stale = api("psirt", "patch", path, {"body": "Third", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "ConcurrentChange"
    foreign = api("coordinator", "patch", path, {"body": "Mine now", "version": 2})
    assert foreign.status_code == 409 and "author" in foreign.json()["detail"]
    hidden = f"{_messages(case, vendor_key(case, 'vendor-b'))}/{message.pk}"
    assert api("other_vendor", "patch", hidden, {"body": "x", "version": 2}).status_code == 404
    assert list(MessageVersion.objects.values_list("body", flat=True)) == ["First", "Second"]


# --- Topics and all vendors ------------------------------------------------------------


def test_only_coordinators_open_topics(world, api):
    case = two_vendor_case(world)
    path = f"cases/{case.pk}/topics"
    body = {"title": "Patch", "audience": "vendors", "finder_included": True}
    assert api("psirt", "post", path, body).status_code == 403
    assert api("finder", "post", path, body).status_code == 403
    assert api("outsider", "post", path, body).status_code == 404
    wrong = api("coordinator", "post", path, {**body, "vulnerability_id": 999999})
    assert wrong.status_code == 422
    assert api("coordinator", "post", path, {**body, "audience": "all"}).status_code == 422
    created = api("coordinator", "post", path, body)
    assert created.status_code == 201
    assert created.json()["audience"] == "vendors" and created.json()["finder_included"]
    assert Thread.objects.get().title == "Patch"


def test_post_to_all_vendors_returns_at_once_and_jobs_post_each_copy_once(
    world, api, django_capture_on_commit_callbacks
):
    case = two_vendor_case(world)
    path = f"cases/{case.pk}/all-vendors"
    assert api("psirt", "post", path, {"body": "Hi"}).status_code == 403
    assert api("coordinator", "post", path, {"body": " "}).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        response = api("coordinator", "post", path, {"body": "Please confirm the fix date."})
    assert response.status_code == 202 and response.json()["vendor_count"] == 2
    assert not Message.objects.exists()  # nothing is posted in the request
    run_pending_jobs()
    run_pending_jobs()
    copies = Message.objects.select_related("thread")
    assert sorted(m.thread.key for m in copies) == sorted(
        [vendor_key(case, "vendor-a"), vendor_key(case, "vendor-b")]
    )
    # Each vendor reads only its own copy, through its private thread.
    for persona, slug in (("psirt", "vendor-a"), ("other_vendor", "vendor-b")):
        listed = {t["key"]: t for t in api(persona, "get", _threads(case)).json()}
        assert listed[vendor_key(case, slug)]["unread"] == 1
    # A job run again posts nothing twice.
    broadcast_id = response.json()["id"]
    for participant_id in copies.values_list("thread__participant_id", flat=True):
        assert actions.deliver_broadcast(broadcast_id, participant_id) == "already posted"
    assert Message.objects.count() == 2


def test_openapi_document_lists_the_messaging_endpoints(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    base = "/api/v1/messaging/cases/{case_id}"
    assert f"{base}/threads" in paths
    assert set(paths[f"{base}/threads/{{key}}/messages"]) == {"get", "post"}
    assert "patch" in paths[f"{base}/threads/{{key}}/messages/{{message_id}}"]
    assert f"{base}/threads/{{key}}/read" in paths
    assert f"{base}/all-vendors" in paths
    responses = paths[f"{base}/threads/{{key}}/messages"]["post"]["responses"]
    assert {"201", "404", "409", "422"} <= set(responses)
