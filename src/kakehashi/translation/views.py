"""The translator's task list, the side-by-side editor, a case's translation page and
the glossary.

Every task is reached through ``access.access_task`` and every case through
``access.access_case_translations`` (both built on ``cases.access``); anything the
user may not see is a 404. POSTs go through ``core.perform``: one action, then a
redirect; a refusal shows the page again with what was typed still there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.core.perform import perform

from . import actions, memory, segments
from . import forms as translation_forms
from .access import (
    access_case_translations,
    access_task,
    manages_translations,
    may_translate_in,
    require_translation_staff,
    visible_tasks,
)
from .choices import MachineState, SourceKind, TaskStatus
from .engines import configured_engine
from .glossary import TermHit, load_glossary
from .models import GlossaryTerm, TranslationTask
from .sources import case_sources, current_digests, resolve

RECENT = 20
OPEN_LIMIT = 200


def _task_url(task: TranslationTask) -> str:
    return reverse("translation:task", kwargs={"task_id": task.pk})


# ---------------------------------------------------------------------------
# The translator's dashboard.


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    require_translation_staff(request.user)
    user: Any = request.user
    tasks = visible_tasks(user).select_related("case", "assignee", "translator")
    open_tasks = list(tasks.open().order_by("due_on", "pk")[:OPEN_LIMIT])
    mine = [t for t in open_tasks if t.assignee_id == user.pk and t.status != TaskStatus.DONE]
    queue = [t for t in open_tasks if t.assignee_id is None and t.status == TaskStatus.REQUESTED]
    review = [t for t in open_tasks if t.status == TaskStatus.DONE and t.translator_id != user.pk]
    shown = {t.pk for t in mine + queue + review}
    others = [t for t in open_tasks if t.pk not in shown]
    finished = list(
        tasks.filter(status__in=[TaskStatus.REVIEWED, TaskStatus.CANCELLED]).order_by("-pk")[
            :RECENT
        ]
    )
    return render(
        request,
        "translation/task_list.html",
        {"mine": mine, "queue": queue, "review": review, "others": others, "finished": finished},
    )


# ---------------------------------------------------------------------------
# The editor.


@dataclass
class Row:
    number: int
    source: str
    source_html: SafeString
    hits: list[TermHit]
    field: forms.BoundField | None
    translation: str
    suggestions: list[memory.Suggestion]


def _stale(task: TranslationTask) -> str:
    """Why the original no longer matches the snapshot, if it does not."""
    now = current_digests(task.case, task.source_kind, [task]).get(task.source_id)
    if now is None:
        return _("The original has been removed since the request.")
    if now != task.source_sha256:
        return _(
            "The original has changed since the request; this task translates the text "
            "as it was then."
        )
    return ""


def _task_page(
    request: HttpRequest,
    task: TranslationTask,
    bound: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    bound = bound or {}
    user: Any = request.user
    case = task.case
    source = segments.split(task.source_text)
    count = len(source.segments)
    editing = task.status == TaskStatus.IN_PROGRESS and task.assignee_id == user.pk
    manager = manages_translations(user, case)
    translator_here = may_translate_in(user, case) or manager
    assignable = actions.assignable_users(case)
    version = {"version": task.version}
    editor = bound.get("translation")
    if editor is None and editing:
        initial = {f"sentence_{i}": s for i, s in enumerate(task.segments)}
        editor = translation_forms.TranslationForm(initial={**version, **initial}, count=count)
    assert editor is None or isinstance(editor, translation_forms.TranslationForm)
    glossary = load_glossary(task.source_language)
    texts = [s.text for s in source.segments]
    suggested = (
        memory.suggestions(user, task.source_language, task.target_language, texts)
        if editing
        else [[] for _ in texts]
    )
    rows = [
        Row(
            number=i + 1,
            source=segment.text,
            source_html=glossary.highlight(segment.text),
            hits=glossary.hits(segment.text),
            field=editor.field_of(i) if editor is not None else None,
            translation=task.segments[i] if i < len(task.segments) else "",
            suggestions=suggested[i],
        )
        for i, segment in enumerate(source.segments)
    ]
    may = {
        "start": task.status == TaskStatus.REQUESTED
        and translator_here
        and task.assignee_id in (None, user.pk),
        "edit": editing,
        "review": task.status == TaskStatus.DONE
        and translator_here
        and task.translator_id != user.pk,
        "manage": manager and task.is_open,
        "cancel": manager and task.status in (TaskStatus.REQUESTED, TaskStatus.IN_PROGRESS),
        "claim": translator_here and task.assignee_id is None and task.is_open,
        "machine": editing and configured_engine() is not None,
    }
    page_forms = {
        "translation": editor,
        "event": translation_forms.VersionForm(initial=version, auto_id=False),
        "note": bound.get("note") or translation_forms.NoteForm(initial=version),
        "assign": bound.get("assign")
        or translation_forms.AssignForm(
            initial={**version, "assignee": task.assignee_id}, assignable=assignable
        ),
        "due": bound.get("due")
        or translation_forms.DueForm(initial={**version, "due_on": task.due_on}),
    }
    source_row = resolve(case, task.source_kind, task.source_id)
    return render(
        request,
        "translation/task.html",
        {
            "task": task,
            "case": case,
            "rows": rows,
            "may": may,
            "forms": page_forms,
            "stale": _stale(task),
            "source_url": source_row.url if source_row else "",
            "machine_queued": task.machine_state == MachineState.QUEUED,
        },
    )


@login_required
@require_GET
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_page(request, access_task(request.user, task_id))


def _event(
    request: HttpRequest, task_id: int, key: str, form: forms.Form, run: Any
) -> HttpResponse:
    task = access_task(request.user, task_id)
    return perform(
        request,
        form,
        lambda: run(task, form),
        success_url=_task_url(task),
        render_again=lambda bound: _task_page(request, task, {key: bound}),
    )


def _version(form: forms.Form) -> int:
    return int(form.cleaned_data["version"])


@login_required
@require_POST
def start(request: HttpRequest, task_id: int) -> HttpResponse:
    def run(task: TranslationTask, form: forms.Form) -> str:
        actions.start_task(task, request.user, version=_version(form))
        return _("You are now translating this text.")

    return _event(request, task_id, "event", translation_forms.VersionForm(request.POST), run)


@login_required
@require_POST
def save(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access_task(request.user, task_id)
    count = len(segments.split(task.source_text).segments)
    form = translation_forms.TranslationForm(request.POST, count=count)
    submit_after = "submit" in request.POST

    def run() -> str:
        # Saving and submitting commit together: a refused submission keeps nothing
        # half-done, and the page comes back with the text as typed.
        with transaction.atomic():
            saved = actions.save_translation(
                task, request.user, form.sentences(), version=_version(form)
            )
            if submit_after:
                actions.submit_task(saved, request.user, version=saved.version)
                return _("Submitted for review.")
        return _("Translation saved.")

    return perform(
        request,
        form,
        run,
        success_url=_task_url(task),
        render_again=lambda bound: _task_page(request, task, {"translation": bound}),
    )


@login_required
@require_POST
def review(request: HttpRequest, task_id: int) -> HttpResponse:
    def run(task: TranslationTask, form: forms.Form) -> str:
        actions.review_task(
            task, request.user, note=form.cleaned_data["note"], version=_version(form)
        )
        return _("Translation approved as reviewed.")

    return _event(request, task_id, "note", translation_forms.NoteForm(request.POST), run)


@login_required
@require_POST
def send_back(request: HttpRequest, task_id: int) -> HttpResponse:
    def run(task: TranslationTask, form: forms.Form) -> str:
        actions.return_task(
            task, request.user, note=form.cleaned_data["note"], version=_version(form)
        )
        return _("Returned to the translator.")

    return _event(request, task_id, "note", translation_forms.NoteForm(request.POST), run)


@login_required
@require_POST
def cancel(request: HttpRequest, task_id: int) -> HttpResponse:
    def run(task: TranslationTask, form: forms.Form) -> str:
        actions.cancel_task(task, request.user, version=_version(form))
        return _("Task cancelled.")

    return _event(request, task_id, "event", translation_forms.VersionForm(request.POST), run)


@login_required
@require_POST
def assign(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access_task(request.user, task_id)
    form = translation_forms.AssignForm(
        request.POST, assignable=actions.assignable_users(task.case)
    )

    def run() -> str:
        actions.assign_task(
            task, request.user, form.cleaned_data["assignee"], version=_version(form)
        )
        return _("Assignee saved.")

    return perform(
        request,
        form,
        run,
        success_url=_task_url(task),
        render_again=lambda bound: _task_page(request, task, {"assign": bound}),
    )


@login_required
@require_POST
def change_due(request: HttpRequest, task_id: int) -> HttpResponse:
    def run(task: TranslationTask, form: forms.Form) -> str:
        actions.change_due_date(
            task, request.user, form.cleaned_data["due_on"], version=_version(form)
        )
        return _("Due date saved.")

    return _event(request, task_id, "due", translation_forms.DueForm(request.POST), run)


@login_required
@require_POST
def machine(request: HttpRequest, task_id: int) -> HttpResponse:
    def run(task: TranslationTask, form: forms.Form) -> str:
        actions.request_machine_translation(task, request.user, version=_version(form))
        return _(
            "Machine translation requested for the empty sentences; its output stays marked "
            "until a person reviews the task."
        )

    return _event(request, task_id, "event", translation_forms.VersionForm(request.POST), run)


@login_required
@require_GET
def machine_status(request: HttpRequest, task_id: int) -> HttpResponse:
    """Polled by htmx while machine translation is queued; once it has finished the
    answer tells htmx to reload the editor."""
    task = access_task(request.user, task_id)
    response = render(request, "translation/_machine_status.html", {"task": task})
    if task.machine_state != MachineState.QUEUED:
        response["HX-Refresh"] = "true"
    return response


# ---------------------------------------------------------------------------
# A case's translations and the request form.


def _case_page(request: HttpRequest, case_id: int, bound: forms.Form | None = None) -> HttpResponse:
    case = access_case_translations(request.user, case_id)
    user: Any = request.user
    manager = manages_translations(user, case)
    assignable = actions.assignable_users(case)
    tasks = list(
        visible_tasks(user)
        .filter(case=case)
        .select_related("assignee", "translator", "reviewer")
        .order_by("-pk")
    )
    sources = case_sources(case) if manager else []
    asked = None
    if manager and request.GET.get("kind") in SourceKind.values:
        source_id = request.GET.get("source", "")
        if source_id.isdigit():
            asked = resolve(case, request.GET["kind"], int(source_id))
    request_forms = []
    if manager:
        for source in ([asked] if asked else []) + sources:
            posted = (
                bound
                if bound is not None
                and bound.data.get("kind") == source.kind
                and bound.data.get("source_id") == str(source.id)
                else None
            )
            request_forms.append(
                (
                    source,
                    posted
                    or translation_forms.RequestForm(
                        initial={"kind": source.kind, "source_id": source.id},
                        assignable=assignable,
                    ),
                )
            )
    return render(
        request,
        "translation/case.html",
        {
            "case": case,
            "tasks": tasks,
            "request_forms": request_forms,
            "asked": asked,
            "manager": manager,
            "bound": bound,
        },
    )


@login_required
@require_GET
def case_translations(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, case_id)


@login_required
@require_POST
def request_translation(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case_translations(request.user, case_id)
    if not manages_translations(request.user, case):
        raise Http404
    form = translation_forms.RequestForm(request.POST, assignable=actions.assignable_users(case))
    created: list[TranslationTask] = []

    def run() -> str:
        data = form.cleaned_data
        created.append(
            actions.request_translation(
                request.user,
                case,
                kind=data["kind"],
                source_id=data["source_id"],
                target_language=data["target_language"],
                assignee=data["assignee"],
                due_on=data["due_on"],
                note=data["note"],
            )
        )
        return _("Translation requested.")

    response = perform(
        request,
        form,
        run,
        success_url=reverse("translation:case", kwargs={"case_id": case.pk}),
        render_again=lambda bound: _case_page(request, case.pk, bound),
    )
    if created:
        return redirect(_task_url(created[0]))
    return response


# ---------------------------------------------------------------------------
# The glossary.


@login_required
@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    require_translation_staff(request.user)
    return _glossary_page(request, translation_forms.GlossaryForm())


def _glossary_page(request: HttpRequest, form: forms.Form) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    terms = GlossaryTerm.objects.select_related("updated_by")
    if query:
        from django.db.models import Q

        terms = terms.filter(Q(term_ja__icontains=query) | Q(term_en__icontains=query))
    return render(
        request,
        "translation/glossary.html",
        {"terms": terms, "form": form, "query": query},
    )


@login_required
@require_POST
def glossary_add(request: HttpRequest) -> HttpResponse:
    require_translation_staff(request.user)
    form = translation_forms.GlossaryForm(request.POST)

    def run() -> str:
        actions.save_term(request.user, **form.cleaned_data)
        return _("Term added to the glossary.")

    return perform(
        request,
        form,
        run,
        success_url=reverse("translation:glossary"),
        render_again=lambda bound: _glossary_page(request, bound),
    )


def _term(request: HttpRequest, term_id: int) -> GlossaryTerm:
    require_translation_staff(request.user)
    term = GlossaryTerm.objects.filter(pk=term_id).first()
    if term is None:
        raise Http404
    return term


@login_required
def glossary_term(request: HttpRequest, term_id: int) -> HttpResponse:
    """GET: the edit form; POST: save it."""
    term = _term(request, term_id)
    if request.method != "POST":
        form = translation_forms.GlossaryForm.for_term(term)
        return render(request, "translation/glossary_term.html", {"term": term, "form": form})
    form = translation_forms.GlossaryForm(request.POST)

    def run() -> str:
        actions.save_term(request.user, term=term, **form.cleaned_data)
        return _("Glossary term saved.")

    return perform(
        request,
        form,
        run,
        success_url=reverse("translation:glossary"),
        render_again=lambda bound: render(
            request, "translation/glossary_term.html", {"term": term, "form": bound}
        ),
    )


@login_required
@require_POST
def glossary_delete(request: HttpRequest, term_id: int) -> HttpResponse:
    term = _term(request, term_id)
    actions.delete_term(request.user, term)
    from django.contrib import messages

    messages.success(request, _("Term removed from the glossary."))
    return redirect("translation:glossary")
