"""The sync job: send one version of one record to CVE Services, exactly once.

Idempotent: a version already synced is skipped; a publication whose answer was lost
(the retry finds "record exists") continues as an update. An outage or a 5xx is
retried with backoff (``core.jobs.retrying``); a refusal (4xx) parks the record as
failed with the service's message, for an officer to correct and queue again.
"""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from kakehashi.core import audit
from kakehashi.core.jobs import PermanentJobError, retrying

from . import services
from .choices import IdState, SyncState
from .models import CveId, CveRecord


@task(queue_name="default")
@retrying()
def sync_record(record_id: int, version: int) -> str:
    record = CveRecord.objects.select_related("cve").filter(pk=record_id).first()
    if record is None:
        raise PermanentJobError(f"record {record_id} is gone")
    if record.version != version or record.synced_version >= version:
        return "skipped"  # a newer version was queued, or this one is already synced
    if record.container is None:
        raise PermanentJobError(f"record {record_id} has nothing queued")
    try:
        client = services.client()
        outcome = _send(client, record)
    except services.ServiceError as error:
        if error.retryable:
            CveRecord.objects.filter(pk=record.pk, version=version).update(last_error=error.message)
            raise
        _park(record, version, error.message)
        raise PermanentJobError(error.message) from error
    _synced(record, version, outcome)
    return outcome


def _send(client: services.CveServices, record: CveRecord) -> str:
    cve_id = record.cve.cve_id
    container = record.container or {}
    if record.sync_state == SyncState.REJECT_PENDING:
        client.reject_record(cve_id, container, published=record.published_at is not None)
        return "rejected"
    if record.published_at is None:
        try:
            client.publish(cve_id, container)
            return "published"
        except services.ServiceError as error:
            if error.status != 403 or "RECORD_EXISTS" not in error.message.upper():
                raise
            # An earlier attempt was published but its answer was lost: update instead.
    client.update(cve_id, container)
    return "updated"


def _synced(record: CveRecord, version: int, outcome: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        fields = {
            "synced_version": version,
            "synced_at": now,
            "last_error": "",
            "sync_state": SyncState.REJECTED if outcome == "rejected" else SyncState.PUBLISHED,
        }
        if outcome != "rejected" and record.published_at is None:
            fields["published_at"] = now
        CveRecord.objects.filter(pk=record.pk, version=version).update(**fields)
        id_state = IdState.REJECTED if outcome == "rejected" else IdState.PUBLISHED
        CveId.objects.filter(pk=record.cve_id).update(state=id_state, state_changed_at=now)
        audit.record(
            f"cna.record_{outcome}",
            subject=record,
            summary=f"{record.cve.cve_id} v{version}",
            actor_label="cve-services-sync",
        )


def _park(record: CveRecord, version: int, message: str) -> None:
    with transaction.atomic():
        CveRecord.objects.filter(pk=record.pk, version=version).update(
            sync_state=SyncState.FAILED, last_error=message
        )
        audit.record(
            "cna.record_failed",
            subject=record,
            summary=f"{record.cve.cve_id} v{version}: {message[:200]}",
            actor_label="cve-services-sync",
        )
