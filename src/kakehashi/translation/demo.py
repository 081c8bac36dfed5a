"""Demo translations for ``make run`` (idempotent): on the embargoed Helix case, a
Japanese message to all participants translated into English and reviewed (the
English-speaking vendors read it in the thread, the original one click away), and a
second message whose translation the translator persona has started. The glossary
comes from migration 0002; the translator persona from ``core.demo``."""

from __future__ import annotations

from kakehashi.accounts.models import User
from kakehashi.cases.models import Case

from . import actions
from .models import TranslationTask

CASE_TITLE = "Stack overflow in the Helix XML parser shipped by several vendors"
REVIEWED_MESSAGE = (
    "各製品開発者の皆様へ。本脆弱性の公表日は調整中です。"
    "回避策がある場合は、このスレッドでお知らせください。"
)
REVIEWED_TRANSLATION = [
    "To every vendor.",
    "The publication date of this vulnerability is being coordinated.",
    "If you know a workaround, please tell us in this thread.",
]
STARTED_MESSAGE = "修正版の提供予定日を教えてください。起算日から 45 日後が公表の目安です。"


def load_demo_translations() -> None:
    case = Case.objects.filter(title_en=CASE_TITLE).first()
    if case is None or TranslationTask.objects.filter(case=case).exists():
        return
    from kakehashi.messaging import actions as messaging_actions
    from kakehashi.messaging.access import access_thread

    coordinator = User.objects.get(username="coordinator")
    translator = User.objects.get(username="translator")
    _viewer, ref = access_thread(coordinator, case.pk, "general")
    first = messaging_actions.post_message(ref, actor=coordinator, body=REVIEWED_MESSAGE)
    _viewer, ref = access_thread(coordinator, case.pk, "general")
    second = messaging_actions.post_message(ref, actor=coordinator, body=STARTED_MESSAGE)

    task = actions.request_translation(
        coordinator,
        case,
        kind="message",
        source_id=first.pk,
        target_language="en",
        assignee=translator,
    )
    task = actions.start_task(task, translator)
    task = actions.save_translation(task, translator, REVIEWED_TRANSLATION, version=task.version)
    task = actions.submit_task(task, translator, version=task.version)
    actions.review_task(task, coordinator, note="Reviewed for the demo.", version=task.version)

    started = actions.request_translation(
        coordinator,
        case,
        kind="message",
        source_id=second.pk,
        target_language="en",
        assignee=translator,
    )
    started = actions.start_task(started, translator)
    actions.save_translation(
        started,
        translator,
        ["Please tell us when the fixed version will be available.", ""],
        version=started.version,
    )
