"""A reviewed translation fills the advisory's other language: the draft's description
of a vulnerability described in Japanese only, and a vendor's statement given in one
language only. Unreviewed or stale translations never reach an advisory."""

from __future__ import annotations

import pytest

from kakehashi.advisories.content import draft_texts
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Vulnerability
from kakehashi.translation import actions
from kakehashi.translation.sources import reviewed_translations

from .conftest import translate_all

pytestmark = pytest.mark.django_db

ENGLISH = [
    "There is a flaw in the login page.",
    "Disable the admin page as a workaround.",
    "The vendor provides a fix by the publication date.",
]


def _translated(task, world, *, review: bool = True):
    task = translate_all(task, world.user("translator"), ENGLISH[: len(task.segments)])
    if review:
        task = actions.review_task(task, world.user("coordinator"), version=task.version)
    return task


def test_the_draft_describes_the_vulnerability_in_its_reviewed_english(task, world, case):
    _translated(task, world)
    english = draft_texts(case)["en"]["description"]
    assert "There is a flaw in the login page." in english
    assert "ログイン画面" not in english.split("**", 2)[-1]  # the title may stay Japanese
    assert "ログイン画面に脆弱性があります" in draft_texts(case)["ja"]["description"]


def test_a_translation_not_yet_reviewed_is_not_used(task, world, case):
    _translated(task, world, review=False)
    english = draft_texts(case)["en"]["description"]
    assert "There is a flaw" not in english
    assert "ログイン画面に脆弱性があります" in english  # the original, for the coordinator


def test_a_translation_of_an_older_text_is_not_used(task, world, case, vulnerability):
    _translated(task, world)
    case_actions.update_vulnerability(
        Vulnerability.objects.get(pk=vulnerability.pk),
        actor=world.user("coordinator"),
        description_ja="説明を書き直しました。",
    )
    assert reviewed_translations(case, "vulnerability", "en") == {}
    assert "There is a flaw" not in draft_texts(case)["en"]["description"]


def test_an_english_description_of_its_own_wins_over_a_translation(
    task, world, case, vulnerability
):
    _translated(task, world)
    Vulnerability.objects.filter(pk=vulnerability.pk).update(
        description_en="Written in English by the coordinator."
    )
    english = draft_texts(case)["en"]["description"]
    assert "Written in English by the coordinator." in english
    assert "There is a flaw" not in english


def test_a_vendor_statement_in_japanese_only_is_published_with_its_reviewed_english(
    case, vulnerability, world
):
    from kakehashi.advisories.actions import start_advisory
    from kakehashi.advisories.content import revision_content

    coordinator = world.user("coordinator")
    vendor = case.participants.vendors().get()
    status = case_actions.record_vendor_status(
        case,
        vendor,
        vulnerability,
        actor=coordinator,
        status="fixed",
        statement_ja="修正版を公開しました。",
        fixed_in="2.0",
    )
    case_actions.approve_vendor_status(case, status, actor=coordinator, expected_version=1)
    task = actions.request_translation(
        coordinator, case, kind="vendor_statement", source_id=status.pk, target_language="en"
    )
    task = actions.assign_task(task, coordinator, world.user("translator"), version=task.version)
    task = translate_all(task, world.user("translator"), ["We released the fixed version."])
    actions.review_task(task, coordinator, version=task.version)

    advisory = start_advisory(case, actor=coordinator)
    content = revision_content(advisory, {t.language: t for t in advisory.texts.all()}, [])
    (row,) = [r for r in content["vendors"] if r["statuses"]]
    assert row["statuses"][0]["statement_ja"] == "修正版を公開しました。"
    assert row["statuses"][0]["statement_en"] == "We released the fixed version."
