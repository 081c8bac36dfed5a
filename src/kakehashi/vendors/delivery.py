"""Sending one vendor notice: the mail, its protection, and the record of the attempt.

The mail is written from ``mail/vendor_notice_*.txt`` in the vendor's preferred
language, to its e-mail contact points (To and Cc). It carries the vulnerability
details only when it can be encrypted to one of the vendor's keys *and* the vendor may
receive pre-publication information (``vendors.rules``, the 個別登録 rule); otherwise it
says only that there is a case, its reference and the portal link. Either way it is
signed with the platform key when one is configured.
"""

from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction

from kakehashi.cases import actions as case_actions
from kakehashi.cases.choices import ContactChannel, ContactOutcome
from kakehashi.cases.models import Participant
from kakehashi.cases.models.case import pick_language
from kakehashi.core import pgp
from kakehashi.core.jobs import PermanentJobError
from kakehashi.core.mail import build_message, render_mail
from kakehashi.core.pgp_mime import PgpMimeMessage, pgp_mime_encrypted, pgp_mime_signed

from .choices import ContactKind, EmailRole, NoticeState
from .links import portal_case_url
from .models import ContactPoint, VendorNotice, VendorProfile
from .notify import escalation_days, escalation_due, usable_keys
from .rules import receives_pre_publication


@dataclass(frozen=True)
class Recipients:
    to: list[str]
    cc: list[str]

    @property
    def all(self) -> list[str]:
        return [*self.to, *self.cc]


def recipients(profile: VendorProfile) -> Recipients:
    """The vendor's e-mail contact points; with no To address, the first Cc is To."""
    to: list[str] = []
    cc: list[str] = []
    for point in ContactPoint.objects.filter(profile=profile, kind=ContactKind.EMAIL):
        (cc if point.email_role == EmailRole.CC else to).append(point.value)
    if not to and cc:
        to.append(cc.pop(0))
    return Recipients(to, cc)


def deliver_notice(notice_id: int, step: int) -> str:
    """Send step ``step`` of a notice once; what happened, for the job's result."""
    notice = (
        VendorNotice.objects.select_related(
            "case", "participant__organisation__vendor_profile", "participant__case"
        )
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise PermanentJobError(f"vendor notice {notice_id} is gone")
    if notice.step != step or notice.state != NoticeState.QUEUED:
        return "already handled"  # a retry or a reaped job after the step was done
    participant = notice.participant
    if not participant.is_current or notice.case.is_closed:
        _finish(notice, step, state=NoticeState.SENT, error="")
        return "vendor left or case closed"
    if step > 0 and participant.acknowledged_at is not None:
        _finish(notice, step, state=NoticeState.SENT, error="")
        return "acknowledged"
    profile = getattr(participant.organisation, "vendor_profile", None)
    addresses = recipients(profile) if profile is not None else Recipients([], [])
    if not addresses.all:
        _finish(notice, step, state=NoticeState.NO_EMAIL, error="", other_channels=True)
        return "no e-mail address"
    message, details = compose(notice, participant, profile, addresses)
    outcome = ContactOutcome.SENT
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as refusal:
        outcome = ContactOutcome.BOUNCED
        note = "; ".join(
            f"{a}: {code} {reason!r}" for a, (code, reason) in refusal.recipients.items()
        )
    except Exception as error:
        VendorNotice.objects.filter(pk=notice.pk).update(last_error=repr(error)[:1000])
        raise  # retried with backoff by the job
    else:
        note = ""
    _record(
        notice=notice,
        participant=participant,
        step=step,
        addresses=addresses,
        details=details,
        outcome=outcome,
        note=note,
    )
    return outcome


def compose(
    notice: VendorNotice, participant: Participant, profile: Any, addresses: Recipients
) -> tuple[EmailMessage, bool]:
    """The message, and whether it carries the details (only ever encrypted)."""
    keys = usable_keys(profile.pk)
    details = bool(keys) and receives_pre_publication(participant)
    platform = pgp.platform_key()
    if details:
        plain = _message(notice, participant, profile, addresses, details=True)
        try:
            return pgp_mime_encrypted(plain, [k.armored for k in keys], sign_with=platform), True
        except pgp.InvalidKeyError:
            pass  # the key expired or was revoked since it was stored: no details then
    plain = _message(notice, participant, profile, addresses, details=False)
    return (_signed(plain, platform) if platform else plain), False


# Signed bodies of detail-less notices, by content. Such a body names no vendor, so every
# vendor of a case reading one language gets the same bytes: signing them once per worker
# (instead of once per vendor) halves the GnuPG work of a large notification.
_SIGNED_BODIES: dict[tuple[str, str], Any] = {}
_SIGNED_BODIES_MAX = 256


def _signed(plain: EmailMessage, platform: pgp.PlatformKey) -> EmailMessage:
    content = f"{plain.subject}\0{plain.body}".encode()
    key = (platform.fingerprint, hashlib.sha256(content).hexdigest())
    body = _SIGNED_BODIES.get(key)
    if body is not None:
        return PgpMimeMessage(plain, body)
    signed = pgp_mime_signed(plain, platform)
    if len(_SIGNED_BODIES) >= _SIGNED_BODIES_MAX:
        _SIGNED_BODIES.clear()
    _SIGNED_BODIES[key] = signed.mime_body
    return signed


def _message(
    notice: VendorNotice,
    participant: Participant,
    profile: VendorProfile,
    addresses: Recipients,
    *,
    details: bool,
) -> EmailMessage:
    case = notice.case
    language = profile.preferred_language
    context: dict[str, Any] = {
        "case": case,
        # Only the encrypted mail names the vendor: the other is the same for every vendor.
        "vendor": participant.organisation.display_name(language)
        if participant.organisation and details
        else "",
        "portal_url": portal_case_url(case, language),
        "reminder": notice.step > 0,
        "details": details,
    }
    if details:
        context["vulnerabilities"] = [
            {
                "number": v.number,
                "title": pick_language(v.title_ja, v.title_en, language),
                "description": pick_language(v.description_ja, v.description_en, language),
                "cwe": v.cwe_id,
                "cvss_v3": (v.cvss_v3_score, v.cvss_v3_vector) if v.cvss_v3_vector else None,
                "cvss_v4": (v.cvss_v4_score, v.cvss_v4_vector) if v.cvss_v4_vector else None,
            }
            for v in case.vulnerabilities.order_by("number")
        ]
        context["products"] = list(participant.products.order_by("name"))
        context["case_title"] = pick_language(case.title_ja, case.title_en, language)
    subject, body = render_mail("vendor_notice", context, language)
    message = build_message(subject, body, addresses.to)
    message.cc = addresses.cc
    return message


def _record(
    *,
    notice: VendorNotice,
    participant: Participant,
    step: int,
    addresses: Recipients,
    details: bool,
    outcome: str,
    note: str,
) -> None:
    with transaction.atomic():
        attempt = case_actions.record_delivery_attempt(
            notice.case,
            participant,
            channel=ContactChannel.EMAIL,
            address=", ".join(addresses.all),
            outcome=outcome,
            details_included=details,
            note=note,
        )
        first = notice.first_sent_at or attempt.attempted_at
        bounced = outcome == ContactOutcome.BOUNCED
        last_step = step >= len(escalation_days())
        VendorNotice.objects.filter(pk=notice.pk, step=step, state=NoticeState.QUEUED).update(
            state=NoticeState.BOUNCED if bounced else NoticeState.SENT,
            first_sent_at=first,
            last_sent_at=attempt.attempted_at,
            next_escalation_at=None if bounced else escalation_due(first, step + 1),
            other_channels_needed=bounced or last_step,
            details_included=notice.details_included or details,
            last_error=note,
        )


def _finish(
    notice: VendorNotice, step: int, *, state: str, error: str, other_channels: bool = False
) -> None:
    VendorNotice.objects.filter(pk=notice.pk, step=step, state=NoticeState.QUEUED).update(
        state=state,
        next_escalation_at=None,
        last_error=error,
        other_channels_needed=other_channels or notice.other_channels_needed,
    )
