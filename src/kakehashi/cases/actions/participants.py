"""Participants: joining and leaving, their report management, contact attempts and
what vendors say about each vulnerability."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation
from kakehashi.core import audit
from kakehashi.core.dates import default_target_publication, jst_date, publication_instant
from kakehashi.core.workflow import GuardFailed, InvalidInput

from ..choices import (
    AWARE_OUTCOMES,
    FIX_PATH_ROLES,
    ContactChannel,
    ContactOutcome,
    ParticipantRole,
    ScheduleChangeReason,
    VexJustification,
    VexStatus,
)
from ..models import (
    Case,
    CaseProduct,
    ContactAttempt,
    Participant,
    ScheduleChange,
    StateChange,
    VendorStatus,
    VendorStatusHistory,
    Vulnerability,
)
from ..signals import case_milestone
from ..workflow import RM, RMState
from ._common import (
    actor_roles,
    advance_phase_if,
    claimed,
    fire,
    lock_case,
    require,
    require_coordinator,
    require_open,
)

# Which kinds of organisation may take which role in a case.
_KINDS_FOR_ROLE: dict[str, set[str]] = {
    ParticipantRole.VENDOR: {OrganisationKind.VENDOR},
    ParticipantRole.PARTNER_CERT: {OrganisationKind.PARTNER_CERT},
    ParticipantRole.FINDER: {OrganisationKind.FINDER},
    ParticipantRole.DEPLOYER: {OrganisationKind.VENDOR, OrganisationKind.PARTNER_CERT},
}


def add_participants(
    case: Case,
    *,
    actor: Any,
    role: str,
    organisations: Iterable[Organisation] = (),
    user: Any = None,
    name: str = "",
    email: str = "",
    revision: int | None = None,
) -> list[Participant]:
    """Add one or many organisations (or one person) in one role, in one step."""
    if role not in _KINDS_FOR_ROLE:
        raise InvalidInput(_("This role cannot be added to a case by hand."))
    organisations = list(organisations)
    for organisation in organisations:
        if organisation.kind not in _KINDS_FOR_ROLE[role]:
            raise InvalidInput(
                _("%(name)s cannot take part as %(role)s.")
                % {"name": organisation.display_name(), "role": ParticipantRole(role).label}
            )
    if not organisations and user is None and not (name or email):
        raise InvalidInput(_("Choose at least one organisation or person."))
    with claimed(case, revision):
        require_coordinator(actor, case)
        require_open(case)
        present = set(
            case.participants.current()
            .filter(role=role, organisation__in=organisations)
            .values_list("organisation_id", flat=True)
        )
        fresh = [o for o in organisations if o.pk not in present]
        if organisations and not fresh:
            raise InvalidInput(_("Everyone chosen already takes part in this role."))
        start = RMState.ACCEPTED if role == ParticipantRole.FINDER else RMState.START
        # Vendors know at least what the public knows: joining a public case, aware.
        vfd = ("Vfd" if case.pxa[0] == "P" else "vfd") if role in FIX_PATH_ROLES else ""
        rows = [
            Participant(
                case=case, role=role, organisation=o, rm_state=start, vfd=vfd, added_by=actor
            )
            for o in fresh
        ]
        if not organisations:
            rows = [
                Participant(
                    case=case,
                    role=role,
                    user=user,
                    name=name,
                    email=email,
                    rm_state=start,
                    vfd=vfd,
                    added_by=actor,
                )
            ]
        created = Participant.objects.bulk_create(rows)
        StateChange.objects.bulk_create(
            StateChange(
                case=case,
                participant=p,
                machine="rm",
                event="join",
                from_state="",
                to_state=start,
                actor=actor,
            )
            for p in created
        )
        audit.record(
            "participants.added",
            actor=actor,
            subject=case,
            case_id=case.pk,
            summary=f"{case.reference}: +{len(created)} {role}",
            data={"participants": [p.pk for p in created], "role": role},
        )
    return created


def remove_participant(
    case: Case, participant: Participant, *, actor: Any, note: str = "", revision: int | None = None
) -> Participant:
    """Take a participant out of the case; its history stays."""
    require(
        participant.case_id == case.pk and participant.is_current,
        _("This participant is not in the case."),
    )
    require(
        participant.role != ParticipantRole.COORDINATOR,
        _("The coordinator cannot be removed from its own case."),
    )
    with claimed(case, revision):
        require_coordinator(actor, case)
        participant.removed_at = timezone.now()
        participant.save(update_fields=["removed_at"])
        audit.record(
            "participant.removed",
            actor=actor,
            subject=participant,
            case_id=case.pk,
            summary=f"{case.reference}: −{participant}",
            data={"note": note},
        )
    return participant


def change_rm(
    case: Case, participant: Participant, event: str, *, actor: Any, note: str = ""
) -> Participant:
    """Move a participant's report management (validate, accept, defer, close …)."""

    def no_close_during_embargo() -> str | None:
        if event == "close" and case.embargo_in_force:
            return _("An embargo is in force: defer the report instead of closing it.")
        return None

    require(
        participant.case_id == case.pk and participant.is_current,
        _("This participant is not in the case."),
    )
    with transaction.atomic():
        lock_case(case)
        _fire_rm(case, participant, event, actor=actor, note=note, guard=no_close_during_embargo)
    return participant


def _fire_rm(
    case: Case, participant: Participant, event: str, *, actor: Any, note: str, guard: Any
) -> None:
    fire(
        RM,
        participant,
        "rm_state",
        event,
        case=case,
        actor=actor,
        roles=actor_roles(actor, case, participant),
        participant=participant,
        guards=[guard],
        note=note,
    )


def record_contact_attempt(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    channel: str,
    address: str,
    attempted_at: datetime | None = None,
    outcome: str = ContactOutcome.SENT,
    details_included: bool = False,
    note: str = "",
    revision: int | None = None,
) -> ContactAttempt:
    """Log one attempt to reach a participant and draw what follows from it.

    The first attempt to any vendor is day zero (起算日) and sets the default target
    publication; sending the details records 詳細情報連絡日; an answer proves the vendor
    aware (CS event V) and its report received (RM R).
    """
    attempted_at = attempted_at or timezone.now()
    if attempted_at > timezone.now():
        raise InvalidInput(_("A contact attempt cannot be in the future."))
    _check_attempt(case, participant, channel=channel, outcome=outcome, address=address)
    with claimed(case, revision):
        require_coordinator(actor, case)
        require_open(case)
        attempt = _log_attempt(
            case,
            participant,
            "contact.attempted",
            actor=actor,
            channel=channel,
            address=address,
            attempted_at=attempted_at,
            outcome=outcome,
            details_included=details_included,
            note=note,
        )
    return attempt


def _check_attempt(
    case: Case, participant: Participant, *, channel: str, outcome: str, address: str
) -> None:
    if channel not in ContactChannel.values:
        raise InvalidInput(_("Choose a channel."))
    if outcome not in ContactOutcome.values:
        raise InvalidInput(_("Choose an outcome."))
    if not address.strip():
        raise InvalidInput(_("Give the address, number or URL that was used."))
    require(
        participant.case_id == case.pk and participant.is_current,
        _("This participant is not in the case."),
    )


def _log_attempt(
    case: Case,
    participant: Participant,
    action: str,
    *,
    actor: Any,
    channel: str,
    address: str,
    attempted_at: datetime,
    outcome: str,
    details_included: bool,
    note: str,
) -> ContactAttempt:
    """Write the attempt, audit it and draw its consequences (inside the caller's lock)."""
    attempt = ContactAttempt.objects.create(
        case=case,
        participant=participant,
        channel=channel,
        address=address.strip()[:300],
        attempted_at=attempted_at,
        outcome=outcome,
        details_included=details_included,
        note=note,
        recorded_by=actor,
    )
    audit.record(
        action,
        actor=actor,
        subject=attempt,
        case_id=case.pk,
        summary=f"{case.reference}: {participant} via {channel} ({outcome})",
    )
    _after_contact(case, participant, attempt, actor)
    return attempt


def record_delivery_attempt(
    case: Case,
    participant: Participant,
    *,
    channel: str,
    address: str,
    outcome: str = ContactOutcome.SENT,
    details_included: bool = False,
    note: str = "",
) -> ContactAttempt:
    """The platform logs a message it has just sent (or that bounced) to a participant.

    Like :func:`record_contact_attempt`, with the same consequences (day zero, target
    publication, details sent), but it locks the case instead of claiming its revision:
    a thousand deliveries of one notice run at once and must not conflict with each
    other, nor with the coordinator editing the case meanwhile.
    """
    _check_attempt(case, participant, channel=channel, outcome=outcome, address=address)
    with transaction.atomic():
        lock_case(case)
        # Others changed the case since it was read: decide day zero on what is stored.
        case.refresh_from_db()
        participant.refresh_from_db()
        attempt = _log_attempt(
            case,
            participant,
            "contact.delivered",
            actor=None,
            channel=channel,
            address=address,
            attempted_at=timezone.now(),
            outcome=outcome,
            details_included=details_included,
            note=note,
        )
    return attempt


def _after_contact(
    case: Case, participant: Participant, attempt: ContactAttempt, actor: Any
) -> None:
    from .events import record_case_event

    fields: list[str] = []
    if participant.notified_at is None:
        participant.notified_at = attempt.attempted_at
        fields.append("notified_at")
    if attempt.details_included and participant.details_sent_at is None:
        participant.details_sent_at = attempt.attempted_at
        fields.append("details_sent_at")
    if attempt.outcome in AWARE_OUTCOMES and participant.acknowledged_at is None:
        participant.acknowledged_at = attempt.attempted_at
        fields.append("acknowledged_at")
    if fields:
        participant.save(update_fields=fields)
    if participant.role == ParticipantRole.VENDOR:
        _set_case_dates(case, attempt, actor)
    if attempt.outcome in AWARE_OUTCOMES:
        if participant.rm_state == RMState.START:
            fire(
                RM,
                participant,
                "rm_state",
                "receive",
                case=case,
                actor=None,
                roles={"system"},
                participant=participant,
            )
        if participant.vfd.startswith("v"):
            record_case_event(
                case,
                "V",
                participant=participant,
                actor=actor,
                occurred_at=attempt.attempted_at,
                claim=False,
                source=_("Answer to a contact attempt"),
            )


def _set_case_dates(case: Case, attempt: ContactAttempt, actor: Any) -> None:
    changed: list[str] = []
    if case.day_zero is None or attempt.attempted_at < (case.day_zero_at or attempt.attempted_at):
        case.day_zero_at = attempt.attempted_at
        case.day_zero = jst_date(attempt.attempted_at)
        changed += ["day_zero", "day_zero_at"]
        if case.target_publication_at is None:
            target = publication_instant(default_target_publication(case.day_zero))
            ScheduleChange.objects.create(
                case=case, new_target=target, reason=ScheduleChangeReason.INITIAL, changed_by=actor
            )
            case.target_publication_at = target
            changed.append("target_publication_at")
    if attempt.details_included and case.details_sent_at is None:
        case.details_sent_at = attempt.attempted_at
        changed.append("details_sent_at")
    if changed:
        case.save(update_fields=changed)
        for milestone, field in (("day_zero", "day_zero"), ("details_sent", "details_sent_at")):
            if field in changed:
                case_milestone.send(sender=Case, case=case, milestone=milestone)
        audit.record(
            "case.dates",
            actor=actor,
            subject=case,
            case_id=case.pk,
            summary=case.reference,
            data={
                "day_zero": case.day_zero,
                "details_sent_at": case.details_sent_at,
                "target_publication_at": case.target_publication_at,
            },
        )
    advance_phase_if(case, "contact", actor=actor)
    if case.details_sent_at is not None:
        advance_phase_if(case, "send_details", actor=actor)


def record_vendor_status(
    case: Case,
    vendor: Participant,
    vulnerability: Vulnerability,
    *,
    actor: Any,
    status: str,
    product: CaseProduct | None = None,
    justification: str = "",
    reason: str = "",
    statement_ja: str = "",
    statement_en: str = "",
    fixed_in: str = "",
    expected_version: int | None = None,
) -> VendorStatus:
    """Record what a vendor says; every change is a new version awaiting approval."""
    _check_status_input(
        case,
        vendor,
        vulnerability,
        product=product,
        status=status,
        justification=justification,
        reason=reason,
    )
    values = {
        "status": status,
        "justification": justification if status == "not_affected" else "",
        "reason": reason.strip() if status == "disputed" else "",
        "statement_ja": statement_ja,
        "statement_en": statement_en,
        "fixed_in": fixed_in,
        "updated_by": actor,
        "updated_at": timezone.now(),
    }
    roles = actor_roles(actor, case, vendor)
    if not roles & {"coordinator", "administrator", "vendor_psirt", "vendor_admin"}:
        raise GuardFailed(_("Only the vendor or the coordinator may record this status."))
    with transaction.atomic():
        lock_case(case)
        require_open(case)
        current = (
            VendorStatus.objects.select_for_update()
            .filter(vendor=vendor, vulnerability=vulnerability, product=product)
            .first()
        )
        if current is None:
            if expected_version not in (None, 0):
                raise _conflict()
            current = _create_first_status(
                case=case, vendor=vendor, vulnerability=vulnerability, product=product, **values
            )
        else:
            if expected_version is not None and expected_version != current.version:
                raise _conflict()
            changed = VendorStatus.objects.filter(pk=current.pk, version=current.version).update(
                version=current.version + 1, approved_at=None, approved_by=None, **values
            )
            if changed != 1:
                raise _conflict()
            current.refresh_from_db()
        VendorStatusHistory.objects.create(
            vendor_status=current,
            version=current.version,
            **{k: getattr(current, k) for k in values},
        )
        audit.record(
            "vendor_status.recorded",
            actor=actor,
            subject=current,
            case_id=case.pk,
            summary=f"{case.reference}: {vendor} #{vulnerability.number} {status}",
            data={"version": current.version, "product": product.pk if product else None},
        )
        if status == VexStatus.FIXED:
            _fix_ready(case, vendor, actor)
    return current


def _create_first_status(**fields: Any) -> VendorStatus:
    """Two members recording the first status at once both find none: the partial
    unique index lets one in; the other gets the same conflict as a stale version."""
    try:
        with transaction.atomic():
            return VendorStatus.objects.create(**fields)
    except IntegrityError as error:
        raise _conflict() from error


def _conflict() -> Exception:
    from kakehashi.core.workflow import ConcurrentChange

    return ConcurrentChange()


def _check_status_input(
    case: Case,
    vendor: Participant,
    vulnerability: Vulnerability,
    *,
    product: CaseProduct | None,
    status: str,
    justification: str,
    reason: str,
) -> None:
    if vendor.case_id != case.pk or vendor.role != ParticipantRole.VENDOR or not vendor.is_current:
        raise InvalidInput(_("Statuses are recorded for vendors of this case."))
    if vulnerability.case_id != case.pk:
        raise InvalidInput(_("This vulnerability is not in the case."))
    if product is not None and product.vendor_id != vendor.pk:
        raise InvalidInput(_("This product belongs to another vendor."))
    if status not in VexStatus.values:
        raise InvalidInput(_("Choose a status."))
    if status == VexStatus.NOT_AFFECTED and justification not in VexJustification.values:
        raise InvalidInput(_("“Not affected” needs one of the five justifications."))
    if status == VexStatus.DISPUTED and not reason.strip():
        raise InvalidInput(_("“Disputed” needs a reason."))


def _fix_ready(case: Case, vendor: Participant, actor: Any) -> None:
    """A vendor reporting "fixed" has a fix ready: CS F (and V first if need be)."""
    from .events import record_case_event

    if vendor.vfd.startswith("v"):
        record_case_event(
            case, "V", participant=vendor, actor=actor, claim=False, source=_("Vendor status")
        )
    if vendor.vfd[1:2] == "f":
        record_case_event(
            case,
            "F",
            participant=vendor,
            actor=actor,
            claim=False,
            source=_("Vendor status: fixed"),
        )


def approve_vendor_status(
    case: Case, status: VendorStatus, *, actor: Any, expected_version: int | None = None
) -> VendorStatus:
    """The coordinator approves the version it has read, for publication."""
    require(status.case_id == case.pk, _("This status is not in the case."))
    require(
        bool(actor_roles(actor, case) & {"coordinator", "administrator"}),
        _("Only the coordinator approves vendor statuses."),
    )
    version = status.version if expected_version is None else expected_version
    with transaction.atomic():
        lock_case(case)
        changed = VendorStatus.objects.filter(pk=status.pk, version=version).update(
            approved_at=timezone.now(), approved_by=actor
        )
        if changed != 1:
            raise _conflict()
        status.refresh_from_db()
        StateChange.objects.create(  # so the approval shows in the case timeline
            case=case,
            participant=status.vendor,
            machine="status",
            event="approve",
            from_state=str(version),
            to_state=str(status.vulnerability.number),
            actor=actor,
        )
        audit.record(
            "vendor_status.approved",
            actor=actor,
            subject=status,
            case_id=case.pk,
            summary=f"{case.reference}: status {status.pk} v{version}",
        )
    return status
