"""API schemas of the disclosure log."""

from __future__ import annotations

from datetime import date

from ninja import Schema
from pydantic import Field

from kakehashi.api.schemas import Input, UtcInstant

from .choices import DeliveryState, DisclosureKind, DisclosureState
from .models import Disclosure


class RecipientIn(Input):
    organisation: str = Field("", max_length=200)
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    language: str = Field("ja", description="ja or en: the language of the package.")
    key: str = Field("", description="The recipient's ASCII-armoured OpenPGP public key.")


class DisclosureIn(Input):
    revision: int | None = Field(None, ge=1, description="The case revision the caller read.")
    kind: DisclosureKind = Field(description="Any kind but vendor_users (asked by a vendor).")
    summary: str
    includes_fix: bool = False
    justification: str = ""
    terms_ja: str = ""
    terms_en: str = ""
    reception_consulted_on: date | None = None
    reception_consultation: str = ""
    vendor_consulted_on: date | None = None
    vendor_consultation: str = ""
    recipients: list[RecipientIn] = Field(max_length=20)
    send_by_mail: bool = Field(False, description="Mail the package, encrypted, to every key.")


class DecisionIn(Input):
    revision: int | None = Field(None, ge=1)
    approve: bool
    note: str = ""


class UserNoticeIn(Input):
    summary: str
    audience: str
    justification: str
    terms_ja: str = ""
    terms_en: str = ""


class RecipientOut(Schema):
    organisation: str
    name: str
    email: str
    language: str
    key_fingerprint: str
    delivery: DeliveryState
    sent_at: UtcInstant | None
    delivery_error: str


class DisclosureOut(Schema):
    id: int
    case_id: int
    kind: DisclosureKind
    state: DisclosureState
    summary: str
    includes_fix: bool
    justification: str
    terms_ja: str
    terms_en: str
    reception_consulted_on: date | None
    vendor_consulted_on: date | None
    audience: str
    requested_at: UtcInstant
    decided_at: UtcInstant | None
    decision_note: str
    recipients: list[RecipientOut]


def disclosure_out(row: Disclosure, *, with_recipients: bool = True) -> DisclosureOut:
    recipients = list(row.recipients.all()) if with_recipients else []
    return DisclosureOut(
        id=row.pk,
        case_id=row.case_id,
        kind=DisclosureKind(row.kind),
        state=DisclosureState(row.state),
        summary=row.summary,
        includes_fix=row.includes_fix,
        justification=row.justification,
        terms_ja=row.terms_ja,
        terms_en=row.terms_en,
        reception_consulted_on=row.reception_consulted_on,
        vendor_consulted_on=row.vendor_consulted_on,
        audience=row.audience,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        recipients=[
            RecipientOut(
                organisation=r.organisation,
                name=r.name,
                email=r.email,
                language=r.language,
                key_fingerprint=r.key_fingerprint,
                delivery=DeliveryState(r.delivery),
                sent_at=r.sent_at,
                delivery_error=r.delivery_error,
            )
            for r in recipients
        ],
    )
