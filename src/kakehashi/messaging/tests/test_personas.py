"""Every persona against every kind of thread through the web pages: the thread list,
reading, posting and the message history. Whoever reads a thread may write in it;
anyone else gets 404, exactly as for a thread that does not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kakehashi.messaging.models import Message

from .scenario import NOBODY_IN_THE_CASE, PERSONAS, READERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_and_writes_exactly_its_threads(client_for, every_thread, persona):
    case, keys = every_thread
    client = client_for(persona)
    listing = client.get(reverse("messaging:case_threads", args=[case.pk]))
    if persona in NOBODY_IN_THE_CASE:
        assert listing.status_code == 404
    else:
        assert listing.status_code == 200
        page = listing.content.decode()
    for name, key in keys.items():
        allowed = persona in READERS[name]
        thread = client.get(reverse("messaging:thread", args=[case.pk, key]))
        sent = client.post(reverse("messaging:post", args=[case.pk, key]), {"body": "Hi"})
        opening = Message.objects.get(thread__case=case, body=f"Opening {key}")
        history = client.get(reverse("messaging:history", args=[case.pk, key, opening.pk]))
        if allowed:
            assert thread.status_code == history.status_code == 200, (persona, name)
            assert f"Opening {key}" in thread.content.decode()
            assert sent.status_code == 302, (persona, name)
            assert f'/{key}/"' in page
        else:
            assert thread.status_code == sent.status_code == history.status_code == 404
            if persona not in NOBODY_IN_THE_CASE:
                assert f'/{key}/"' not in page, (persona, name)
    written = Message.objects.filter(body="Hi").select_related("thread")
    assert {m.thread.key for m in written} == {
        key for name, key in keys.items() if persona in READERS[name]
    }


def test_anonymous_is_sent_to_log_in_for_every_thread(client_for, every_thread):
    case, keys = every_thread
    client = client_for("anonymous")
    for key in keys.values():
        assert client.get(reverse("messaging:thread", args=[case.pk, key])).status_code == 302
        response = client.post(reverse("messaging:post", args=[case.pk, key]), {"body": "x"})
        assert response.status_code == 302
    assert not Message.objects.filter(body="x").exists()


def test_finder_removed_from_the_case_loses_its_topics(world, client_for, every_thread):
    from kakehashi.cases import actions as case_actions
    from kakehashi.cases.models import Participant

    case, keys = every_thread
    url = reverse("messaging:thread", args=[case.pk, keys["topic-vendors-finder"]])
    assert client_for("finder").get(url).status_code == 200
    finder = Participant.objects.get(case=case, role="finder")
    case_actions.remove_participant(case, finder, actor=world.user("coordinator"), note="Left")
    assert client_for("finder").get(url).status_code == 404
