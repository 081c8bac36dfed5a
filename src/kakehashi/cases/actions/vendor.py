"""What a vendor does in its case (the vendor portal and the vendor API): acknowledge
the notice, report its verification, give the countermeasure and 対応状況, name its
tracking ID, share its statuses, ask for another publication date, and point at
another vendor's product. The coordinator answers the date requests here too.

Each change is audited and written to the case timeline as a ``StateChange`` of the
machine ``"vendor"`` (``cases.timeline`` describes them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import Role
from kakehashi.core import audit
from kakehashi.core.workflow import ConcurrentChange, GuardFailed, InvalidInput

from ..choices import (
    ContactChannel,
    ContactOutcome,
    ParticipantRole,
    ResponseStatus,
    ScheduleChangeReason,
    ScheduleRequestStatus,
    VerificationResult,
)
from ..models import (
    Case,
    ContactAttempt,
    Participant,
    ScheduleRequest,
    StateChange,
    VendorReferral,
    VendorResponse,
)
from ._common import (
    COORDINATING_ROLES,
    actor_roles,
    claimed,
    lock_case,
    require,
    require_coordinator,
    require_open,
)

VENDOR_ROLES = frozenset({Role.VENDOR_PSIRT, Role.VENDOR_ADMIN})
PORTAL_ADDRESS = "portal"  # the ContactAttempt address of an answer given in the portal


def _require_vendor(
    actor: Any, case: Case, participant: Participant, *, coordinator_too: bool = False
) -> None:
    """``participant`` is a current vendor of ``case`` and ``actor`` speaks for it
    (or, where the coordinator may record an answer given by phone, coordinates)."""
    if (
        participant.case_id != case.pk
        or participant.role != ParticipantRole.VENDOR
        or not participant.is_current
    ):
        raise InvalidInput(_("This vendor is not in the case."))
    roles = actor_roles(actor, case, participant)
    allowed = VENDOR_ROLES | (COORDINATING_ROLES if coordinator_too else frozenset())
    if not roles & allowed:
        raise GuardFailed(_("Only the vendor itself may do this."))


def _timeline(
    case: Case,
    participant: Participant,
    event: str,
    *,
    actor: Any,
    value: str = "",
    note: str = "",
) -> None:
    StateChange.objects.create(
        case=case,
        participant=participant,
        machine="vendor",
        event=event,
        from_state="",
        to_state=value[:32],
        actor=actor,
        note=note,
    )


def _clean(text: str, limit: int, what: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise InvalidInput(
            _("%(what)s is too long: at most %(limit)d characters.")
            % {"what": what, "limit": limit}
        )
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise InvalidInput(_("%(what)s contains control characters.") % {"what": what})
    return text


# --- Acknowledging the notice ------------------------------------------------------


def acknowledge_notice(case: Case, participant: Participant, *, actor: Any) -> ContactAttempt:
    """The vendor confirms it received the notice: an answered contact attempt through
    the portal, with what every answer brings (RM receive, CS V, acknowledged_at)."""
    from .participants import _after_contact

    _require_vendor(actor, case, participant)
    with claimed(case):
        require_open(case)
        fresh = Participant.objects.select_for_update().get(pk=participant.pk)
        require(fresh.acknowledged_at is None, _("The notice was already acknowledged."))
        attempt = ContactAttempt.objects.create(
            case=case,
            participant=participant,
            channel=ContactChannel.WEB,
            address=PORTAL_ADDRESS,
            outcome=ContactOutcome.ACKNOWLEDGED,
            note=_("Acknowledged in the vendor portal."),
            recorded_by=actor,
        )
        audit.record(
            "vendor.acknowledged",
            actor=actor,
            subject=participant,
            case_id=case.pk,
            summary=f"{case.reference}: {participant} acknowledged",
        )
        _after_contact(case, participant, attempt, actor)
    return attempt


# --- The vendor's answer: verification, countermeasure, tracking ID, sharing --------


def _update_response(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    event: str,
    values: dict[str, Any],
    expected_version: int | None,
    value: str = "",
    note: str = "",
) -> VendorResponse:
    """Change the vendor's answer if it is still at ``expected_version`` (None: as it
    is now), in the timeline and the audit log."""
    with transaction.atomic():
        lock_case(case)
        require_open(case)
        response = _response_for_update(participant)
        if expected_version is not None and expected_version != response.version:
            raise ConcurrentChange
        changed = VendorResponse.objects.filter(pk=response.pk, version=response.version).update(
            version=response.version + 1, updated_at=timezone.now(), updated_by=actor, **values
        )
        if changed != 1:
            raise ConcurrentChange
        response.refresh_from_db()
        _timeline(case, participant, event, actor=actor, value=value, note=note)
        audit.record(
            f"vendor.{event}",
            actor=actor,
            subject=response,
            case_id=case.pk,
            summary=f"{case.reference}: {participant} {event}",
            data={"version": response.version, **{k: str(v) for k, v in values.items()}},
        )
    return response


def _response_for_update(participant: Participant) -> VendorResponse:
    response = VendorResponse.objects.select_for_update().filter(participant=participant).first()
    if response is not None:
        return response
    try:
        with transaction.atomic():
            return VendorResponse.objects.create(participant=participant)
    except IntegrityError as error:  # another member created it at the same moment
        raise ConcurrentChange from error


def report_verification(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    result: str,
    note: str = "",
    expected_version: int | None = None,
) -> VendorResponse:
    """The vendor's 脆弱性検証: confirmed, not reproducible, not a vulnerability, or
    in another vendor's product. Anything but "confirmed" needs an explanation."""
    if result not in VerificationResult.values:
        raise InvalidInput(_("Choose a verification result."))
    note = _clean(note, 5000, _("The note"))
    if result != VerificationResult.CONFIRMED and not note:
        raise InvalidInput(_("Explain the result in the note."))
    _require_vendor(actor, case, participant, coordinator_too=True)
    return _update_response(
        case,
        participant,
        actor=actor,
        event="verification",
        values={"verification": result, "verification_note": note, "verified_at": timezone.now()},
        expected_version=expected_version,
        value=result,
        note=note,
    )


def record_countermeasure(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    response_status: str,
    workaround_ja: str = "",
    workaround_en: str = "",
    fix_ja: str = "",
    fix_en: str = "",
    fixed_versions: str = "",
    expected_version: int | None = None,
) -> VendorResponse:
    """The countermeasure (対策方法: workaround and/or fix, fixed versions) and the
    response status (対応状況) as the vendor table of the advisory will show them."""
    if response_status not in ResponseStatus.values:
        raise InvalidInput(_("Choose the response status."))
    texts = {
        "workaround_ja": _clean(workaround_ja, 5000, _("The workaround")),
        "workaround_en": _clean(workaround_en, 5000, _("The workaround")),
        "fix_ja": _clean(fix_ja, 5000, _("The fix")),
        "fix_en": _clean(fix_en, 5000, _("The fix")),
        "fixed_versions": _clean(fixed_versions, 300, _("The fixed versions")),
    }
    if response_status == ResponseStatus.FIX_RELEASED and not texts["fixed_versions"]:
        raise InvalidInput(_("A released countermeasure needs the fixed versions."))
    if response_status == ResponseStatus.FIX_RELEASED and not (texts["fix_ja"] or texts["fix_en"]):
        raise InvalidInput(_("Describe the fix in Japanese or English."))
    if response_status == ResponseStatus.WORKAROUND_ONLY and not (
        texts["workaround_ja"] or texts["workaround_en"]
    ):
        raise InvalidInput(_("Describe the workaround in Japanese or English."))
    _require_vendor(actor, case, participant, coordinator_too=True)
    return _update_response(
        case,
        participant,
        actor=actor,
        event="countermeasure",
        values={"response_status": response_status, **texts},
        expected_version=expected_version,
        value=response_status,
    )


def set_tracking_id(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    tracking_id: str,
    expected_version: int | None = None,
) -> VendorResponse:
    """The vendor's own reference for the case (shown to the coordinator, in mail)."""
    tracking_id = _clean(tracking_id, 100, _("The tracking ID"))
    if "\n" in tracking_id or "\r" in tracking_id or "\t" in tracking_id:
        raise InvalidInput(_("The tracking ID must be one line."))
    _require_vendor(actor, case, participant, coordinator_too=True)
    return _update_response(
        case,
        participant,
        actor=actor,
        event="tracking_id",
        values={"tracking_id": tracking_id},
        expected_version=expected_version,
        note=tracking_id,
    )


def set_status_sharing(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    share: bool,
    expected_version: int | None = None,
) -> VendorResponse:
    """Whether the other vendors of the case may see this vendor's statuses. Only the
    vendor decides this."""
    _require_vendor(actor, case, participant)
    return _update_response(
        case,
        participant,
        actor=actor,
        event="sharing",
        values={"shares_statuses": bool(share)},
        expected_version=expected_version,
        value="on" if share else "off",
    )


# --- Publication date requests -----------------------------------------------------


def request_schedule_change(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    requested_target: datetime,
    reason: str,
) -> ScheduleRequest:
    """The vendor asks for another target publication, with its reason; one open
    request per vendor at a time."""
    reason = _clean(reason, 5000, _("The reason"))
    if not reason:
        raise InvalidInput(_("Give the reason for the new date."))
    if requested_target <= timezone.now():
        raise InvalidInput(_("The requested date must be in the future."))
    if requested_target == case.target_publication_at:
        raise InvalidInput(_("That is already the target."))
    _require_vendor(actor, case, participant)
    with transaction.atomic():
        lock_case(case)
        require_open(case)
        require(
            not ScheduleRequest.objects.filter(
                participant=participant, status=ScheduleRequestStatus.OPEN
            ).exists(),
            _("Your earlier request is still open: wait for the coordinator's answer."),
        )
        request = ScheduleRequest.objects.create(
            case=case,
            participant=participant,
            requested_target=requested_target,
            reason=reason,
            requested_by=actor,
        )
        _timeline(
            case,
            participant,
            "schedule_request",
            actor=actor,
            value=requested_target.isoformat(),
            note=reason,
        )
        audit.record(
            "vendor.schedule_requested",
            actor=actor,
            subject=request,
            case_id=case.pk,
            summary=f"{case.reference}: {participant} asks {requested_target.isoformat()}",
        )
    return request


def decide_schedule_request(
    case: Case,
    request: ScheduleRequest,
    *,
    actor: Any,
    grant: bool,
    note: str = "",
    revision: int | None = None,
) -> tuple[ScheduleRequest, list[str]]:
    """The coordinator grants a request (the target moves through ``change_schedule``,
    which tells every participant) or refuses it with a note for the vendor."""
    from .events import change_schedule

    note = _clean(note, 5000, _("The note"))
    if request.case_id != case.pk:
        raise InvalidInput(_("This request is not in the case."))
    if not grant and not note:
        raise InvalidInput(_("Tell the vendor why the request is refused."))
    warnings: list[str] = []
    with transaction.atomic():
        require_coordinator(actor, case)
        if grant:
            _change, warnings = change_schedule(
                case,
                actor=actor,
                new_target=request.requested_target,
                reason=ScheduleChangeReason.VENDOR_REQUEST,
                note=request.reason,
                revision=revision,
            )
        else:
            lock_case(case)
            require_open(case)
        status = ScheduleRequestStatus.GRANTED if grant else ScheduleRequestStatus.REFUSED
        changed = ScheduleRequest.objects.filter(
            pk=request.pk, status=ScheduleRequestStatus.OPEN
        ).update(status=status, decision_note=note, decided_by=actor, decided_at=timezone.now())
        if changed != 1:
            raise GuardFailed(_("This request was already answered."))
        request.refresh_from_db()
        _timeline(case, request.participant, f"schedule_{status}", actor=actor, note=note)
        audit.record(
            f"vendor.schedule_{status}",
            actor=actor,
            subject=request,
            case_id=case.pk,
            summary=f"{case.reference}: {request.participant} {status}",
        )
    return request, warnings


# --- Another vendor's product ----------------------------------------------------------


def refer_to_other_vendor(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    vendor_name: str,
    product: str = "",
    note: str = "",
) -> VendorReferral:
    """The vendor tells the coordinator the flaw lies in another vendor's product
    (a library, an OEM part); the coordinator may then add that vendor."""
    vendor_name = _clean(vendor_name, 200, _("The vendor's name"))
    product = _clean(product, 200, _("The product"))
    note = _clean(note, 5000, _("The note"))
    if not vendor_name:
        raise InvalidInput(_("Name the other vendor."))
    _require_vendor(actor, case, participant)
    with transaction.atomic():
        lock_case(case)
        require_open(case)
        referral = VendorReferral.objects.create(
            case=case,
            participant=participant,
            vendor_name=vendor_name,
            product=product,
            note=note,
            referred_by=actor,
        )
        _timeline(
            case, participant, "referral", actor=actor, note=f"{vendor_name} {product}".strip()
        )
        audit.record(
            "vendor.referral",
            actor=actor,
            subject=referral,
            case_id=case.pk,
            summary=f"{case.reference}: {participant} → {vendor_name}",
        )
    return referral
