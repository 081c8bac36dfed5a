"""Every change to the disclosure log is one of these actions (STYLE point 3).

Each claims (coordinator) or locks (vendor) the case like the case actions, writes
its audit event in the same transaction, and refuses bad input with a translated
message before anything is written. Keys are checked with GnuPG before the
transaction opens; the encrypted mail goes out from a job after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import Role
from kakehashi.cases.actions._common import (
    actor_roles,
    claimed,
    fire,
    lock_case,
    require,
    require_coordinator,
    require_open,
)
from kakehashi.cases.choices import ParticipantRole, VexStatus
from kakehashi.cases.models import Case, Participant, VendorStatus
from kakehashi.cases.signals import case_milestone
from kakehashi.cases.workflow import PHASE, PHASES_UNPUBLISHED
from kakehashi.core import audit, pgp
from kakehashi.core.jobs import enqueue_on_commit
from kakehashi.core.workflow import GuardFailed, InvalidInput

from .choices import COORDINATOR_KINDS, DeliveryState, DisclosureKind, DisclosureState
from .models import Disclosure, Recipient

VENDOR_ROLES = frozenset({Role.VENDOR_PSIRT, Role.VENDOR_ADMIN})


@dataclass(frozen=True)
class RecipientInput:
    organisation: str = ""
    name: str = ""
    email: str = ""
    language: str = "ja"
    key: str = ""


@dataclass(frozen=True)
class _CheckedRecipient:
    given: RecipientInput
    key_info: pgp.KeyInfo | None


# -- the shared rules ------------------------------------------------------------------


def require_unpublished(case: Case) -> None:
    require(
        case.published_at is None and case.phase in PHASES_UNPUBLISHED,
        _("The case is already published: there is nothing left to disclose before publication."),
    )


def fix_exists(case: Case) -> bool:
    """Some vendor has a fix: a status "fixed", or the case event F (fix ready)."""
    if VendorStatus.objects.filter(case=case, status=VexStatus.FIXED).exists():
        return True
    return case.participants.vendors().filter(vfd__in=("VFd", "VFD")).exists()


def _require_text(value: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(message)
    return value


def _require_terms(terms_ja: str, terms_en: str) -> tuple[str, str]:
    terms_ja, terms_en = terms_ja.strip(), terms_en.strip()
    if not terms_ja and not terms_en:
        raise InvalidInput(_("Give the confidentiality terms, in Japanese or in English."))
    return terms_ja, terms_en


def _require_consulted(on: date | None, what: str) -> date:
    if on is None:
        raise InvalidInput(
            _("Record when %(whom)s was consulted before a critical-infrastructure pre-release.")
            % {"whom": what}
        )
    if on > timezone.localdate():
        raise InvalidInput(_("A consultation cannot be dated in the future."))
    return on


def _check_recipient(given: RecipientInput, send_by_mail: bool) -> _CheckedRecipient:
    """Shape and key of one recipient; runs GnuPG, so outside any transaction."""
    label = given.name.strip() or given.organisation.strip()
    if not label:
        raise InvalidInput(_("Every recipient needs an organisation or a name."))
    if given.language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Choose the recipient's language."))
    email = given.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise InvalidInput(
                _("“%(email)s” (%(recipient)s) is not a valid e-mail address.")
                % {"email": email, "recipient": label}
            ) from error
    key_info = None
    if given.key.strip():
        try:
            key_info = pgp.validate_recipient_key(given.key)
        except pgp.InvalidKeyError as error:
            raise InvalidInput(
                _("The key of %(recipient)s was refused: %(reason)s")
                % {"recipient": label, "reason": str(error)}
            ) from error
    if send_by_mail and (not email or key_info is None):
        raise InvalidInput(
            _(
                "%(recipient)s needs an e-mail address and an OpenPGP key: the package is "
                "only ever mailed encrypted. Deliver it another way, or add the key."
            )
            % {"recipient": label}
        )
    return _CheckedRecipient(given, key_info)


# -- the coordinator's disclosures -------------------------------------------------------


def record_disclosure(
    case: Case,
    *,
    actor: Any,
    kind: str,
    summary: str,
    terms_ja: str,
    terms_en: str,
    recipients: Sequence[RecipientInput],
    includes_fix: bool = False,
    justification: str = "",
    reception_consulted_on: date | None = None,
    reception_consultation: str = "",
    vendor_consulted_on: date | None = None,
    vendor_consultation: str = "",
    send_by_mail: bool = False,
    revision: int | None = None,
) -> Disclosure:
    """Record that the coordinator shares the case with third parties before publication.

    A critical-infrastructure pre-release (IV.4.8) needs a fix, the fix in the package
    and the reception desk and the vendor consulted; it is relayed to the finder
    without naming the recipients. The other kinds (IV.4.5) need a justification.
    """
    fields = _disclosure_fields(
        kind=kind,
        summary=summary,
        terms_ja=terms_ja,
        terms_en=terms_en,
        includes_fix=includes_fix,
        justification=justification,
        reception_consulted_on=reception_consulted_on,
        reception_consultation=reception_consultation,
        vendor_consulted_on=vendor_consulted_on,
        vendor_consultation=vendor_consultation,
    )
    if not recipients:
        raise InvalidInput(_("Name at least one recipient."))
    checked = [_check_recipient(given, send_by_mail) for given in recipients]
    critical = kind == DisclosureKind.CRITICAL_INFRASTRUCTURE
    with claimed(case, revision):
        roles = require_coordinator(actor, case)
        require_open(case)
        require_unpublished(case)
        if critical:
            require(
                fix_exists(case),
                _("No vendor has a fix yet: a critical-infrastructure pre-release shares the fix."),
            )
        now = timezone.now()
        disclosure = Disclosure.objects.create(
            case=case,
            state=DisclosureState.APPROVED,
            requested_by=actor,
            requested_at=now,
            decided_by=actor,
            decided_at=now,
            **fields,
        )
        rows = Recipient.objects.bulk_create(
            [_recipient_row(disclosure, item, send_by_mail) for item in checked]
        )
        audit.record(
            "disclosure.recorded",
            actor=actor,
            subject=disclosure,
            case_id=case.pk,
            summary=f"{case.reference}: {kind} ×{len(rows)}",
            data={"kind": kind, "recipients": [r.as_dict() for r in rows], "mail": send_by_mail},
        )
        if critical:
            case_milestone.send(sender=Case, case=case, milestone="pre_released")
            if case.phase == "schedule_agreed":
                fire(PHASE, case, "phase", "release_priority", case=case, actor=actor, roles=roles)
        if send_by_mail:
            _queue_delivery(rows)
    return disclosure


def _disclosure_fields(
    *,
    kind: str,
    summary: str,
    terms_ja: str,
    terms_en: str,
    includes_fix: bool,
    justification: str,
    reception_consulted_on: date | None,
    reception_consultation: str,
    vendor_consulted_on: date | None,
    vendor_consultation: str,
) -> dict[str, Any]:
    """The fields of a coordinator's disclosure, checked; refuses what is missing."""
    if kind not in COORDINATOR_KINDS:
        raise InvalidInput(_("Choose what kind of disclosure this is."))
    fields: dict[str, Any] = {
        "kind": kind,
        "summary": _require_text(summary, _("Say what is shared.")),
        "includes_fix": includes_fix,
    }
    fields["terms_ja"], fields["terms_en"] = _require_terms(terms_ja, terms_en)
    if kind != DisclosureKind.CRITICAL_INFRASTRUCTURE:
        fields["justification"] = _require_text(
            justification, _("Give the justification for this disclosure.")
        )
        return fields
    if not includes_fix:
        raise InvalidInput(_("A critical-infrastructure pre-release shares the fix too."))
    fields["justification"] = justification.strip()
    fields["reception_consulted_on"] = _require_consulted(
        reception_consulted_on, _("the reception desk (IPA)")
    )
    fields["reception_consultation"] = reception_consultation.strip()
    fields["vendor_consulted_on"] = _require_consulted(vendor_consulted_on, _("the vendor"))
    fields["vendor_consultation"] = vendor_consultation.strip()
    return fields


def _recipient_row(disclosure: Disclosure, item: _CheckedRecipient, send: bool) -> Recipient:
    given, info = item.given, item.key_info
    return Recipient(
        disclosure=disclosure,
        organisation=given.organisation.strip(),
        name=given.name.strip(),
        email=given.email.strip(),
        language=given.language,
        key=given.key.strip() + "\n" if info else "",
        key_fingerprint=info.fingerprint if info else "",
        key_expires_at=info.expires if info else None,
        delivery=DeliveryState.QUEUED if send else DeliveryState.OTHER_CHANNEL,
    )


def _queue_delivery(rows: list[Recipient]) -> None:
    from .tasks import deliver_package

    for row in rows:
        enqueue_on_commit(deliver_package, recipient_id=row.pk)


# -- a vendor's notice to its own users (IV.5.9) ---------------------------------------------


def request_user_notice(
    participation: Participant,
    *,
    actor: Any,
    summary: str,
    audience: str,
    justification: str,
    terms_ja: str,
    terms_en: str,
) -> Disclosure:
    """A vendor asks to tell its own users before the public date."""
    summary = _require_text(summary, _("Say what you will tell your users."))
    audience = _require_text(audience, _("Say to whom you will give the notice."))
    justification = _require_text(
        justification, _("Say how telling them before the public date lowers their risk.")
    )
    terms_ja, terms_en = _require_terms(terms_ja, terms_en)
    case = participation.case
    with transaction.atomic():
        lock_case(case)
        require(
            participation.role == ParticipantRole.VENDOR and participation.is_current,
            _("Only a vendor taking part in the case may ask for this."),
        )
        require(
            bool(actor_roles(actor, case, participation) & VENDOR_ROLES),
            _("Only the vendor's own members may ask for this."),
        )
        require_open(case)
        require_unpublished(case)
        disclosure = Disclosure.objects.create(
            case=case,
            kind=DisclosureKind.VENDOR_USERS,
            state=DisclosureState.REQUESTED,
            vendor=participation,
            summary=summary,
            audience=audience,
            justification=justification,
            terms_ja=terms_ja,
            terms_en=terms_en,
            requested_by=actor,
        )
        audit.record(
            "disclosure.requested",
            actor=actor,
            subject=disclosure,
            case_id=case.pk,
            summary=f"{case.reference}: {participation.display_name('en')}",
        )
        _tell_coordinators(disclosure)
    return disclosure


def _tell_coordinators(disclosure: Disclosure) -> None:
    """The case's owner, or else every coordinator of its coordinator organisation."""
    from kakehashi.accounts.models import Membership
    from kakehashi.core.mail import send_templated_mail

    case = disclosure.case
    people = [case.owner] if case.owner is not None else []
    if not people and case.coordinator_org_id is not None:
        people = [
            m.user
            for m in Membership.objects.filter(
                organisation_id=case.coordinator_org_id, role=Role.COORDINATOR
            ).select_related("user")
        ]
    for user in people:
        if user.email:
            send_templated_mail(
                "disclosure_requested",
                [user.email],
                {"case": case, "disclosure": disclosure},
                user.language,
            )


def decide_user_notice(
    disclosure: Disclosure,
    *,
    actor: Any,
    approve: bool,
    note: str = "",
    revision: int | None = None,
) -> Disclosure:
    """The coordinator approves or refuses a vendor's request; the vendor is told."""
    note = note.strip()
    if not approve and not note:
        raise InvalidInput(_("Say why the request is refused."))
    case = disclosure.case
    with claimed(case, revision):
        require_coordinator(actor, case)
        require_open(case)
        if approve:
            require_unpublished(case)
        state = DisclosureState.APPROVED if approve else DisclosureState.REFUSED
        now = timezone.now()
        changed = Disclosure.objects.filter(
            pk=disclosure.pk, state=DisclosureState.REQUESTED
        ).update(state=state, decided_by=actor, decided_at=now, decision_note=note)
        if changed != 1:
            raise GuardFailed(_("This request has already been decided."))
        disclosure.state, disclosure.decided_by, disclosure.decided_at = state, actor, now
        disclosure.decision_note = note
        audit.record(
            f"disclosure.{state}",
            actor=actor,
            subject=disclosure,
            case_id=case.pk,
            summary=f"{case.reference}: {disclosure.kind} {state}",
            data={"note": note},
        )
        _tell_vendor(disclosure)
    return disclosure


def _tell_vendor(disclosure: Disclosure) -> None:
    from kakehashi.accounts.models import Membership
    from kakehashi.core.mail import send_templated_mail

    vendor = disclosure.vendor
    if vendor is None or vendor.organisation_id is None:
        return
    members = Membership.objects.filter(
        organisation_id=vendor.organisation_id, role__in=VENDOR_ROLES | {Role.ADMINISTRATOR}
    ).select_related("user")
    for membership in members:
        user = membership.user
        if user.email:
            send_templated_mail(
                "disclosure_decided",
                [user.email],
                {"case": disclosure.case, "disclosure": disclosure},
                user.language,
            )
