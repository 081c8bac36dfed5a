"""The coordination desk's advisory editor: the draft side by side in Japanese and
English, approval per language, the waiver, a watermarked preview, and withdrawal.
Every request goes through ``advisories.access`` (the case's access rules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.cases.access import access_case
from kakehashi.core.workflow import WorkflowError

from .. import actions
from ..access import access_draft
from ..choices import LANGUAGES
from ..content import TEXT_FIELDS, publication_problems, revision_content
from ..forms import TextForm, WaiverForm, WithdrawForm
from ..models import Advisory
from ..presentation import page_context
from .alert_panels import alert_context


@login_required
@require_POST
def start(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    kind = request.POST.get("kind") or None
    try:
        advisory = actions.start_advisory(case, actor=request.user, kind=kind)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("cases:detail", case_id=case.pk)
    messages.success(request, _("The advisory %(id)s is drafted.") % {"id": advisory.advisory_id})
    return redirect("advisories:editor", advisory_id=advisory.pk)


def _text_form(advisory: Advisory, language: str) -> TextForm:
    text = advisory.text(language)
    initial: dict[str, Any] = {"version": text.version if text else 0}
    if text is not None:
        initial.update({field: getattr(text, field) for field in (*TEXT_FIELDS, "revision_note")})
    return TextForm(initial=initial, prefix=language)


def _editor(
    request: HttpRequest,
    advisory: Advisory,
    bound: dict[str, django_forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    columns = []
    for language in LANGUAGES:
        text = advisory.text(language)
        columns.append(
            {
                "language": language,
                "label": _("Japanese") if language == "ja" else _("English"),
                "text": text,
                "form": bound.get(language) or _text_form(advisory, language),
            }
        )
    return render(
        request,
        "advisories/editor.html",
        {
            "advisory": advisory,
            "case": advisory.case,
            "columns": columns,
            "problems": publication_problems(advisory),
            "waiver_form": bound.get("waiver") or WaiverForm(),
            "withdraw_form": bound.get("withdraw") or WithdrawForm(),
            "can_edit": advisory.state != "withdrawn",
            **alert_context(advisory, bound),
        },
        status=status,
    )


@login_required
@require_GET
def editor(request: HttpRequest, advisory_id: int) -> HttpResponse:
    return _editor(request, access_draft(request.user, advisory_id))


@login_required
@require_POST
def save(request: HttpRequest, advisory_id: int, language: str) -> HttpResponse:
    advisory = access_draft(request.user, advisory_id, need="coordinate")
    if language not in LANGUAGES:
        return redirect("advisories:editor", advisory_id=advisory.pk)
    form = TextForm(request.POST, prefix=language)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.edit_text(
                advisory,
                language,
                actor=request.user,
                expected_version=data.pop("version"),
                **data,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved. Its approval is needed again."))
            return redirect("advisories:editor", advisory_id=advisory.pk)
    messages.error(request, _("Nothing was changed: correct the form below."))
    return _editor(request, access_draft(request.user, advisory_id), {language: form}, 400)


@login_required
@require_POST
def approve(request: HttpRequest, advisory_id: int, language: str) -> HttpResponse:
    advisory = access_draft(request.user, advisory_id, need="coordinate")
    try:
        actions.approve_text(
            advisory, language, actor=request.user, version=int(request.POST.get("version", 0))
        )
    except (WorkflowError, ValueError) as error:
        messages.error(request, str(error))
    else:
        advisory.refresh_from_db()
        if advisory.state == "scheduled":
            messages.success(request, _("Approved. Publication is scheduled."))
        else:
            messages.success(request, _("Approved."))
    return redirect("advisories:editor", advisory_id=advisory.pk)


@login_required
@require_POST
def waive(request: HttpRequest, advisory_id: int) -> HttpResponse:
    advisory = access_draft(request.user, advisory_id, need="coordinate")
    form = WaiverForm(request.POST)
    if form.is_valid():
        try:
            actions.waive_language(
                advisory,
                form.cleaned_data["language"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The waiver is recorded."))
            return redirect("advisories:editor", advisory_id=advisory.pk)
    return _editor(request, advisory, {"waiver": form}, 400)


@login_required
@require_POST
def critical(request: HttpRequest, advisory_id: int) -> HttpResponse:
    advisory = access_draft(request.user, advisory_id, need="coordinate")
    try:
        actions.set_critical(
            advisory, actor=request.user, critical=request.POST.get("critical") == "1"
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved."))
    return redirect("advisories:editor", advisory_id=advisory.pk)


@login_required
@require_POST
def withdraw(request: HttpRequest, advisory_id: int) -> HttpResponse:
    advisory = access_draft(request.user, advisory_id, need="coordinate")
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw(advisory, actor=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The advisory is withdrawn."))
            return redirect("advisories:editor", advisory_id=advisory.pk)
    return _editor(request, advisory, {"withdraw": form}, 400)


@login_required
@require_GET
def preview(request: HttpRequest, advisory_id: int, language: str) -> HttpResponse:
    return preview_response(request, access_draft(request.user, advisory_id), language)


def preview_response(
    request: HttpRequest,
    advisory: Advisory,
    language: str,
    redact: Callable[[dict[str, Any]], int] | None = None,
) -> HttpResponse:
    """The draft as it would be published, watermarked, never cached or indexed.
    ``redact(content)`` may remove what this reader may not see; it returns how many
    vendors it hid, which the page says."""
    texts = {t.language: t for t in advisory.texts.all()}
    content = revision_content(advisory, texts, [])
    now = timezone.now().isoformat()
    content.update(published_at=now, updated_at=now, revision=0)
    hidden = redact(content) if redact is not None else 0
    context = page_context(advisory, content, language if language in LANGUAGES else "ja")
    response = render(
        request,
        "advisories/advisory.html",
        {**context, "preview": True, "hidden_vendors": hidden},
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
