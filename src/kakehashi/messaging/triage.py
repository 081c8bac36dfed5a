"""The desk's triage queue of inbound e-mail: list, read, file into a thread, discard.

Every view reaches the e-mail through ``inbound.access.access_inbound`` (the desk only,
404 for anyone else) and the thread chosen through ``access.access_thread``. An e-mail
is shown inert: its text only, autoescaped in a ``<pre>``, never its HTML; its files
and the raw message are downloads (``intake.downloads``' headers), never inline.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kakehashi.cases.models import Case
from kakehashi.cases.queries import case_by_other_name
from kakehashi.core.perform import perform
from kakehashi.core.storage import open_private
from kakehashi.intake.downloads import DOWNLOAD_HEADERS, content_disposition

from .access import access_thread, case_viewer
from .choices import InboundState
from .inbound import actions
from .inbound.access import access_inbound, can_triage, visible_inbound
from .models import InboundMail
from .queries import ThreadRow, thread_rows

PAGE_SIZE = 50


class FileForm(forms.Form):
    case = forms.IntegerField(widget=forms.HiddenInput)
    key = forms.CharField(label=gettext_lazy("Thread"), max_length=40)


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it discarded?"), max_length=500, widget=forms.Textarea
    )


@login_required
@require_GET
def triage_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", InboundState.TRIAGE)
    if state not in InboundState.values:
        state = InboundState.TRIAGE
    if not can_triage(request.user):
        raise Http404
    rows = (
        visible_inbound(request.user)
        .filter(state=state)
        .select_related("thread__case")
        .order_by("-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/triage/list.html",
        {"page": page, "state": state, "states": InboundState.choices},
    )


def _threads_of(request: HttpRequest, reference: str) -> tuple[Case | None, list[ThreadRow]]:
    """The threads the user may write in, of the case named by its reference, its
    number, or another app's name for it (the DID number a developer on the
    unreachable list writes in with)."""
    reference = reference.strip()
    if not reference:
        return None, []
    found = Case.objects.filter(reference=reference).values_list("pk", flat=True).first()
    if found is None and reference.isdigit():
        found = int(reference)
    if found is None:
        found = case_by_other_name(request.user, reference)
    if found is None:
        return None, []
    try:
        viewer = case_viewer(request.user, found)
    except Http404:
        return None, []
    if viewer.side != "coordination":
        return None, []
    return viewer.case, thread_rows(viewer)


def _detail(
    request: HttpRequest,
    mail: InboundMail,
    *,
    file_form: FileForm | None = None,
    discard_form: DiscardForm | None = None,
) -> HttpResponse:
    default = mail.thread.case.reference if mail.thread else ""
    reference = request.GET.get("case", default)
    case, threads = _threads_of(request, reference)
    return render(
        request,
        "messaging/triage/detail.html",
        {
            "mail": mail,
            "attachments": list(mail.attachments.all()),
            "reference": reference,
            "case": case,
            "threads": threads,
            "chosen": mail.thread.key
            if mail.thread and case and mail.thread.case_id == case.pk
            else "",
            "file_form": file_form or FileForm(),
            "discard_form": discard_form or DiscardForm(),
        },
    )


@login_required
@require_GET
def triage_detail(request: HttpRequest, mail_id: int) -> HttpResponse:
    return _detail(request, access_inbound(request.user, mail_id))


@login_required
@require_POST
def triage_file(request: HttpRequest, mail_id: int) -> HttpResponse:
    mail = access_inbound(request.user, mail_id)
    form = FileForm(request.POST)
    back = reverse("messaging:triage_detail", kwargs={"mail_id": mail.pk})

    def act() -> str:
        _viewer, ref = access_thread(
            request.user, form.cleaned_data["case"], form.cleaned_data["key"]
        )
        actions.file_triaged(mail, ref, actor=request.user)
        return _("The e-mail was filed into the thread.")

    return perform(
        request,
        form,
        act,
        success_url=back,
        render_again=lambda f: _detail(request, mail, file_form=f),  # type: ignore[arg-type]
    )


@login_required
@require_POST
def triage_discard(request: HttpRequest, mail_id: int) -> HttpResponse:
    mail = access_inbound(request.user, mail_id)
    form = DiscardForm(request.POST)

    def act() -> str:
        actions.discard_triaged(mail, actor=request.user, reason=form.cleaned_data["reason"])
        return _("The e-mail was discarded; it stays stored.")

    return perform(
        request,
        form,
        act,
        success_url=reverse("messaging:triage_list"),
        render_again=lambda f: _detail(request, mail, discard_form=f),  # type: ignore[arg-type]
    )


def _download(key: str, filename: str) -> FileResponse:
    response = FileResponse(open_private(key), content_type="application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(filename)
    for header, value in DOWNLOAD_HEADERS.items():
        response.headers[header] = value
    return response


@login_required
@require_GET
def triage_attachment(request: HttpRequest, mail_id: int, attachment_id: int) -> FileResponse:
    mail = access_inbound(request.user, mail_id)
    found = mail.attachments.filter(pk=attachment_id).first()
    if found is None:
        raise Http404
    return _download(found.storage_key, found.filename)


@login_required
@require_GET
def triage_raw(request: HttpRequest, mail_id: int) -> FileResponse:
    mail = access_inbound(request.user, mail_id)
    return _download(mail.raw_key, f"message-{mail.pk}.eml")
