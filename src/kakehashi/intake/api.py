"""API: a finder files a report (with a token or anonymously), reads its own reports and
adds information to them — the same actions as the report form and the status page
(STYLE point 8).

Submission takes the form's limits: the same validation (``actions.validate_report``),
the same file limits (``files.check_sizes``) and the same hourly rate limits per client
IP and per e-mail address (``intake.ratelimit``, shared with the form). Reads are by
account only: a token speaks for its user, never for a browser's follow-up links, and
another finder's report is 404 like one that does not exist. A finder never sees the
case a report became, only that it was forwarded.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Any, Literal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field

from kakehashi.api.auth import TokenAuth, require_scope
from kakehashi.api.schemas import Error, FieldRefusal, Input, Refusal, UtcInstant
from kakehashi.core.audit import client_ip
from kakehashi.core.workflow import InvalidInput

from . import actions, files, ratelimit
from .access import access_own_report, own_reports
from .actions.submit import REPORT_FIELDS, follow_up_url
from .choices import SelfCoordination, Track
from .forms import ENCRYPTED_FILE_MAX_BYTES, LONG_TEXT
from .models import Report, ReportAttachment, ReportMessage
from .workflow import ReportState

router = Router(tags=["reports"])

READ = {401: Error, 403: Refusal, 404: Error, 422: Refusal}
SUBMIT = {401: Error, 403: Refusal, 409: Refusal, 413: Error, 422: FieldRefusal, 429: Error}
REPLY = {401: Error, 403: Refusal, 404: Error, 409: Refusal, 413: Error, 422: FieldRefusal}

Language = Literal["ja", "en"]


def anonymous_finder(request: HttpRequest) -> str | None:
    """The other way in to ``POST /reports``: no ``Authorization`` header at all. A
    header that ``TokenAuth`` refused (a wrong, expired or revoked token) stays a 401,
    never an anonymous report. The browser's session is ignored either way: without a
    token, a report is anonymous, so no other site can file one in a signed-in user's
    name."""
    return None if request.headers.get("Authorization") else "anonymous"


# --- Schemas --------------------------------------------------------------------------


class AttachmentIn(Input):
    name: str = Field(
        max_length=255,
        description="The file name, kept as text only (Japanese names are preserved).",
    )
    content_base64: str = Field(
        description="The file's bytes, base64-encoded. The type is read from the bytes, "
        "never from the name."
    )


class ReportIn(Input):
    """A report as the form files it. Text fields default to empty: what is required
    depends on the track and is refused field by field (422 with ``errors``)."""

    track: Track
    language: Language | None = Field(
        None, description="The language the desk writes to you in; default: the request's."
    )
    title: str = Field("", max_length=300, description="Summary in one line (required).")
    product_name: str = Field("", max_length=200, description="Required for products.")
    product_version: str = Field("", max_length=200)
    vendor_name: str = Field("", max_length=200)
    site_url: str = Field("", max_length=500, description="http(s); required for websites.")
    description: str = Field(
        "", max_length=LONG_TEXT, description="Required unless encrypted_body is given."
    )
    environment: str = Field("", max_length=LONG_TEXT)
    reproduction: str = Field("", max_length=LONG_TEXT)
    impact: str = Field("", max_length=LONG_TEXT)
    cvss_v3_vector: str = Field("", max_length=200, description="CVSS:3.1/AV:…")
    other_organisations_told: str = Field("", max_length=LONG_TEXT)
    self_coordination: SelfCoordination = SelfCoordination.NOT_TOLD
    planned_talk_title: str = Field("", max_length=300)
    planned_talk_venue: str = Field("", max_length=300)
    planned_talk_date: date | None = None
    wanted_publication_at: AwareDatetime | None = Field(
        None, description="Self-reports only: when the vendor wants the advisory published."
    )
    cve_requested: bool = Field(False, description="Self-reports only: a CVE ID is asked for.")
    finder_name: str = Field("", max_length=200)
    finder_email: str = Field(
        "", max_length=254, description="Receipt and questions go here (else to the account)."
    )
    finder_phone: str = Field("", max_length=40)
    finder_affiliation: str = Field("", max_length=200)
    share_identity_with_vendor: bool = False
    allow_direct_contact: bool = False
    publish_credit: bool = False
    credit_name: str = Field("", max_length=200)
    personal_data_note: str = Field("", max_length=LONG_TEXT)
    encrypted_body: str = Field(
        "",
        max_length=ENCRYPTED_FILE_MAX_BYTES,
        description="An ASCII-armoured PGP message to the reception's key, instead of "
        "the description.",
    )
    attachments: list[AttachmentIn] = Field(
        default_factory=list,
        description="Files, within KAKEHASHI_ATTACHMENT_MAX_FILES / _MAX_BYTES and the "
        "request body limit (KAKEHASHI_MAX_BODY_BYTES, else 413).",
    )


class MessageIn(Input):
    body: str = Field("", max_length=LONG_TEXT)
    attachments: list[AttachmentIn] = Field(default_factory=list)


class ReportFilters(Input):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class SubmittedOut(Schema):
    id: int
    tracking_id: str
    state: str
    follow_up_url: str | None = Field(
        description="Anonymous submissions only: the secret link to follow the report. "
        "Shown this once; only its hash is kept."
    )


class AttachmentOut(Schema):
    id: int
    filename: str
    size: int
    detected_type: str
    quarantined: bool
    uploaded_at: UtcInstant


class MessageOut(Schema):
    id: int
    from_finder: bool
    is_question: bool
    body: str
    created_at: UtcInstant
    attachments: list[AttachmentOut]


class ReportSummaryOut(Schema):
    id: int
    tracking_id: str
    track: str
    title: str
    state: str
    state_label: str
    submitted_at: UtcInstant
    acknowledged_at: UtcInstant | None
    accepted_at: UtcInstant | None
    decided_at: UtcInstant | None
    closed_at: UtcInstant | None
    rejection_reason: str
    rejection_reason_label: str
    forwarded: bool = Field(description="Passed on to coordination (the case is not shown).")


class ReportOut(ReportSummaryOut):
    language: str
    decision_note: str
    closure_reason: str
    closure_reason_label: str
    closure_note: str
    site_state: str | None = Field(description="Websites only: the handling with the operator.")
    open_question: bool = Field(description="The desk asked a question; answer with a message.")
    accepts_messages: bool
    product_name: str
    product_version: str
    vendor_name: str
    site_url: str
    description: str
    environment: str
    reproduction: str
    impact: str
    cvss_v3_vector: str
    cvss_v3_score: float | None
    other_organisations_told: str
    self_coordination: str
    planned_talk_title: str
    planned_talk_venue: str
    planned_talk_date: date | None
    wanted_publication_at: UtcInstant | None
    cve_requested: bool
    encrypted: bool
    decrypted: bool
    finder_name: str
    finder_email: str
    finder_phone: str
    finder_affiliation: str
    share_identity_with_vendor: bool
    allow_direct_contact: bool
    publish_credit: bool
    credit_name: str
    personal_data_note: str
    attachments: list[AttachmentOut] = Field(description="Files sent with the report.")
    messages: list[MessageOut] = Field(description="The conversation with the desk, oldest first.")


class ReportPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReportSummaryOut]


CLOSED_TO_MESSAGES = frozenset({ReportState.CLOSED, ReportState.REJECTED})


def _summary(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "tracking_id": report.tracking_id,
        "track": report.track,
        "title": report.title,
        "state": report.state,
        "state_label": str(report.get_state_display()),
        "submitted_at": report.submitted_at,
        "acknowledged_at": report.acknowledged_at,
        "accepted_at": report.accepted_at,
        "decided_at": report.decided_at,
        "closed_at": report.closed_at,
        "rejection_reason": report.rejection_reason,
        "rejection_reason_label": (
            str(report.get_rejection_reason_display()) if report.rejection_reason else ""
        ),
        "forwarded": report.case_id is not None,
    }


def _attachment(attachment: ReportAttachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        filename=attachment.filename,
        size=attachment.size,
        detected_type=attachment.detected_type,
        quarantined=attachment.quarantined,
        uploaded_at=attachment.uploaded_at,
    )


def _message(message: ReportMessage) -> MessageOut:
    return MessageOut(
        id=message.pk,
        from_finder=message.from_finder,
        is_question=message.is_question,
        body=message.body,
        created_at=message.created_at,
        attachments=[_attachment(a) for a in message.attachments.all()],
    )


# What the finder sent, echoed back: the submission's own fields but the title (in the
# summary) and the encrypted body (never echoed).
_SUBMITTED_FIELDS = tuple(f for f in REPORT_FIELDS if f not in ("title", "encrypted_body"))


def _detail(report: Report) -> ReportOut:
    """The finder's view of its report: three queries whatever its size."""
    files_given = [a for a in report.attachments.all() if a.message_id is None]
    messages = report.messages.prefetch_related("attachments")
    return ReportOut(
        **_summary(report),
        **{name: getattr(report, name) for name in _SUBMITTED_FIELDS},
        language=report.language,
        decision_note=report.decision_note,
        closure_reason=report.closure_reason,
        closure_reason_label=(
            str(report.get_closure_reason_display()) if report.closure_reason else ""
        ),
        closure_note=report.closure_note,
        site_state=report.site_state if report.is_website else None,
        open_question=report.state == ReportState.NEEDS_INFO,
        accepts_messages=report.state not in CLOSED_TO_MESSAGES,
        cvss_v3_score=float(report.cvss_v3_score) if report.cvss_v3_score is not None else None,
        encrypted=bool(report.encrypted_body),
        decrypted=report.decrypted_at is not None,
        attachments=[_attachment(a) for a in files_given],
        messages=[_message(m) for m in messages],
    )


# --- Helpers ----------------------------------------------------------------------------


def _token_user(request: HttpRequest) -> Any:
    """The token's user, or None for an anonymous call (whatever the session says)."""
    token = getattr(request, "api_token", None)
    return token.user if token is not None else None


def _own(request: HttpRequest, report_id: int, scope: str) -> Report:
    """One of the caller's own reports; another finder's is 404 like a missing one."""
    require_scope(request, scope)
    return access_own_report(_token_user(request), report_id)


def _decoded(attachments: list[AttachmentIn]) -> list[SimpleUploadedFile]:
    """The files as uploads; ReportInvalid naming the first that is not base64."""
    uploads = []
    for attachment in attachments:
        try:
            content = base64.b64decode("".join(attachment.content_base64.split()), validate=True)
        except (binascii.Error, ValueError):
            message = _("“%(name)s” is not valid base64.") % {
                "name": files.clean_filename(attachment.name)
            }
            raise actions.ReportInvalid({"attachments": message}) from None
        # The claimed type is never used: files.store reads the type from the bytes.
        uploads.append(SimpleUploadedFile(attachment.name, content, "application/octet-stream"))
    return uploads


def _language(wanted: str | None) -> str:
    if wanted:
        return wanted
    current = (get_language() or "")[:2]
    return current if current in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _refused(errors: dict[str, str]) -> Status[FieldRefusal]:
    return Status(
        422, FieldRefusal(detail=" ".join(errors.values()), code="ReportInvalid", errors=errors)
    )


# --- Endpoints --------------------------------------------------------------------------


@router.post(
    "",
    auth=[TokenAuth(), anonymous_finder],
    response={201: SubmittedOut, **SUBMIT},
    summary="File a report (with a token, or anonymously)",
    description=(
        "Without an Authorization header the report is anonymous and the answer carries "
        "its secret follow-up link, once. With a bearer token (scope `write`) the report "
        "belongs to the token's user and appears in GET /reports. Either way the hourly "
        "limits per client IP and per e-mail address of the report form apply (429 with "
        "Retry-After). Refused fields answer 422 with `errors` {field: message}."
    ),
    openapi_extra={"security": [{}]},  # ninja adds TokenAuth; {} is "or none"
)
def submit_report(
    request: HttpRequest, body: ReportIn, response: HttpResponse
) -> Status[SubmittedOut] | Status[FieldRefusal] | Status[Error]:
    user = _token_user(request)
    if user is not None:
        require_scope(request, "write")
    data = body.model_dump(exclude={"track", "language", "attachments"})
    data["self_coordination"] = body.self_coordination.value
    errors: dict[str, str] = {}
    try:
        uploads = _decoded(body.attachments)
        files.check_sizes(uploads)
    except actions.ReportInvalid as refused:
        uploads, errors = [], dict(refused.errors)
    except InvalidInput as refused:
        uploads, errors = [], {"attachments": str(refused)}
    try:
        actions.validate_report(body.track.value, data)
    except actions.ReportInvalid as refused:
        errors = {**refused.errors, **errors}
    if errors:
        return _refused(errors)
    email = body.finder_email.strip() or getattr(user, "email", "")
    ip = client_ip(request)
    if (limited := ratelimit.check_report_rate(ip, email)) is not None:
        response["Retry-After"] = str(limited.retry_after)
        minutes = max(1, (limited.retry_after + 59) // 60)
        return Status(
            429,
            Error(
                detail=_("Too many reports from this address. Try again in %(minutes)d minutes.")
                % {"minutes": minutes}
            ),
        )
    try:
        submitted = actions.submit_report(
            track=body.track.value,
            language=_language(body.language),
            data=data,
            uploads=uploads,
            finder_user=user,
        )
    except actions.ReportInvalid as refused:
        return _refused(refused.errors)
    ratelimit.count_report(ip, email)
    report = submitted.report
    return Status(
        201,
        SubmittedOut(
            id=report.pk,
            tracking_id=report.tracking_id,
            state=report.state,
            follow_up_url=(
                None if user is not None else follow_up_url(report, submitted.follow_up_secret)
            ),
        ),
    )


@router.get("", response={200: ReportPage, **READ}, summary="The caller's own reports")
def list_reports(request: HttpRequest, filters: Query[ReportFilters]) -> ReportPage:
    require_scope(request, "read")
    reports = own_reports(_token_user(request))
    items = reports[filters.offset : filters.offset + filters.limit]
    return ReportPage(
        count=reports.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[ReportSummaryOut(**_summary(r)) for r in items],
    )


@router.get(
    "/{report_id}",
    response={200: ReportOut, **READ},
    summary="One own report, with its files and messages",
)
def get_report(request: HttpRequest, report_id: int) -> ReportOut:
    return _detail(_own(request, report_id, "read"))


@router.post(
    "/{report_id}/messages",
    response={201: MessageOut, **REPLY},
    summary="Add information or answer the desk's question (409 once closed)",
)
def add_message(
    request: HttpRequest, report_id: int, body: MessageIn
) -> Status[MessageOut] | Status[FieldRefusal]:
    report = _own(request, report_id, "write")
    try:
        uploads = _decoded(body.attachments)
    except actions.ReportInvalid as refused:
        return _refused(refused.errors)
    message = actions.finder_reply(report, actor=request.user, body=body.body, uploads=uploads)
    return Status(201, _message(message))
