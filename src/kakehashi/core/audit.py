"""The audit log: append one event per action, verify the hash chain.

Every action of every app calls :func:`record` inside its own ``transaction.atomic()``
block, so the event commits or rolls back with the change it describes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditEvent

GENESIS = "0" * 64
# Arbitrary constant for pg_advisory_xact_lock; serialises appends on PostgreSQL.
_PG_LOCK_KEY = 0x6B616B65  # "kake"


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    ).encode("utf-8")


def _fields_of(event: AuditEvent) -> dict[str, Any]:
    at = event.at.astimezone(UTC) if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    return {
        "seq": event.seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "case_id": event.case_id,
        "summary": event.summary,
        "ip": event.ip,
        "data": event.data,
    }


def compute_hash(event: AuditEvent, prev_hash: str) -> str:
    key = settings.KAKEHASHI_AUDIT_KEY.encode("utf-8")
    message = _canonical(_fields_of(event)) + prev_hash.encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address; behind N trusted proxies, the Nth from the right of XFF."""
    if request is None:
        return None
    hops = settings.KAKEHASHI_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops] or None
    return request.META.get("REMOTE_ADDR") or None


def _lock_chain() -> None:
    """Serialise appends. SQLite's IMMEDIATE transactions already hold the write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def record(
    action: str,
    *,
    actor: Any = None,
    subject: models.Model | None = None,
    case_id: int | None = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the chain and return it."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    # Round-trip through JSON so the hash is computed over exactly what is stored.
    clean_data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        event = AuditEvent(
            seq=seq,
            at=timezone.now(),
            actor=actor,
            actor_label=actor_label or (str(actor.get_username()) if actor else "system"),
            action=action,
            subject_type=subject._meta.label_lower if subject is not None else "",
            subject_id=str(subject.pk) if subject is not None else "",
            case_id=case_id,
            summary=summary[:2000],
            ip=client_ip(request),
            data=clean_data,
            prev_hash=prev_hash,
        )
        event.hash = compute_hash(event, prev_hash)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    pk: int
    reason: str

    def __str__(self) -> str:
        return f"row id={self.pk} seq={self.seq}: {self.reason}"


def iter_problems() -> Generator[ChainProblem, None, None]:
    """Walk the chain in sequence order and yield every inconsistency found."""
    expected_seq = 1
    prev_hash = GENESIS
    for event in AuditEvent.objects.order_by("seq", "pk").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            yield ChainProblem(
                event.seq, event.pk, f"sequence gap or reorder: expected {expected_seq}"
            )
        if event.prev_hash != prev_hash:
            yield ChainProblem(event.seq, event.pk, "previous-hash link broken")
        if not hmac.compare_digest(event.hash, compute_hash(event, event.prev_hash)):
            yield ChainProblem(event.seq, event.pk, "content does not match its hash")
        expected_seq = event.seq + 1
        prev_hash = event.hash


def first_problem() -> ChainProblem | None:
    return next(iter_problems(), None)


def chain_head() -> tuple[int, str]:
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return (last[0], last[1]) if last else (0, GENESIS)
