"""The committee's pages: the list of files and one file, with the forms of the
actions the viewer may take. Every file is read through ``committee.access``.

Valid form → one action → redirect with a message. Invalid form or a refusal → the
file page again, status 400, the form still filled in and the reason shown; nothing
changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.cases.access import access_case
from kakehashi.core.storage import open_private
from kakehashi.core.workflow import WorkflowError
from kakehashi.intake.downloads import DOWNLOAD_HEADERS, content_disposition
from kakehashi.unreachable.access import access_listing

from . import actions
from . import forms as committee_forms
from .access import access_file, may, reads_committee_files
from .models import CommitteeFile, OpinionAttachment
from .queries import file_records


def _zone(request: HttpRequest) -> str:
    return str(getattr(request.user, "timezone", "") or "UTC")


def _file_url(committee_file: CommitteeFile) -> str:
    return reverse("committee:detail", kwargs={"file_id": committee_file.pk})


@login_required
@require_GET
def file_list(request: HttpRequest) -> HttpResponse:
    if not reads_committee_files(request.user):
        raise Http404
    # Open files first (NULLS FIRST spelled out: SQLite and PostgreSQL differ).
    files = list(
        CommitteeFile.objects.visible_to(request.user)
        .select_related("decision")
        .order_by(F("closed_at").asc(nulls_first=True), "-opened_at")[:200]
    )
    return render(request, "committee/list.html", {"files": files})


@login_required
@require_GET
def file_detail(request: HttpRequest, file_id: int) -> HttpResponse:
    return _render_file(request, access_file(request.user, file_id))


FORMS: dict[str, tuple[str, type[forms.Form]]] = {
    "draft": ("feed", committee_forms.DraftForm),
    "notice": ("feed", committee_forms.NoticeForm),
    "opinion": ("judge", committee_forms.OpinionEntryForm),
    "criterion": ("judge", committee_forms.AssessmentForm),
    "decision": ("judge", committee_forms.DecisionForm),
    "statement": ("judge", committee_forms.StatementForm),
    "meti": ("judge", committee_forms.MetiForm),
}


def _new_form(request: HttpRequest, key: str, data: Any = None, files: Any = None) -> forms.Form:
    form_class = FORMS[key][1]
    if issubclass(form_class, committee_forms.ZonedForm):
        return form_class(data, files, prefix=key, zone=_zone(request))
    return form_class(data, files, prefix=key)


def _render_file(
    request: HttpRequest,
    committee_file: CommitteeFile,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    records = file_records(committee_file)
    org = committee_file.case.coordinator_org_id
    page_forms: dict[str, forms.Form] = {}
    for key, (need, _form_class) in FORMS.items():
        if may(request.user, org, need):
            page_forms[key] = (bound or {}).get(key) or _new_form(request, key)
    context = {
        "file": committee_file,
        "records": records,
        "forms": page_forms,
        "show_publish_steps": (
            records.decision is not None
            and records.decision.outcome == "publish"
            and not committee_file.for_unreachable
        ),
    }
    return render(request, "committee/detail.html", context, status=status)


def _perform(
    request: HttpRequest, file_id: int, key: str, act: Callable[[CommitteeFile, Any], str]
) -> HttpResponse:
    committee_file = access_file(request.user, file_id, need=FORMS[key][0])
    form = _new_form(request, key, request.POST, request.FILES)
    if form.is_valid():
        try:
            message = act(committee_file, form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
            messages.error(request, str(error))
        else:
            messages.success(request, message)
            return redirect(_file_url(committee_file))
    else:
        messages.error(request, _("Nothing was changed: correct the form below."))
    fresh = access_file(request.user, file_id)
    return _render_file(request, fresh, {key: form}, status=400)


@login_required
@require_POST
def add_draft(request: HttpRequest, file_id: int) -> HttpResponse:
    def act(f: CommitteeFile, data: dict[str, Any]) -> str:
        actions.record_draft(
            f, actor=request.user, text_ja=data["text_ja"], text_en=data["text_en"]
        )
        return _("The draft publication text was recorded.")

    return _perform(request, file_id, "draft", act)


@login_required
@require_POST
def add_notice(request: HttpRequest, file_id: int) -> HttpResponse:
    def act(f: CommitteeFile, data: dict[str, Any]) -> str:
        actions.record_notice(f, actor=request.user, **data)
        return _("The notice to the vendor was recorded.")

    return _perform(request, file_id, "notice", act)


@login_required
@require_POST
def add_opinion(request: HttpRequest, file_id: int) -> HttpResponse:
    def act(f: CommitteeFile, data: dict[str, Any]) -> str:
        upload = data.pop("attachment")
        actions.record_opinion(
            f, actor=request.user, attachments=[upload] if upload else [], **data
        )
        return _("The opinion was recorded.")

    return _perform(request, file_id, "opinion", act)


@login_required
@require_POST
def add_assessment(request: HttpRequest, file_id: int) -> HttpResponse:
    def act(f: CommitteeFile, data: dict[str, Any]) -> str:
        actions.assess_criterion(f, actor=request.user, **data)
        return _("The assessment was recorded.")

    return _perform(request, file_id, "criterion", act)


@login_required
@require_POST
def add_decision(request: HttpRequest, file_id: int) -> HttpResponse:
    def act(f: CommitteeFile, data: dict[str, Any]) -> str:
        actions.decide(f, actor=request.user, **data)
        return _("The decision was recorded and the file is closed.")

    return _perform(request, file_id, "decision", act)


@login_required
@require_POST
def add_statement(request: HttpRequest, file_id: int) -> HttpResponse:
    def act(f: CommitteeFile, data: dict[str, Any]) -> str:
        actions.record_vendor_statement(f, actor=request.user, **data)
        return _("The vendor's statement was recorded.")

    return _perform(request, file_id, "statement", act)


@login_required
@require_POST
def add_meti(request: HttpRequest, file_id: int) -> HttpResponse:
    def act(f: CommitteeFile, data: dict[str, Any]) -> str:
        actions.record_meti_confirmation(f, actor=request.user, **data)
        return _("METI's confirmation was recorded.")

    return _perform(request, file_id, "meti", act)


@login_required
@require_GET
def attachment(request: HttpRequest, file_id: int, attachment_id: int) -> FileResponse:
    """A document that came with an opinion, for those who may read the file; always
    a download that cannot run in our origin."""
    committee_file = access_file(request.user, file_id)
    document = OpinionAttachment.objects.filter(
        pk=attachment_id, opinion__file=committee_file
    ).first()
    if document is None:
        raise Http404
    response = FileResponse(
        open_private(document.storage_key), content_type="application/octet-stream"
    )
    response.headers["Content-Disposition"] = content_disposition(document.filename)
    for header, value in DOWNLOAD_HEADERS.items():
        response.headers[header] = value
    return response


# --- Opening a file, from the case page ------------------------------------------------


def _from_case_page(
    request: HttpRequest, case_id: int, form: forms.Form, act: Callable[[], CommitteeFile]
) -> HttpResponse:
    if form.is_valid():
        try:
            committee_file = act()
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The committee file was opened."))
            return redirect(_file_url(committee_file))
    else:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": errors})
    return redirect(reverse("cases:detail", kwargs={"case_id": case_id}) + "#committee")


@login_required
@require_POST
def open_file(request: HttpRequest, case_id: int) -> HttpResponse:
    """(イ): agreement on publication has become impracticable."""
    case = access_case(request.user, case_id, need="coordinate")
    form = committee_forms.OpenFileForm(
        request.POST, vendors=case.participants.vendors(), prefix="open"
    )
    return _from_case_page(
        request,
        case.pk,
        form,
        lambda: actions.open_impracticable_file(
            case,
            form.cleaned_data["participant"],
            actor=request.user,
            statement=form.cleaned_data["statement"],
        ),
    )


@login_required
@require_POST
def declare(request: HttpRequest, listing_id: int) -> HttpResponse:
    """(ア): the listed developer stayed unreachable; declare 調整不能."""
    listing = access_listing(request.user, listing_id)
    form = committee_forms.DeclareForm(request.POST, prefix="declare")
    return _from_case_page(
        request,
        listing.case_id,
        form,
        lambda: actions.declare_coordination_impossible(
            listing, actor=request.user, statement=form.cleaned_data["statement"]
        ),
    )
