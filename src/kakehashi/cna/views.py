"""The CNA officer's screens: the ID pool, assignment from the case page, and the
record editor with live checks and the sync state."""

from __future__ import annotations

import json
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.core.perform import perform
from kakehashi.core.workflow import ConcurrentChange, WorkflowError

from . import actions, services
from . import corpus as cve_corpus
from .access import (
    access_cve_id,
    access_record,
    access_vulnerability,
    require_cna_officer,
    require_desk_staff,
)
from .checks import ERROR, check_record
from .choices import IdState
from .forms import AddIdsForm, RecordForm, RejectForm, ReserveForm, references_text
from .models import CorpusRecord, CveId, CveRecord
from .records import build_container

# --- the pool ---------------------------------------------------------------------------


@login_required
@require_GET
def pool(request: HttpRequest) -> HttpResponse:
    require_cna_officer(request.user)
    return _pool_page(request)


def _pool_page(request: HttpRequest, **forms: django_forms.Form) -> HttpResponse:
    quota: services.Quota | None = None
    quota_problem = ""
    if services.configured_url():
        try:
            quota = services.client().quota()
        except services.ServiceError as error:
            quota_problem = error.message
    ids = CveId.objects.select_related("vulnerability__case", "record")
    counts = {
        "free": sum(1 for i in ids if i.is_free),
        "assigned": sum(1 for i in ids if i.vulnerability_id is not None),
        "rejected": sum(1 for i in ids if i.state == IdState.REJECTED),
    }
    return render(
        request,
        "cna/pool.html",
        {
            "ids": ids,
            "counts": counts,
            "quota": quota,
            "quota_problem": quota_problem,
            "service_configured": bool(services.configured_url()),
            "reserve_form": forms.get("reserve") or ReserveForm(),
            "add_form": forms.get("add") or AddIdsForm(),
        },
    )


@login_required
@require_POST
def reserve(request: HttpRequest) -> HttpResponse:
    require_cna_officer(request.user)
    form = ReserveForm(request.POST)

    def act() -> str:
        rows, reservation = actions.reserve_ids(
            request.user,
            form.cleaned_data["amount"],
            form.cleaned_data["year"],
            sequential=form.cleaned_data["sequential"],
        )
        if reservation.partial:
            return _("Only %(got)d of %(asked)d IDs were reserved: the quota ran out.") % {
                "got": len(rows),
                "asked": form.cleaned_data["amount"],
            }
        return _("%(count)d IDs reserved.") % {"count": len(rows)}

    return perform(
        request,
        form,
        act,
        success_url=reverse("cna:pool"),
        render_again=lambda f: _pool_page(request, reserve=f),
    )


@login_required
@require_POST
def add_ids(request: HttpRequest) -> HttpResponse:
    require_cna_officer(request.user)
    form = AddIdsForm(request.POST)

    def act() -> str:
        rows = actions.add_ids_by_hand(request.user, form.cleaned_ids())
        return _("%(count)d IDs added to the pool.") % {"count": len(rows)}

    return perform(
        request,
        form,
        act,
        success_url=reverse("cna:pool"),
        render_again=lambda f: _pool_page(request, add=f),
    )


@login_required
@require_POST
def release(request: HttpRequest, cve_id: str) -> HttpResponse:
    cve = access_cve_id(request.user, cve_id)
    try:
        actions.release_id(request.user, cve)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(id)s was released (rejected).") % {"id": cve.cve_id})
    return redirect("cna:pool")


# --- assignment --------------------------------------------------------------------------


@login_required
@require_POST
def assign(request: HttpRequest, vulnerability_id: int) -> HttpResponse:
    vulnerability = access_vulnerability(request.user, vulnerability_id)
    try:
        record = actions.assign_id(request.user, vulnerability)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(
            reverse("cases:detail", kwargs={"case_id": vulnerability.case_id}) + "#vulnerabilities"
        )
    messages.success(request, _("%(id)s is assigned.") % {"id": record.cve.cve_id})
    return redirect("cna:record", cve_id=record.cve.cve_id)


# --- the record ----------------------------------------------------------------------------


def _record_form(record: CveRecord) -> RecordForm:
    return RecordForm(
        initial={
            "version": record.version,
            "description_en": record.description_en,
            "description_ja": record.description_ja,
            "references": references_text(record.references),
            "cna_tags": record.cna_tags,
        }
    )


def _checks(record: CveRecord) -> dict[str, Any]:
    """The container as it would be sent now, and every problem with it."""
    if record.cve.vulnerability is None:
        return {"container": None, "problems": [], "errors": 0}
    container = build_container(record)
    problems = check_record(container, record.cve.vulnerability.case)
    return {
        "container": json.dumps(container, ensure_ascii=False, indent=2),
        "problems": problems,
        "errors": sum(1 for p in problems if p.severity == ERROR),
    }


def _record_page(
    request: HttpRequest,
    record: CveRecord,
    *,
    form: RecordForm | None = None,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "cna/record.html",
        {
            "record": record,
            "case": record.cve.vulnerability.case if record.cve.vulnerability else None,
            "form": form or _record_form(record),
            "reject_form": reject_form or RejectForm(initial={"version": record.version}),
            "editable": record.sync_state not in ("rejected", "reject_pending"),
            "unsynced": record.published_at is not None and record.synced_version < record.version,
            **_checks(record),
        },
        status=status,
    )


@login_required
@require_GET
def record_page(request: HttpRequest, cve_id: str) -> HttpResponse:
    return _record_page(request, access_record(request.user, cve_id))


@login_required
@require_POST
def save_record(request: HttpRequest, cve_id: str) -> HttpResponse:
    record = access_record(request.user, cve_id)
    form = RecordForm(request.POST)
    if form.is_valid():
        try:
            actions.edit_record(
                request.user,
                record,
                description_en=form.cleaned_data["description_en"],
                description_ja=form.cleaned_data["description_ja"],
                references=form.cleaned_data["references"],
                cna_tags=form.cleaned_data["cna_tags"],
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The record is saved."))
            return redirect("cna:record", cve_id=record.cve.cve_id)
    messages.error(request, _("Nothing was changed: correct the form below."))
    record = access_record(request.user, cve_id)
    return _record_page(request, record, form=form, status=400)


@login_required
@require_POST
def check(request: HttpRequest, cve_id: str) -> HttpResponse:
    """Live checks (htmx): the problems of the form as typed, without saving it."""
    record = access_record(request.user, cve_id)
    form = RecordForm(request.POST)
    context: dict[str, Any] = {"form_errors": []}
    if form.is_valid():
        record.description_en = form.cleaned_data["description_en"].strip()
        record.description_ja = form.cleaned_data["description_ja"].strip()
        record.references = form.cleaned_data["references"]
        record.cna_tags = form.cleaned_data["cna_tags"]
        context.update(_checks(record))
    else:
        context["form_errors"] = [str(e) for errors in form.errors.values() for e in errors]
    return render(request, "cna/_checks.html", context)


@login_required
@require_POST
def publish(request: HttpRequest, cve_id: str) -> HttpResponse:
    record = access_record(request.user, cve_id)
    try:
        if str(record.version) != request.POST.get("version"):
            raise ConcurrentChange
        record = actions.publish_record(request.user, record)
    except WorkflowError as error:
        messages.error(request, str(error))
        return _record_page(request, access_record(request.user, cve_id), status=400)
    messages.success(request, _("%(id)s is queued for CVE Services.") % {"id": record.cve.cve_id})
    return redirect("cna:record", cve_id=record.cve.cve_id)


@login_required
@require_POST
def reject(request: HttpRequest, cve_id: str) -> HttpResponse:
    record = access_record(request.user, cve_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["version"] != record.version:
                raise ConcurrentChange
            actions.reject_record(request.user, record, form.cleaned_data["reason"])
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The rejection is queued for CVE Services."))
            return redirect("cna:record", cve_id=record.cve.cve_id)
    messages.error(request, _("Nothing was changed: correct the form below."))
    return _record_page(request, record, reject_form=form, status=400)


# --- the CVE corpus ----------------------------------------------------------------------

CORPUS_PAGE_SIZE = 50


@login_required
@require_GET
def corpus(request: HttpRequest) -> HttpResponse:
    """Search the imported CVE records by CVE ID, vendor, product, CPE, purl or text."""
    require_desk_staff(request.user)
    query = request.GET.get("q", "").strip()[:200]
    results = cve_corpus.search(query, CORPUS_PAGE_SIZE) if query else []
    return render(
        request,
        "cna/corpus.html",
        {
            "query": query,
            "results": results,
            "total": CorpusRecord.objects.count(),
            "page_size": CORPUS_PAGE_SIZE,
        },
    )
