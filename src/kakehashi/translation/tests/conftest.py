"""A desk case (vendor A in it) with a Japanese vulnerability description and a
Japanese message in the general thread, as the coordinator persona set them up."""

from __future__ import annotations

import pytest
from django.utils import translation

JA_DESCRIPTION = (
    "ログイン画面に脆弱性があります。回避策として管理画面を無効にしてください。\n\n"
    "製品開発者は修正版を公表日までに提供します。"
)
JA_MESSAGE = "起算日は本日です。公表日を調整してください。"


@pytest.fixture(autouse=True)
def _english():
    """Refusal messages are matched in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def case(world):
    from kakehashi.cases.models import Case
    from kakehashi.core.tests.test_access_generated import _desk_case

    return Case.objects.get(pk=_desk_case(world)["case_id"])


@pytest.fixture
def vulnerability(case, world):
    from kakehashi.cases import actions

    return actions.add_vulnerability(
        case,
        actor=world.user("coordinator"),
        title_ja="ログイン画面の脆弱性",
        description_ja=JA_DESCRIPTION,
    )


@pytest.fixture
def message(case, world):
    from kakehashi.messaging import actions
    from kakehashi.messaging.access import access_thread

    coordinator = world.user("coordinator")
    _viewer, ref = access_thread(coordinator, case.pk, "general")
    return actions.post_message(ref, actor=coordinator, body=JA_MESSAGE)


@pytest.fixture
def task(case, vulnerability, world):
    """The vulnerability's description, requested into English for the translator."""
    from kakehashi.translation import actions

    return actions.request_translation(
        world.user("coordinator"),
        case,
        kind="vulnerability",
        source_id=vulnerability.pk,
        target_language="en",
        assignee=world.user("translator"),
    )


def translate_all(task, translator, sentences=None):
    """Start, fill every sentence and submit, as the translator would."""
    from kakehashi.translation import actions

    task = actions.start_task(task, translator)
    sentences = sentences or [f"Sentence {i + 1}." for i in range(len(task.segments))]
    task = actions.save_translation(task, translator, sentences, version=task.version)
    return actions.submit_task(task, translator, version=task.version)
