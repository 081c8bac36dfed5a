"""The package for a disclosure's recipient, encrypted to the recipient's key.

The job carries only the recipient's ID: the package is rendered and encrypted in
the worker, so no plaintext of an embargoed case sits in the job table. Idempotent:
a recipient already sent to is skipped, so a retried or reaped job sends once.
"""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from kakehashi.cases.choices import VexStatus
from kakehashi.cases.models import VendorStatus
from kakehashi.cases.models.case import pick_language
from kakehashi.core import audit, pgp
from kakehashi.core.jobs import PermanentJobError, retrying
from kakehashi.core.mail import build_message, render_mail
from kakehashi.core.pgp_mime import pgp_mime_encrypted

from .choices import DeliveryState
from .models import Recipient


@task(queue_name="mail")
@retrying()
def deliver_package(recipient_id: int) -> str:
    recipient = Recipient.objects.select_related("disclosure__case").filter(pk=recipient_id).first()
    if recipient is None:
        raise PermanentJobError(f"recipient {recipient_id} is gone")
    if recipient.delivery != DeliveryState.QUEUED:
        return recipient.delivery
    disclosure = recipient.disclosure
    case = disclosure.case
    fixes = (
        VendorStatus.objects.filter(case=case, status=VexStatus.FIXED)
        .select_related("vendor__organisation", "vulnerability", "product")
        .order_by("vulnerability__number", "pk")
        if disclosure.includes_fix
        else VendorStatus.objects.none()
    )
    subject, body = render_mail(
        "disclosure_package",
        {
            "case": case,
            "disclosure": disclosure,
            "recipient": recipient,
            "vulnerabilities": [
                (v, pick_language(v.description_ja, v.description_en, recipient.language))
                for v in case.vulnerabilities.all()
            ],
            "fixes": list(fixes),
        },
        recipient.language,
    )
    message = build_message(subject, body, [recipient.email])
    try:
        sealed = pgp_mime_encrypted(message, [recipient.key], sign_with=pgp.platform_key())
    except pgp.InvalidKeyError as error:  # expired or revoked since it was recorded
        _failed(recipient, str(error))
        raise PermanentJobError(str(error)) from error
    sealed.send(fail_silently=False)
    with transaction.atomic():
        Recipient.objects.filter(pk=recipient.pk).update(
            delivery=DeliveryState.SENT, sent_at=timezone.now(), delivery_error=""
        )
        audit.record(
            "disclosure.package_sent",
            actor=None,
            subject=disclosure,
            case_id=case.pk,
            summary=f"{case.reference}: {recipient.key_fingerprint}",
            data={"recipient": recipient.pk, "fingerprint": recipient.key_fingerprint},
        )
    return DeliveryState.SENT


def _failed(recipient: Recipient, reason: str) -> None:
    with transaction.atomic():
        Recipient.objects.filter(pk=recipient.pk).update(
            delivery=DeliveryState.FAILED, delivery_error=reason[:300]
        )
        audit.record(
            "disclosure.package_failed",
            actor=None,
            subject=recipient.disclosure,
            case_id=recipient.disclosure.case_id,
            summary=reason[:200],
            data={"recipient": recipient.pk},
        )
