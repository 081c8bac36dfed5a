"""Case threads, messages and the notification centre.

Every view reaches its thread through ``access.access_thread`` (or the case through
``access.case_viewer``); anything the user may not read is a 404. Mutations are POST
only and call ``actions``; a refusal is shown as a message and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kakehashi.core.perform import perform
from kakehashi.core.storage import open_private
from kakehashi.core.workflow import WorkflowError
from kakehashi.intake.downloads import DOWNLOAD_HEADERS, content_disposition

from . import actions
from .access import Viewer, access_thread, case_viewer
from .choices import MailFrequency
from .forms import BroadcastForm, EditForm, MailPreferenceForm, MessageForm, TopicForm
from .mail import user_of_token
from .models import Message, MessageAttachment, Notification, ReadMarker
from .queries import recent_broadcasts, thread_overview

PAGE_SIZE = 50


def _thread_url(case_id: int, key: str) -> str:
    return reverse("messaging:thread", kwargs={"case_id": case_id, "key": key})


def _user(request: HttpRequest) -> Any:
    """The signed-in user (``login_required`` guarantees one)."""
    return request.user


def _errors(form: object) -> str:
    return "; ".join(str(e) for errs in form.errors.values() for e in errs)  # type: ignore[attr-defined]


def _case_threads_page(
    request: HttpRequest, viewer: Viewer, broadcast_form: BroadcastForm | None = None
) -> HttpResponse:
    coordinates = viewer.coordinates
    overview = thread_overview(viewer, request.GET.get("page"))
    # One reverse() for every row's link: the keys differ only in the last segment.
    thread_base = _thread_url(viewer.case.pk, "general").removesuffix("general/")
    return render(
        request,
        "messaging/case_threads.html",
        {
            "viewer": viewer,
            "case": viewer.case,
            "rows": overview.rows,
            "vendor_page": overview.vendor_page,
            "thread_base": thread_base,
            "topic_form": TopicForm(case=viewer.case) if coordinates else None,
            "broadcast_form": (broadcast_form or BroadcastForm()) if coordinates else None,
            "broadcasts": recent_broadcasts(viewer.case) if coordinates else [],
        },
    )


@login_required
@require_GET
def case_threads(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_threads_page(request, case_viewer(request.user, case_id))


@login_required
@require_POST
def post_to_all_vendors(request: HttpRequest, case_id: int) -> HttpResponse:
    """One message to every vendor's private thread; the copies are posted by jobs."""
    viewer = case_viewer(request.user, case_id)
    if not viewer.coordinates:
        raise Http404
    form = BroadcastForm(request.POST)

    def act() -> str:
        broadcast = actions.post_to_all_vendors(viewer, body=form.cleaned_data["body"])
        return ngettext(
            "The message is being posted to the private thread of %(n)d vendor.",
            "The message is being posted to the private threads of %(n)d vendors.",
            broadcast.vendor_count,
        ) % {"n": broadcast.vendor_count}

    return perform(
        request,
        form,
        act,
        success_url=reverse("messaging:case_threads", kwargs={"case_id": case_id}),
        render_again=lambda bound: _case_threads_page(request, viewer, bound),  # type: ignore[arg-type]
    )


@login_required
@require_GET
def thread(request: HttpRequest, case_id: int, key: str) -> HttpResponse:
    viewer, ref = access_thread(request.user, case_id, key)
    page = None
    read_up_to = 0
    if ref.thread is not None:
        marker = ReadMarker.objects.filter(thread=ref.thread, user=_user(request)).first()
        read_up_to = marker.last_read_id if marker else 0
        listing = (
            Message.objects.filter(thread=ref.thread)
            .select_related("author", "quoted__author", "sender_participant__organisation")
            .prefetch_related("attachments")
            .order_by("id")
        )
        paginator = Paginator(listing, PAGE_SIZE)
        number = request.GET.get("page")
        if number is None and ref.thread.message_count:
            # Open where the user stopped reading: the page of the first unread message.
            before = Message.objects.filter(thread=ref.thread, id__lte=read_up_to).count()
            number = str(min(before // PAGE_SIZE + 1, paginator.num_pages))
        if number == "last":
            number = str(paginator.num_pages)
        page = paginator.get_page(number)
        shown = [m.pk for m in page.object_list]
        if shown:
            actions.mark_read(ref.thread, user=request.user, up_to=max(shown))
        else:
            actions.mark_read(ref.thread, user=request.user, up_to=0)
    return render(
        request,
        "messaging/thread.html",
        {
            "viewer": viewer,
            "case": ref.case,
            "ref": ref,
            "key": key,
            "page": page,
            "read_up_to": read_up_to,
            "form": MessageForm(initial={"quoted": request.GET.get("quote") or None}),
        },
    )


@login_required
@require_POST
def post(request: HttpRequest, case_id: int, key: str) -> HttpResponse:
    _viewer, ref = access_thread(request.user, case_id, key)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Nothing was sent: %(errors)s") % {"errors": _errors(form)})
        return redirect(_thread_url(case_id, key))
    try:
        actions.post_message(
            ref,
            actor=request.user,
            body=form.cleaned_data["body"],
            uploads=form.cleaned_data["attachments"],
            quoted_id=form.cleaned_data["quoted"],
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(_thread_url(case_id, key))
    messages.success(request, _("Message sent."))
    return redirect(_thread_url(case_id, key) + "?page=last")


def _message_of(request: HttpRequest, case_id: int, key: str, message_id: int) -> Message:
    _viewer, ref = access_thread(request.user, case_id, key)
    if ref.thread is None:
        raise Http404
    message = (
        Message.objects.filter(thread=ref.thread, pk=message_id)
        .select_related("thread__case")
        .first()
    )
    if message is None:
        raise Http404
    return message


@login_required
@require_POST
def edit(request: HttpRequest, case_id: int, key: str, message_id: int) -> HttpResponse:
    message = _message_of(request, case_id, key, message_id)
    form = EditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": _errors(form)})
    else:
        try:
            actions.edit_message(
                message,
                actor=request.user,
                body=form.cleaned_data["body"],
                version=form.cleaned_data["version"],
            )
            messages.success(request, _("Message edited; the earlier text is kept."))
        except WorkflowError as error:
            messages.error(request, str(error))
    return redirect(_thread_url(case_id, key) + f"#m{message.pk}")


@login_required
@require_GET
def history(request: HttpRequest, case_id: int, key: str, message_id: int) -> HttpResponse:
    message = _message_of(request, case_id, key, message_id)
    versions = message.versions.select_related("written_by").order_by("-number")
    return render(
        request,
        "messaging/history.html",
        {"case": message.thread.case, "key": key, "message": message, "versions": versions},
    )


@login_required
@require_GET
def attachment(request: HttpRequest, case_id: int, key: str, attachment_id: int) -> FileResponse:
    _viewer, ref = access_thread(request.user, case_id, key)
    found = MessageAttachment.objects.filter(pk=attachment_id, message__thread=ref.thread).first()
    if ref.thread is None or found is None:
        raise Http404
    response = FileResponse(
        open_private(found.storage_key), content_type="application/octet-stream"
    )
    response.headers["Content-Disposition"] = content_disposition(found.filename)
    for header, value in DOWNLOAD_HEADERS.items():
        response.headers[header] = value
    return response


@login_required
@require_POST
def open_topic(request: HttpRequest, case_id: int) -> HttpResponse:
    viewer = case_viewer(request.user, case_id)
    if not viewer.coordinates:
        raise Http404
    form = TopicForm(request.POST, case=viewer.case)
    back = reverse("messaging:case_threads", kwargs={"case_id": case_id})
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": _errors(form)})
        return redirect(back)
    try:
        topic = actions.open_topic(
            viewer,
            title=form.cleaned_data["title"],
            audience=form.cleaned_data["audience"],
            finder_included=form.cleaned_data["finder_included"],
            vulnerability=form.cleaned_data["vulnerability"],
            product=form.cleaned_data["product"],
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(back)
    return redirect(_thread_url(case_id, topic.key))


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    rows = (
        Notification.objects.filter(user=_user(request))
        .select_related("case", "thread", "message__author")
        .order_by("-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "messaging/notifications.html", {"page": page})


@login_required
@require_GET
def notification_count(request: HttpRequest) -> HttpResponse:
    count = Notification.objects.filter(user=_user(request), read_at__isnull=True).count()
    return render(request, "messaging/_count.html", {"count": count})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    actions.mark_notifications_read(request.user)
    return redirect("messaging:notifications")


@login_required
@require_POST
def mail_preference(request: HttpRequest) -> HttpResponse:
    form = MailPreferenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": _errors(form)})
    else:
        actions.set_mail_frequency(_user(request), form.cleaned_data["frequency"])
        messages.success(request, _("Your e-mail preference was saved."))
    return redirect("accounts:preferences")


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The digest's unsubscribe link: GET asks (mail scanners follow links), POST acts.
    A forged or altered token is a 404 and changes nothing."""
    user = user_of_token(token)
    if user is None:
        raise Http404
    if request.method == "POST":
        actions.set_mail_frequency(user, MailFrequency.NEVER, via="unsubscribe link")
        return render(request, "messaging/unsubscribe.html", {"done": True})
    return render(request, "messaging/unsubscribe.html", {"done": False})
