"""API: a case's threads and messages (STYLE point 8), mounted at ``/api/v1/messaging``.

Every endpoint reaches its case through ``access.case_viewer`` and its thread through
``access.access_thread``, exactly as the HTML views do: a thread the caller may not read
is 404 like one that does not exist, so nothing leaks. Posting, editing, opening a topic
and writing to all vendors call the same ``actions`` as the web forms (same rules,
notifications, outbound mail and audit). Reads need the ``read`` scope and change
nothing (reading does not mark a thread read: ``POST …/read`` does); everything else
needs ``write``. Refusals are ``WorkflowError``s, mapped to 409 / 403 / 422 in
``kakehashi.api.urls``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from kakehashi.api.auth import require_scope
from kakehashi.api.schemas import Error, Input, Refusal, UtcInstant
from kakehashi.cases.models import CaseProduct, Vulnerability
from kakehashi.core.markdown import render_markdown
from kakehashi.core.storage import open_private
from kakehashi.core.workflow import InvalidInput
from kakehashi.intake import files
from kakehashi.intake.api import AttachmentIn
from kakehashi.intake.downloads import DOWNLOAD_HEADERS, content_disposition

from . import actions
from .access import ThreadRef, access_thread, case_viewer
from .choices import TopicAudience
from .models import Message, MessageAttachment, ReadMarker
from .queries import ThreadRow, thread_rows, unread_counts

router = Router(tags=["messaging"])

READ = {401: Error, 403: Refusal, 404: Error, 422: Refusal}
ACTION = {401: Error, 403: Refusal, 404: Error, 409: Refusal, 413: Error, 422: Refusal}
MAX_PAGE = 200


# --- Schemas ---------------------------------------------------------------------------


class ThreadOut(Schema):
    key: str = Field(description='"general", "vendor-<participant id>" or "topic-<id>".')
    kind: str
    title: str = Field(description="A topic's title; empty for the other kinds.")
    vendor: str = Field(description="For a vendor's private thread: the vendor's name.")
    participant_id: int | None
    audience: str | None = Field(description="For a topic: coordination or vendors.")
    finder_included: bool
    vulnerability_id: int | None
    product_id: int | None
    message_count: int
    last_message_id: int | None
    last_message_at: UtcInstant | None
    unread: int = Field(description="Messages after the caller's read marker.")


class AuthorOut(Schema):
    id: int
    username: str
    name: str


class AttachmentOut(Schema):
    id: int
    filename: str
    size: int
    sha256: str
    detected_type: str
    quarantined: bool = Field(description="Flagged by the virus scanner: open with care.")


class MessageOut(Schema):
    id: int
    thread: str = Field(description="The thread's key.")
    author: AuthorOut | None = Field(description="None when the account was deleted.")
    created_at: UtcInstant
    edited_at: UtcInstant | None
    version: int = Field(description="Send it back as version to edit the message.")
    quoted_id: int | None
    body: str = Field(description="The Markdown source, untrusted: never render it raw.")
    body_html: str = Field(description="The Markdown rendered and sanitised by the server.")
    unread: bool = Field(description="After the caller's read marker.")
    attachments: list[AttachmentOut]


class MessagePage(Schema):
    thread: ThreadOut
    read_up_to: int = Field(description="The id of the last message the caller has read.")
    after: int
    limit: int
    items: list[MessageOut]
    next_after: int | None = Field(description="Pass as after for the next page; None: no more.")


class MessagesQuery(Input):
    after: int = Field(
        0, ge=0, description="Only messages with a greater id (read_up_to: the unread ones)."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class MessageIn(Input):
    body: str = Field(description="Markdown; mention a reader with @username.")
    quoted_id: int | None = Field(None, description="A message of the same thread.")
    attachments: list[AttachmentIn] = Field(
        default_factory=list,
        description="Within KAKEHASHI_ATTACHMENT_MAX_FILES / _MAX_BYTES, as for reports.",
    )


class MessageEditIn(Input):
    body: str
    version: int = Field(ge=1, description="The version the caller read; a stale one is 409.")


class ReadIn(Input):
    up_to: int = Field(ge=0, description="The id of the last message read; never moves back.")


class ReadOut(Schema):
    read_up_to: int
    unread: int


class TopicIn(Input):
    title: str = Field(max_length=200)
    audience: TopicAudience
    finder_included: bool = False
    vulnerability_id: int | None = None
    product_id: int | None = None


class AllVendorsIn(Input):
    body: str = Field(description="Markdown, posted to every current vendor's private thread.")


class BroadcastOut(Schema):
    id: int
    vendor_count: int = Field(description="The vendors it is being posted to, by jobs.")


# --- Helpers ---------------------------------------------------------------------------


def _thread_out(row: ThreadRow, unread: int) -> ThreadOut:
    thread = row.thread
    participant = row.participant
    return ThreadOut(
        key=row.key,
        kind=row.kind,
        title=row.title,
        vendor=participant.display_name() if participant is not None else "",
        participant_id=participant.pk if participant is not None else None,
        audience=thread.audience if thread is not None and row.kind == "topic" else None,
        finder_included=bool(thread and thread.finder_included),
        vulnerability_id=thread.vulnerability_id if thread is not None else None,
        product_id=thread.product_id if thread is not None else None,
        message_count=thread.message_count if thread is not None else 0,
        last_message_id=(thread.last_message_id or None) if thread is not None else None,
        last_message_at=thread.last_message_at if thread is not None else None,
        unread=unread,
    )


def _ref_row(ref: ThreadRef, key: str) -> ThreadRow:
    title = ref.thread.title if ref.thread is not None else ""
    return ThreadRow(key, ref.kind, title, ref.participant, ref.thread, False)


def _read_up_to(ref: ThreadRef, user: Any) -> int:
    if ref.thread is None:
        return 0
    marker = ReadMarker.objects.filter(thread=ref.thread, user=user).first()
    return marker.last_read_id if marker is not None else 0


def _unread(ref: ThreadRef, read_up_to: int) -> int:
    if ref.thread is None:
        return 0
    return Message.objects.filter(thread=ref.thread, id__gt=read_up_to).count()


def _message_out(message: Message, key: str, read_up_to: int) -> MessageOut:
    author = message.author
    return MessageOut(
        id=message.pk,
        thread=key,
        author=(
            AuthorOut(id=author.pk, username=author.get_username(), name=str(author))
            if author is not None
            else None
        ),
        created_at=message.created_at,
        edited_at=message.edited_at,
        version=message.version,
        quoted_id=message.quoted_id,
        body=message.body,
        body_html=str(render_markdown(message.body)),
        unread=message.pk > read_up_to,
        attachments=[
            AttachmentOut(
                id=a.pk,
                filename=a.filename,
                size=a.size,
                sha256=a.sha256,
                detected_type=a.detected_type,
                quarantined=a.quarantined,
            )
            for a in message.attachments.all()
        ],
    )


def _decoded(attachments: list[AttachmentIn]) -> list[SimpleUploadedFile]:
    uploads = []
    for attachment in attachments:
        try:
            content = base64.b64decode("".join(attachment.content_base64.split()), validate=True)
        except (binascii.Error, ValueError):
            name = files.clean_filename(attachment.name)
            raise InvalidInput(_("“%(name)s” is not valid base64.") % {"name": name}) from None
        # The claimed name is kept as text only; files.store reads the type from the bytes.
        uploads.append(SimpleUploadedFile(attachment.name, content, "application/octet-stream"))
    return uploads


def _message_of(ref: ThreadRef, message_id: int) -> Message:
    if ref.thread is None:
        raise Http404
    message = (
        Message.objects.filter(thread=ref.thread, pk=message_id)
        .select_related("thread__case", "author")
        .first()
    )
    if message is None:
        raise Http404
    return message


# --- Reads -----------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/threads",
    response={200: list[ThreadOut], **READ},
    summary="The threads of a case the caller may read, with unread counts",
)
def list_threads(request: HttpRequest, case_id: int) -> list[ThreadOut]:
    require_scope(request, "read")
    viewer = case_viewer(request.user, case_id)
    rows = thread_rows(viewer)
    counts = unread_counts([row.thread for row in rows if row.thread is not None], request.user)
    return [_thread_out(row, counts.get(row.thread.pk, 0) if row.thread else 0) for row in rows]


@router.get(
    "/cases/{case_id}/threads/{key}/messages",
    response={200: MessagePage, **READ},
    summary="A thread's messages, oldest first, a page at a time",
)
def list_messages(
    request: HttpRequest, case_id: int, key: str, query: Query[MessagesQuery]
) -> MessagePage:
    require_scope(request, "read")
    _viewer, ref = access_thread(request.user, case_id, key)
    read_up_to = _read_up_to(ref, request.user)
    items: list[Message] = []
    if ref.thread is not None:
        items = list(
            Message.objects.filter(thread=ref.thread, id__gt=query.after)
            .select_related("author")
            .prefetch_related("attachments")
            .order_by("id")[: query.limit + 1]
        )
    more = len(items) > query.limit
    items = items[: query.limit]
    return MessagePage(
        thread=_thread_out(_ref_row(ref, key), _unread(ref, read_up_to)),
        read_up_to=read_up_to,
        after=query.after,
        limit=query.limit,
        items=[_message_out(m, key, read_up_to) for m in items],
        next_after=items[-1].pk if more else None,
    )


@router.get(
    "/cases/{case_id}/threads/{key}/attachments/{attachment_id}",
    response={200: None, **READ},
    summary="Download an attachment (always as application/octet-stream)",
)
def download_attachment(
    request: HttpRequest, case_id: int, key: str, attachment_id: int
) -> FileResponse:
    require_scope(request, "read")
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


# --- Actions ---------------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/threads/{key}/messages",
    response={201: MessageOut, **ACTION},
    summary="Post a message (the first one opens a general or private thread)",
)
def post_message(
    request: HttpRequest, case_id: int, key: str, body: MessageIn
) -> Status[MessageOut]:
    require_scope(request, "write")
    _viewer, ref = access_thread(request.user, case_id, key)
    message = actions.post_message(
        ref,
        actor=request.user,
        body=body.body,
        uploads=_decoded(body.attachments),
        quoted_id=body.quoted_id,
    )
    return Status(201, _message_out(message, key, message.pk))


@router.patch(
    "/cases/{case_id}/threads/{key}/messages/{message_id}",
    response={200: MessageOut, **ACTION},
    summary="Edit one's own message (the earlier text is kept)",
)
def edit_message(
    request: HttpRequest, case_id: int, key: str, message_id: int, body: MessageEditIn
) -> MessageOut:
    require_scope(request, "write")
    _viewer, ref = access_thread(request.user, case_id, key)
    message = actions.edit_message(
        _message_of(ref, message_id), actor=request.user, body=body.body, version=body.version
    )
    return _message_out(message, key, _read_up_to(ref, request.user))


@router.post(
    "/cases/{case_id}/threads/{key}/read",
    response={200: ReadOut, **ACTION},
    summary="Mark the thread read up to a message",
)
def mark_read(request: HttpRequest, case_id: int, key: str, body: ReadIn) -> ReadOut:
    require_scope(request, "write")
    _viewer, ref = access_thread(request.user, case_id, key)
    if ref.thread is not None:
        actions.mark_read(ref.thread, user=request.user, up_to=body.up_to)
    read_up_to = _read_up_to(ref, request.user)
    return ReadOut(read_up_to=read_up_to, unread=_unread(ref, read_up_to))


@router.post(
    "/cases/{case_id}/topics",
    response={201: ThreadOut, **ACTION},
    summary="Open a topic thread (coordinators)",
)
def open_topic(request: HttpRequest, case_id: int, body: TopicIn) -> Status[ThreadOut]:
    require_scope(request, "write")
    viewer = case_viewer(request.user, case_id)
    if not viewer.coordinates:
        raise HttpError(403, _("Only the case's coordinators may open a topic."))
    vulnerability = product = None
    if body.vulnerability_id is not None:
        vulnerability = Vulnerability.objects.filter(
            case=viewer.case, pk=body.vulnerability_id
        ).first()
        if vulnerability is None:
            raise InvalidInput(_("The vulnerability is not one of this case's."))
    if body.product_id is not None:
        product = CaseProduct.objects.filter(case=viewer.case, pk=body.product_id).first()
        if product is None:
            raise InvalidInput(_("The product is not one of this case's."))
    topic = actions.open_topic(
        viewer,
        title=body.title,
        audience=body.audience.value,
        finder_included=body.finder_included,
        vulnerability=vulnerability,
        product=product,
    )
    row = ThreadRow(topic.key, topic.kind, topic.title, None, topic, False)
    return Status(201, _thread_out(row, 0))


@router.post(
    "/cases/{case_id}/all-vendors",
    response={202: BroadcastOut, **ACTION},
    summary="Post one message to every vendor's private thread (coordinators)",
)
def post_to_all_vendors(request: HttpRequest, case_id: int, body: AllVendorsIn) -> Status[Any]:
    require_scope(request, "write")
    viewer = case_viewer(request.user, case_id)
    if not viewer.coordinates:
        raise HttpError(403, _("Only the case's coordinators may write to all vendors."))
    broadcast = actions.post_to_all_vendors(viewer, body=body.body)
    return Status(202, BroadcastOut(id=broadcast.pk, vendor_count=broadcast.vendor_count))
