"""The Atom feed is served from the cache until the next publication clears it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation

from kakehashi.advisories import actions

from .conftest import MARKER_EN, approve_both

pytestmark = pytest.mark.django_db


def _feed_url() -> str:
    with translation.override("en"):
        return reverse("feeds:advisories")


def test_the_feed_is_cached_and_publication_clears_it(
    advisory, coordinator, client, django_assert_num_queries
):
    first = client.get(_feed_url())
    assert MARKER_EN not in first.content.decode()
    with django_assert_num_queries(0):  # served from the cache
        again = client.get(_feed_url())
    assert again.content == first.content
    assert again["Content-Type"] == "application/atom+xml; charset=utf-8"
    approve_both(advisory, coordinator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    after = client.get(_feed_url()).content.decode()
    assert MARKER_EN in after and advisory.advisory_id in after


def test_each_language_has_its_own_cached_feed(advisory, coordinator, client):
    approve_both(advisory, coordinator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    english = client.get(_feed_url()).content.decode()
    with translation.override("ja"):
        japanese = client.get(reverse("feeds:advisories")).content.decode()
    assert 'xml:lang="en"' in english and 'xml:lang="ja"' in japanese


def test_an_advisory_page_is_served_from_the_cache_without_a_query(
    advisory, coordinator, client, django_assert_num_queries
):
    approve_both(advisory, coordinator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    with translation.override("en"):
        url = reverse("advisories:page", kwargs={"slug": advisory.slug})
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.withdraw(advisory, actor=coordinator, reason_ja="", reason_en="Duplicate.")
    assert "Duplicate." in client.get(url).content.decode()  # withdrawal cleared the cache
