"""Showing translations where their sources are shown, and the case page's panel.

``translations_for`` is called by a page that has already opened the sources through
their own access layer (a thread through ``messaging.access``, the vendor portal's
case through ``cases.access``); it only adds the finished translations into the
viewer's language of those same sources, in one or two queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from kakehashi.core.markdown import render_markdown

from ..access import manages_translations, may_translate_in, visible_tasks
from ..choices import SHOWN_STATUSES, TaskStatus
from ..models import TranslationTask
from ..sources import current_digests

register = template.Library()


@register.simple_tag
def translations_for(
    kind: str, case: Any, objects: Iterable[Any] | None = None
) -> dict[int, TranslationTask]:
    """source id → the translation of that source of ``case`` into the active
    language, reviewed ones first, then the newest; each marked ``stale`` when the
    source has changed since. ``objects`` (rows with ``pk``) limits the sources."""
    language = (get_language() or "ja")[:2]
    tasks = TranslationTask.objects.filter(
        case=case, source_kind=kind, target_language=language, status__in=SHOWN_STATUSES
    )
    if objects is not None:
        ids = [o.pk for o in objects]
        if not ids:
            return {}
        tasks = tasks.filter(source_id__in=ids)
    chosen: dict[int, TranslationTask] = {}
    for task in tasks.order_by("-pk"):
        held = chosen.get(task.source_id)
        if held is None or (
            task.status == TaskStatus.REVIEWED and held.status != TaskStatus.REVIEWED
        ):
            chosen[task.source_id] = task
    if chosen:
        digests = current_digests(case, kind, list(chosen.values()))
        for source_id, task in chosen.items():
            task.stale = digests.get(source_id) != task.source_sha256  # type: ignore[attr-defined]
    return chosen


@register.filter
def translation_for(translations: dict[int, TranslationTask] | None, source_id: Any) -> Any:
    if not translations:
        return None
    return translations.get(source_id)


@register.filter
def translated_markdown(text: str) -> SafeString:
    """A translation or an original, through the sanitiser (never raw HTML)."""
    return render_markdown(text or "")


@register.inclusion_tag("translation/_case_panel.html", takes_context=True)
def case_translation_panel(context: template.Context) -> dict[str, Any]:
    """The desk case page's panel: the case's tasks this user may see."""
    case = context["case"]
    user = context["request"].user
    shown = manages_translations(user, case) or may_translate_in(user, case)
    tasks = (
        list(visible_tasks(user).filter(case=case).select_related("assignee").order_by("-pk")[:20])
        if shown
        else []
    )
    return {
        "case": case,
        "tasks": tasks,
        "shown": shown,
        "manager": manages_translations(user, case),
    }
