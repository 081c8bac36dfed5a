"""The public advisory search: Japanese and English, every word must occur, through the
trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL), with the filters kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.utils import timezone

from kakehashi.advisories import actions
from kakehashi.advisories.models import AdvisoryRevision
from kakehashi.advisories.search import matching, query_words

from .conftest import approve_both

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(advisory, coordinator):
    for language, impact in (
        ("ja", "遠隔の第三者に認証を回避され、管理画面を操作される可能性があります。"),
        ("en", "A remote attacker may bypass authentication."),
    ):
        text = advisory.text(language)
        actions.edit_text(
            advisory, language, actor=coordinator, expected_version=text.version, impact=impact
        )
    approve_both(advisory, coordinator)
    actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    return advisory


def _found(query: str, **filters: str) -> bool:
    body = Client().get("/en/advisories/", {"q": query, **filters}).content.decode()
    return "/advisories/JVN" in body


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("認証", True),  # a two-character Japanese word: below the trigram length
        ("管理画面", True),
        ("格納型クロスサイト", True),
        ("ｸﾛｽｻｲﾄ", True),  # half-width katakana folds to full-width
        ("BYPASS Authentication", True),  # case-folded, words in any order
        ("bypass 認証", True),  # both languages in one query
        ("bypass 改ざん", False),  # every word must occur
        ("example cms 3.2.0", True),
        ("CVE-2099-0001", False),
        ('"bypass" OR x', False),  # FTS5 syntax stays inert: quotes are text
        ("zzz", False),
    ],
)
def test_every_word_must_occur_in_either_language(published, query, found):
    assert _found(query) is found


def test_filters_combine_with_the_words(published):
    assert _found("認証", severity="Medium", cwe="CWE-79", kind="partnership")
    assert not _found("認証", severity="High")
    assert not _found("認証", kind="alert")
    assert _found("", vendor="Vendor A", product="Example CMS")
    assert not _found("", vendor="CMS Vendor A")  # the vendor is one phrase, not words


def test_the_index_finds_what_the_text_contains(published):
    current = AdvisoryRevision.objects.filter(advisory__current_revision=F("pk"))
    assert matching(current, query_words("管理画面 authentication")).count() == 1
    assert matching(current, query_words("管理画面 nothing-like-this")).count() == 0
    if connection.vendor == "sqlite":
        # The FTS5 table is kept by triggers: it holds exactly the revisions.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM advisories_advisoryrevision_fts "
                "WHERE advisories_advisoryrevision_fts MATCH '\"管理画面\"'"
            )
            assert cursor.fetchone()[0] == 1
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = "
                "'advisories_advisoryrevision_search_trgm'"
            )
            assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_query_words_are_folded_and_bounded():
    assert query_words("  ＥＸＡＭＰＬＥ  example Cms ") == ["example", "cms"]
    assert len(query_words(" ".join(f"w{i}" for i in range(20)))) == 8
