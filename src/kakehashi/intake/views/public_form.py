"""The report form: choose the track, agree to the handling (products), fill in the
pages, confirm, send. See :mod:`kakehashi.intake.draft` for where the answers and files
wait meanwhile, and why the final POST cannot file a report twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kakehashi.cases.scoring import score_v3
from kakehashi.core.audit import client_ip
from kakehashi.core.workflow import InvalidInput, WorkflowError

from .. import access, actions, draft, forms, ratelimit
from ..actions.submit import follow_up_url
from ..choices import Track
from ..policy import platform_fingerprint
from .public_common import honeypot_tripped, rate_limited, refuse_bot

FIRST_STEP = forms.STEPS[0]


def _step_url(step: str) -> str:
    return reverse("intake:report_step", kwargs={"step": step})


def _not_ready(current: draft.Draft) -> HttpResponse | None:
    """Where to go instead when the track (or, for products, the consent) is missing."""
    if not current.started:
        return redirect("intake:report_start")
    if current.track == Track.PRODUCT and not current.consent:
        return redirect("intake:report_consent")
    return None


def _before(step: str, current: draft.Draft) -> str:
    index = forms.STEPS.index(step)
    if index > 0:
        return _step_url(forms.STEPS[index - 1])
    if current.track == Track.PRODUCT:
        return reverse("intake:report_consent")
    return reverse("intake:report_start")


def _after(step: str) -> str:
    index = forms.STEPS.index(step)
    if index + 1 < len(forms.STEPS):
        return _step_url(forms.STEPS[index + 1])
    return reverse("intake:report_confirm")


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    current = context.get("draft")
    steps = [(step, forms.STEP_TITLES[step], _step_url(step)) for step in forms.STEPS]
    response = render(
        request, template, {"steps": steps, "track_label": _track_label(current), **context}
    )
    response.status_code = status
    response["Cache-Control"] = "no-store"  # the finder's answers are in it
    return response


def _track_label(current: draft.Draft | None) -> str:
    if current is None or not current.started:
        return ""
    return str(Track(current.track).label) if current.track in Track.values else ""


# --- Choosing the track and agreeing ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_start(request: HttpRequest) -> HttpResponse:
    current = draft.Draft(request.session)
    status = 200
    if request.method == "POST":
        if honeypot_tripped(request):
            return refuse_bot(request)
        form = forms.TrackForm(request.POST)
        if form.is_valid():
            current.track = form.cleaned_data["track"]
            current.save()
            if current.track == Track.PRODUCT and not current.consent:
                return redirect("intake:report_consent")
            return redirect(_step_url(FIRST_STEP))
        status = 400
    else:
        form = forms.TrackForm(initial={"track": current.track} if current.started else None)
    return _page(
        request,
        "intake/public/start.html",
        {"form": form, "draft": current, "fingerprint": platform_fingerprint()},
        status,
    )


@require_http_methods(["GET", "POST"])
def report_consent(request: HttpRequest) -> HttpResponse:
    current = draft.Draft(request.session)
    if not current.started:
        return redirect("intake:report_start")
    if current.track != Track.PRODUCT:
        return redirect(_step_url(FIRST_STEP))
    status = 200
    if request.method == "POST":
        if honeypot_tripped(request):
            return refuse_bot(request)
        form = forms.ConsentForm(request.POST)
        if form.is_valid():
            current.consent = True
            current.save()
            return redirect(_step_url(FIRST_STEP))
        status = 400
    else:
        form = forms.ConsentForm(initial={"agree": current.consent})
    return _page(
        request,
        "intake/public/consent.html",
        {"form": form, "draft": current, "back_url": reverse("intake:report_start")},
        status,
    )


@require_POST
def report_cancel(request: HttpRequest) -> HttpResponse:
    """Throw the draft away, with its files."""
    draft.Draft(request.session).clear()
    messages.info(request, _("Your draft and its files were deleted."))
    return redirect("intake:report_start")


# --- The pages of the form --------------------------------------------------------------


def _step_form(current: draft.Draft, step: str, *args: Any, **kwargs: Any) -> forms.StepForm:
    form_class = forms.STEP_FORMS[step]
    if form_class is forms.VulnerabilityForm:
        kwargs["encryption"] = bool(platform_fingerprint())
    return form_class(*args, track=current.track, **kwargs)


@require_http_methods(["GET", "POST"])
def report_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in forms.STEPS:
        raise Http404
    current = draft.Draft(request.session)
    if (elsewhere := _not_ready(current)) is not None:
        return elsewhere
    draft.touch(current)
    if step == "files":
        return _files_step(request, current)
    status, score = 200, None
    if request.method == "POST":
        if honeypot_tripped(request):
            return refuse_bot(request)
        form = _step_form(current, step, request.POST, request.FILES)
        valid = form.is_valid()  # also reads an uploaded encrypted message
        current.set_step(step, form.raw_data())
        current.save()
        nav = request.POST.get("nav", "next")
        if nav == "back":
            return redirect(_before(step, current))
        if nav == "score":  # the calculator without JavaScript: same page, with the score
            score = cvss_preview_context(request.POST)
            form = _step_form(current, step, initial=current.step(step))
        elif valid:
            return redirect(_after(step))
        else:
            status = 400
    else:
        form = _step_form(current, step, initial=current.step(step))
    return _page(
        request,
        "intake/public/step.html",
        {
            "form": form,
            "draft": current,
            "step": step,
            "step_title": forms.STEP_TITLES[step],
            "back_url": _before(step, current),
            "score": score,
            "fingerprint": platform_fingerprint() if step == "vulnerability" else "",
        },
        status,
    )


def _files_step(request: HttpRequest, current: draft.Draft) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if honeypot_tripped(request):
            return refuse_bot(request)
        form = forms.AttachmentsForm(request.POST, request.FILES, staged=draft.staged(current))
        if form.is_valid():
            _apply_file_changes(current, form)
        if not form.errors:
            nav = request.POST.get("nav", "next")
            if nav == "back":
                return redirect(_before("files", current))
            return redirect(_after("files") if nav == "next" else _step_url("files"))
        status = 400
    else:
        form = forms.AttachmentsForm(staged=draft.staged(current))
    return _page(
        request,
        "intake/public/files.html",
        {
            "form": form,
            "draft": current,
            "step": "files",
            "step_title": forms.STEP_TITLES["files"],
            "staged": draft.staged(current),
            "back_url": _before("files", current),
            "limits": _limits(),
        },
        status,
    )


def _apply_file_changes(current: draft.Draft, form: forms.AttachmentsForm) -> None:
    rows = {str(row.pk): row for row in draft.staged(current)}
    drop = [rows[pk].storage_key for pk in form.cleaned_data["remove"] if pk in rows]
    draft.unstage(current, drop)
    if form.cleaned_data["attachments"]:
        try:
            draft.stage(current, form.cleaned_data["attachments"])
        except InvalidInput as error:
            form.add_error("attachments", str(error))


def _limits() -> dict[str, int]:
    return {
        "file_mb": settings.KAKEHASHI_ATTACHMENT_MAX_BYTES // 1_000_000,
        "total_mb": settings.KAKEHASHI_REPORT_MAX_BYTES // 1_000_000,
        "count": settings.KAKEHASHI_ATTACHMENT_MAX_FILES,
    }


# --- The CVSS calculator ----------------------------------------------------------------


def cvss_preview_context(data: Any) -> dict[str, Any]:
    vector, refusal = forms.cvss_vector_from(data)
    if refusal:
        return {"error": refusal}
    if not vector:
        return {"error": _("Choose the metrics, or type a vector.")}
    try:
        score = score_v3(vector)
    except InvalidInput as error:
        return {"error": str(error)}
    return {"vector": vector, "score": score, "severity": forms.cvss_severity(score)}


@require_POST
def cvss_preview(request: HttpRequest) -> HttpResponse:
    """The score of the calculator's metrics (htmx swaps it in beside them)."""
    return render(
        request, "intake/public/_cvss_score.html", {"score": cvss_preview_context(request.POST)}
    )


# --- Confirmation and sending -----------------------------------------------------------


@dataclass
class Review:
    """Every page's answers cleaned together, and what is still wrong, per field."""

    data: dict[str, Any] = field(default_factory=dict)
    sections: list[tuple[str, str, list[tuple[str, Any]]]] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (step, label, text)
    score: dict[str, Any] | None = None

    def refuse(self, errors: dict[str, str]) -> None:
        labels = _field_labels()
        for name, message in errors.items():
            step = forms.FIELD_STEP.get(name, "vulnerability")
            self.problems.append((step, str(labels.get(name, "")), message))


def _field_labels() -> dict[str, Any]:
    return {
        name: form_field.label
        for form in forms.STEP_FORMS.values()
        for name, form_field in form.base_fields.items()
    }


def _review(current: draft.Draft) -> Review:
    review = Review()
    for step in forms.STEP_FORMS:
        form = _step_form(current, step, current.step(step))
        if form.is_valid():
            review.data.update(form.report_data())
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            review.problems.extend((step, str(label or ""), str(error)) for error in errors)
        review.sections.append((step, str(forms.STEP_TITLES[step]), _shown(form)))
    if not review.problems:
        try:
            clean = actions.validate_report(current.track, review.data)
        except actions.ReportInvalid as refused:
            review.refuse(refused.errors)
        else:
            if clean.get("cvss_v3_vector"):
                score = clean["cvss_v3_score"]
                review.score = {"score": score, "severity": forms.cvss_severity(score)}
    return review


_NOT_SHOWN = frozenset({*forms.CVSS_FIELDS, "encrypted_file", "encrypted_body"})


def _shown(form: forms.StepForm) -> list[tuple[str, Any]]:
    """(label, value) of each answered field, as the confirmation page shows them."""
    cleaned = getattr(form, "cleaned_data", {})
    rows: list[tuple[str, Any]] = []
    for name, form_field in form.fields.items():
        if name in _NOT_SHOWN:
            continue
        value = cleaned.get(name, form.data.get(name))
        if isinstance(value, datetime):  # the wanted publication time, in its zone (JST)
            value = f"{date_format(form_field.prepare_value(value), 'Y-m-d H:i')} JST"
        elif isinstance(form_field, django_forms.BooleanField):
            value = _("Yes") if value else _("No")
        elif isinstance(form_field, django_forms.ChoiceField):
            labels = dict(cast(list[tuple[Any, Any]], form_field.choices))
            value = labels.get(value, value)
        if value in (None, ""):
            continue
        rows.append((str(form_field.label), value))
    return rows


@require_http_methods(["GET", "POST"])
def report_confirm(request: HttpRequest) -> HttpResponse:
    current = draft.Draft(request.session)
    if request.method == "POST":
        return _submit(request, current)
    if (elsewhere := _not_ready(current)) is not None:
        return elsewhere
    draft.touch(current)
    return _confirm_page(request, current, _review(current))


def _confirm_page(
    request: HttpRequest, current: draft.Draft, review: Review, status: int = 200
) -> HttpResponse:
    vulnerability = current.step("vulnerability")
    return _page(
        request,
        "intake/public/confirm.html",
        {
            "draft": current,
            "review": review,
            "staged": draft.staged(current),
            "encrypted": vulnerability.get("encrypted_body", ""),
            "token": current.token() if not review.problems else "",
            "back_url": _step_url(forms.STEPS[-1]),
        },
        status,
    )


def _submit(request: HttpRequest, current: draft.Draft) -> HttpResponse:
    if (refusal := _stale_or_bot(request, current)) is not None:
        return refusal
    review = _review(current)
    if review.problems:
        return _confirm_page(request, current, review, status=400)
    user = request.user if request.user.is_authenticated else None
    email = str(review.data.get("finder_email") or getattr(user, "email", "") or "")
    ip = client_ip(request)
    if (limited := ratelimit.check_report_rate(ip, email)) is not None:
        return rate_limited(request, limited)
    if not draft.claim_token(current, request.POST["submission_token"]):
        return redirect("intake:report_done")  # a second click while the first is sending
    try:
        with draft.opened(draft.staged(current)) as uploads:
            submitted = actions.submit_report(
                track=current.track,
                language=get_language() or "ja",
                data=review.data,
                uploads=uploads,
                finder_user=user,
            )
    except actions.ReportInvalid as refused:
        review.refuse(refused.errors)
    except (WorkflowError, OSError) as error:
        review.problems.append(("files", "", _refusal_text(error)))
    else:
        return _filed(request, current, submitted, ip, email)
    draft.release_token(current)
    return _confirm_page(request, current, review, status=400)


def _stale_or_bot(request: HttpRequest, current: draft.Draft) -> HttpResponse | None:
    """The answer to a POST that must not file anything: a bot, or a token that is not
    the draft's (sent already, by a reload or the back button, or an expired page)."""
    if honeypot_tripped(request):
        return refuse_bot(request)
    posted = request.POST.get("submission_token", "")
    if current.started and posted and posted == current.data.get("token"):
        return None
    if request.session.get(draft.SESSION_DONE):
        return redirect("intake:report_done")
    messages.warning(request, _("This form was already sent, or it expired. Start again."))
    return redirect("intake:report_start")


def _refusal_text(error: Exception) -> str:
    if isinstance(error, WorkflowError):
        return str(error)
    return _("A file you chose is no longer available. Remove it and choose it again.")


def _filed(
    request: HttpRequest,
    current: draft.Draft,
    submitted: actions.Submitted,
    ip: str | None,
    email: str,
) -> HttpResponse:
    report = submitted.report
    ratelimit.count_report(ip, email)
    # This browser sent the report: it may follow it without opening the link first.
    access.claim_follow_up_link(request, f"{report.pk}-{submitted.follow_up_secret}")
    request.session[draft.SESSION_DONE] = {
        "report_id": report.pk,
        "tracking_id": report.tracking_id,
        "link": follow_up_url(report, submitted.follow_up_secret),
        "mailed": bool(report.finder_email or report.finder_user_id),
    }
    current.clear()
    return redirect("intake:report_done")


def report_done(request: HttpRequest) -> HttpResponse:
    """The tracking ID and the secret link. The link is shown once: a reload shows the
    tracking ID only (the link was also mailed, when there is an address)."""
    done = request.session.get(draft.SESSION_DONE)
    if not done:
        return redirect("intake:report_start")
    link = done.pop("link", "")
    request.session[draft.SESSION_DONE] = done
    response = render(request, "intake/public/done.html", {"done": done, "link": link})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
