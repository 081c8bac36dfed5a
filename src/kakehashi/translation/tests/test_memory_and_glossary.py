"""Translation memory suggestions (identical, similar, never across an unreadable
case) and glossary highlighting (escaped: no markup from a term or a source)."""

from __future__ import annotations

import pytest

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import Membership, Organisation
from kakehashi.translation import actions, memory
from kakehashi.translation.glossary import Glossary, load_glossary
from kakehashi.translation.models import GlossaryTerm, MemoryEntry

from .conftest import translate_all

pytestmark = pytest.mark.django_db

REVIEWED = ["There is a vulnerability in the login screen.", "Disable the admin screen.", "Fix."]


def _reviewed(task, world):
    task = translate_all(task, world.user("translator"), REVIEWED)
    return actions.review_task(task, world.user("coordinator"), version=task.version)


def test_identical_sentences_come_first(task, world):
    _reviewed(task, world)
    found = memory.suggestions(
        world.user("translator"),
        "ja",
        "en",
        ["ログイン画面に脆弱性があります。", "全く関係のない文です。"],
    )
    assert found[0][0].identical
    assert found[0][0].target == REVIEWED[0]
    assert found[1] == []


def test_similar_sentences_are_suggested_with_their_score(task, world):
    _reviewed(task, world)
    [[suggestion]] = memory.suggestions(
        world.user("translator"), "ja", "en", ["ログイン画面に重大な脆弱性があります。"]
    )
    assert not suggestion.identical
    assert 0.6 <= suggestion.score < 1
    assert suggestion.target == REVIEWED[0]


def test_identical_ignores_width_and_spacing(task, world):
    _reviewed(task, world)
    [[suggestion]] = memory.suggestions(
        world.user("translator"), "ja", "en", ["  ログイン画面に脆弱性があります。 "]
    )
    assert suggestion.identical


def test_only_reviewed_tasks_feed_the_memory(task, world):
    translate_all(task, world.user("translator"), REVIEWED)
    assert not MemoryEntry.objects.exists()
    assert memory.suggestions(
        world.user("translator"), "ja", "en", ["ログイン画面に脆弱性があります。"]
    ) == [[]]


def test_no_suggestion_leaks_from_a_case_the_user_cannot_read(task, world):
    """A translator of another coordinator organisation gets nothing from this case's
    memory, nor does a vendor or the finder."""
    _reviewed(task, world)
    from kakehashi.accounts.models import User

    other_org = Organisation.objects.create(
        slug="other-cc", kind=OrganisationKind.COORDINATOR, name_en="Other CC", mfa_required=False
    )
    stranger = User.objects.create_user(username="stranger", email="s@example.test")
    Membership.objects.create(user=stranger, organisation=other_org, role=Role.TRANSLATOR)
    sentence = ["ログイン画面に脆弱性があります。"]
    for user in (stranger, world.user("psirt"), world.user("finder"), world.user("committee")):
        assert memory.suggestions(user, "ja", "en", sentence) == [[]]
    assert memory.suggestions(world.user("translator"), "ja", "en", sentence)[0]


def test_the_language_pair_must_match(task, world):
    _reviewed(task, world)
    assert memory.suggestions(
        world.user("translator"), "en", "ja", ["ログイン画面に脆弱性があります。"]
    ) == [[]]


def test_seeded_glossary_terms_are_marked_with_their_translation():
    glossary = load_glossary("ja")
    html = str(glossary.highlight("製品開発者は脆弱性の回避策を公表します。"))
    assert '<mark class="term" title="product developer / vendor">製品開発者</mark>' in html
    assert '<mark class="term" title="vulnerability">脆弱性</mark>' in html
    assert '<mark class="term" title="workaround">回避策</mark>' in html
    hits = [h.source for h in glossary.hits("製品開発者は脆弱性の回避策を公表します。")]
    assert hits == ["製品開発者", "脆弱性", "回避策", "公表"]


def test_longer_terms_win_and_english_matches_whole_words_ignoring_case():
    glossary = Glossary(
        [
            GlossaryTerm(term_ja="公表", term_en="publication"),
            GlossaryTerm(term_ja="公表日", term_en="publication date"),
        ],
        "en",
    )
    assert [h.source for h in glossary.hits("The Publication Date is set.")] == ["publication date"]
    assert glossary.hits("republications") == []
    ja = Glossary(
        [GlossaryTerm(term_ja="公表", term_en="p"), GlossaryTerm(term_ja="公表日", term_en="pd")],
        "ja",
    )
    assert [h.source for h in ja.hits("公表日と公表")] == ["公表日", "公表"]


def test_highlighting_escapes_the_source_and_the_terms():
    glossary = Glossary(
        [GlossaryTerm(term_ja="<b>罠</b>", term_en='"><script>alert(1)</script>')], "ja"
    )
    html = str(glossary.highlight("<img src=x onerror=alert(1)> と <b>罠</b> です。"))
    assert "<img" not in html and "<script>" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert '<mark class="term"' in html


def test_an_empty_glossary_only_escapes():
    assert str(Glossary([], "ja").highlight("<i>x</i>")) == "&lt;i&gt;x&lt;/i&gt;"
