"""CNA actions: the ID pool, assignment, editing and publishing records.

Calls to CVE Services happen outside database transactions; the rows they lead to
are written in one transaction afterwards, so an outage leaves nothing half-written.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.cases.models import Vulnerability
from kakehashi.core import audit
from kakehashi.core.jobs import enqueue_on_commit
from kakehashi.core.workflow import ConcurrentChange, GuardFailed, InvalidInput

from . import secrets, services
from .access import cna_organisations, is_cna_officer
from .checks import REJECTED_SCHEMA, blocking, check_record, schema_problems
from .choices import IdSource, IdState, SyncState
from .models import CVE_ID_PATTERN, CveId, CveRecord, ServiceCredential
from .records import build_container, rejected_container, suggest_description

MAX_RESERVATION = 100


def _require_officer(actor: Any) -> None:
    if not is_cna_officer(actor):
        raise GuardFailed(_("Only a CNA officer may do this."))


def parse_cve_id(value: str) -> tuple[str, int, int]:
    """``(CVE-YYYY-NNNN, year, number)`` or ``InvalidInput``."""
    cve_id = value.strip().upper()
    if not re.fullmatch(CVE_ID_PATTERN, cve_id):
        raise InvalidInput(
            _("“%(value)s” is not a CVE ID (like CVE-2026-12345).") % {"value": value.strip()}
        )
    _prefix, year, number = cve_id.split("-")
    if int(year) < 1999:
        raise InvalidInput(_("%(id)s: the year is before 1999.") % {"id": cve_id})
    return cve_id, int(year), int(number)


# --- the pool ----------------------------------------------------------------------


def add_ids_by_hand(actor: Any, values: list[str]) -> list[CveId]:
    """Record IDs reserved outside Kakehashi (a block entered by hand).

    When CVE Services is configured, each ID is looked up first and refused unless
    this CNA owns it and it is still reserved.
    """
    _require_officer(actor)
    parsed = [parse_cve_id(v) for v in values if v.strip()]
    if not parsed:
        raise InvalidInput(_("Give at least one CVE ID."))
    ids = [p[0] for p in parsed]
    if len(set(ids)) != len(ids):
        raise InvalidInput(_("The same ID is given twice."))
    if services.configured_url():
        _confirm_ownership(ids)
    with transaction.atomic():
        present = set(CveId.objects.filter(cve_id__in=ids).values_list("cve_id", flat=True))
        if present:
            raise InvalidInput(
                _("Already in the pool: %(ids)s.") % {"ids": ", ".join(sorted(present))}
            )
        rows = CveId.objects.bulk_create(
            CveId(
                cve_id=cve_id,
                year=year,
                sequence=number,
                source=IdSource.MANUAL,
                owning_cna=settings.KAKEHASHI_CNA_SHORT_NAME,
            )
            for cve_id, year, number in parsed
        )
        audit.record(
            "cna.ids_added",
            actor=actor,
            summary=ngettext(
                "%(count)d ID entered by hand", "%(count)d IDs entered by hand", len(rows)
            )
            % {"count": len(rows)},
            data={"ids": ids},
        )
    return rows


def _confirm_ownership(ids: list[str]) -> None:
    client = services.client()
    for cve_id in ids:
        try:
            info = client.show_id(cve_id)
        except services.ServiceError as error:
            if error.status == 404:
                raise InvalidInput(
                    _("%(id)s is unknown at CVE Services.") % {"id": cve_id}
                ) from error
            raise InvalidInput(error.message) from error
        owner = str(info.get("owning_cna", ""))
        if owner.lower() != settings.KAKEHASHI_CNA_SHORT_NAME.lower():
            raise InvalidInput(
                _("%(id)s belongs to another CNA (%(owner)s).") % {"id": cve_id, "owner": owner}
            )
        if info.get("state") != IdState.RESERVED:
            raise InvalidInput(
                _("%(id)s is not reserved at CVE Services (it is %(state)s).")
                % {"id": cve_id, "state": info.get("state")}
            )


def reserve_ids(
    actor: Any, amount: int, year: int | None = None, *, sequential: bool = True
) -> tuple[list[CveId], services.Reservation]:
    """Reserve IDs at CVE Services and add them to the pool. A partial reservation
    (the quota ran out) keeps what was reserved and says so."""
    _require_officer(actor)
    year = year or timezone.localdate().year
    this_year = date.today().year
    if not 1 <= amount <= MAX_RESERVATION:
        raise InvalidInput(
            _("Reserve between 1 and %(max)d IDs at a time.") % {"max": MAX_RESERVATION}
        )
    if not 1999 <= year <= this_year + 1:
        raise InvalidInput(_("The year must be between 1999 and next year."))
    try:
        reservation = services.client().reserve(amount, year, sequential=sequential)
    except services.ServiceError as error:
        raise InvalidInput(error.message) from error
    parsed = [parse_cve_id(cve_id) for cve_id in reservation.cve_ids]
    with transaction.atomic():
        rows = CveId.objects.bulk_create(
            [
                CveId(
                    cve_id=cve_id,
                    year=id_year,
                    sequence=number,
                    source=IdSource.SERVICE,
                    owning_cna=settings.KAKEHASHI_CNA_SHORT_NAME,
                )
                for cve_id, id_year, number in parsed
            ],
            ignore_conflicts=True,  # a retried reservation may return IDs we hold already
        )
        audit.record(
            "cna.ids_reserved",
            actor=actor,
            summary=_("%(got)d of %(asked)d IDs reserved for %(year)d")
            % {"got": len(parsed), "asked": amount, "year": year},
            data={"ids": [p[0] for p in parsed], "partial": reservation.partial},
        )
    return rows, reservation


def release_id(actor: Any, cve: CveId) -> CveId:
    """Reject an unused reserved ID (CNA rules 4.5.3.5), through CVE Services when the
    ID came from there; an ID entered by hand is released the same way when the
    service is configured, else only marked here."""
    _require_officer(actor)
    if not cve.is_free:
        raise GuardFailed(_("Only a reserved ID that no vulnerability holds can be released."))
    if services.configured_url():
        try:
            services.client().reject_id(cve.cve_id)
        except services.ServiceError as error:
            raise InvalidInput(error.message) from error
    with transaction.atomic():
        changed = CveId.objects.filter(
            pk=cve.pk, state=IdState.RESERVED, vulnerability__isnull=True
        ).update(state=IdState.REJECTED, state_changed_at=timezone.now())
        if changed != 1:
            raise ConcurrentChange
        cve.refresh_from_db()
        audit.record("cna.id_released", actor=actor, subject=cve, summary=cve.cve_id)
    return cve


# --- assignment -------------------------------------------------------------------


def assign_id(actor: Any, vulnerability: Vulnerability, cve: CveId | None = None) -> CveRecord:
    """Give ``vulnerability`` a CVE ID from the pool (the given one, or the lowest free
    one of the current year) and start its record. An ID is never assigned twice."""
    _require_officer(actor)
    if vulnerability.case.coordinator_org_id not in cna_organisations(actor) and not getattr(
        actor, "is_superuser", False
    ):
        raise GuardFailed(_("Only a CNA officer of the case's coordinator may assign its IDs."))
    if vulnerability.cve_id:
        raise InvalidInput(
            _("This vulnerability already has %(id)s.") % {"id": vulnerability.cve_id}
        )
    try:
        with transaction.atomic():
            free = CveId.objects.select_for_update().filter(
                state=IdState.RESERVED, vulnerability__isnull=True
            )
            if cve is not None:
                chosen = free.filter(pk=cve.pk).first()
                if chosen is None:
                    raise InvalidInput(_("%(id)s is not free.") % {"id": cve.cve_id})
            else:
                year = timezone.localdate().year
                chosen = free.filter(year=year).order_by("sequence").first()
                if chosen is None:
                    raise InvalidInput(
                        _("No free ID for %(year)d is left in the pool: reserve more.")
                        % {"year": year}
                    )
            now = timezone.now()
            chosen.vulnerability = vulnerability
            chosen.assigned_at = now
            chosen.assigned_by = actor
            chosen.save(update_fields=["vulnerability", "assigned_at", "assigned_by"])
            vulnerability.cve_id = chosen.cve_id
            vulnerability.save(update_fields=["cve_id"])
            record = CveRecord.objects.create(
                cve=chosen,
                description_en=suggest_description(vulnerability, "en"),
                description_ja=suggest_description(vulnerability, "ja"),
                updated_by=actor,
            )
            audit.record(
                "cna.id_assigned",
                actor=actor,
                subject=chosen,
                case_id=vulnerability.case_id,
                summary=f"{chosen.cve_id} → {vulnerability.case.reference} #{vulnerability.number}",
            )
    except IntegrityError as error:  # the same vulnerability assigned twice at once
        raise ConcurrentChange from error
    return record


# --- records ------------------------------------------------------------------------

_REFERENCE_TAGS = frozenset(
    {
        "broken-link",
        "customer-entitlement",
        "exploit",
        "government-resource",
        "issue-tracking",
        "mailing-list",
        "mitigation",
        "not-applicable",
        "patch",
        "permissions-required",
        "media-coverage",
        "product",
        "related",
        "release-notes",
        "signature",
        "technical-description",
        "third-party-advisory",
        "vendor-advisory",
        "vdb-entry",
    }
)
CNA_TAGS = frozenset({"unsupported-when-assigned", "exclusively-hosted-service", "disputed"})


def _clean_references(references: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for reference in references:
        url = str(reference.get("url", "")).strip()
        if not re.match(r"^https?://[^\s]+$", url) or len(url) > 2048:
            raise InvalidInput(_("“%(url)s” is not a web address.") % {"url": url})
        tags = [str(t) for t in reference.get("tags", [])]
        unknown = [t for t in tags if t not in _REFERENCE_TAGS and not t.startswith("x_")]
        if unknown:
            raise InvalidInput(_("Unknown reference tag: %(tags)s.") % {"tags": ", ".join(unknown)})
        item: dict[str, Any] = {"url": url, "tags": tags}
        if str(reference.get("name", "")).strip():
            item["name"] = str(reference["name"]).strip()
        cleaned.append(item)
    return cleaned


def edit_record(
    actor: Any,
    record: CveRecord,
    *,
    description_en: str,
    description_ja: str,
    references: list[dict[str, Any]],
    cna_tags: list[str],
    expected_version: int,
) -> CveRecord:
    _require_officer(actor)
    if record.sync_state in (SyncState.REJECTED, SyncState.REJECT_PENDING):
        raise GuardFailed(_("A rejected record cannot be edited."))
    unknown = [t for t in cna_tags if t not in CNA_TAGS]
    if unknown:
        raise InvalidInput(_("Unknown record tag: %(tags)s.") % {"tags": ", ".join(unknown)})
    cleaned = _clean_references(references)
    with transaction.atomic():
        changed = CveRecord.objects.filter(pk=record.pk, version=expected_version).update(
            description_en=description_en.strip(),
            description_ja=description_ja.strip(),
            references=cleaned,
            cna_tags=list(cna_tags),
            version=expected_version + 1,
            updated_at=timezone.now(),
            updated_by=actor,
        )
        if changed != 1:
            raise ConcurrentChange
        record.refresh_from_db()
        audit.record(
            "cna.record_edited",
            actor=actor,
            subject=record,
            case_id=record.cve.vulnerability.case_id if record.cve.vulnerability else None,
            summary=f"{record.cve.cve_id} v{record.version}",
        )
    return record


def publish_record(actor: Any, record: CveRecord) -> CveRecord:
    """Queue the record for publication (or for an update once published), after every
    check passes; the sync job sends exactly this version."""
    _require_officer(actor)
    vulnerability = record.cve.vulnerability
    if vulnerability is None or record.sync_state in (SyncState.REJECTED, SyncState.REJECT_PENDING):
        raise GuardFailed(_("This record cannot be published."))
    container = build_container(record)
    problems = blocking(check_record(container, vulnerability.case))
    if problems:
        raise InvalidInput(" ".join(f"{problem.field}: {problem.message}" for problem in problems))
    return _queue(actor, record, container, "cna.record_queued")


def _queue(actor: Any, record: CveRecord, container: dict[str, Any], action: str) -> CveRecord:
    from .tasks import sync_record

    published = record.published_at is not None
    state = SyncState.UPDATE_PENDING if published else SyncState.QUEUED
    with transaction.atomic():
        # A queued container is a new version: the job sends exactly it, once, even
        # when only the case (not the record's own texts) changed since the last sync.
        changed = CveRecord.objects.filter(pk=record.pk, version=record.version).update(
            container=container, sync_state=state, last_error="", version=record.version + 1
        )
        if changed != 1:
            raise ConcurrentChange
        record.refresh_from_db()
        audit.record(action, actor=actor, subject=record, summary=f"{record.cve.cve_id} {state}")
        enqueue_on_commit(sync_record, record.pk, record.version)
    return record


def follow_publication(record: CveRecord, advisory_urls: list[str]) -> CveRecord | None:
    """The case's advisory was published or revised (issue 8, point 5): the platform
    adds the advisory's pages to the record's references and queues its publication,
    or its update once published. A record that does not pass its checks is left
    as it is, marked failed with the reasons, for an officer to complete and publish."""
    if record.cve.vulnerability is None or record.sync_state in (
        SyncState.REJECTED,
        SyncState.REJECT_PENDING,
    ):
        return None
    known = {str(r.get("url", "")) for r in record.references}
    missing = [
        {"url": url, "tags": ["third-party-advisory"]} for url in advisory_urls if url not in known
    ]
    with transaction.atomic():
        if missing:
            CveRecord.objects.filter(pk=record.pk).update(
                references=[*missing, *record.references], version=record.version + 1
            )
            record.refresh_from_db()
        container = build_container(record)
        problems = blocking(check_record(container, record.cve.vulnerability.case))
        if problems:
            CveRecord.objects.filter(pk=record.pk).update(
                sync_state=SyncState.FAILED,
                last_error=" ".join(f"{p.field}: {p.message}" for p in problems),
            )
            audit.record(
                "cna.record_not_followed",
                subject=record,
                summary=record.cve.cve_id,
                data={"problems": [p.message for p in problems]},
                actor_label="publication-job",
            )
            return None
        return _queue(None, record, container, "cna.record_follows_advisory")


def reject_record(actor: Any, record: CveRecord, reason: str) -> CveRecord:
    """Reject an assigned ID whose vulnerability turned out not to be one (or a
    duplicate): the record becomes a rejected record at CVE Services."""
    from .tasks import sync_record

    _require_officer(actor)
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the rejection, in English."))
    record.reject_reason = reason.strip()
    problems = schema_problems(rejected_container(record), REJECTED_SCHEMA)
    if problems:
        raise InvalidInput(" ".join(f"{p.field}: {p.message}" for p in problems))
    with transaction.atomic():
        changed = CveRecord.objects.filter(pk=record.pk, version=record.version).update(
            reject_reason=record.reject_reason,
            container=rejected_container(record),
            sync_state=SyncState.REJECT_PENDING,
            version=record.version + 1,
            last_error="",
        )
        if changed != 1:
            raise ConcurrentChange
        record.refresh_from_db()
        audit.record("cna.record_reject_queued", actor=actor, subject=record, summary=reason[:200])
        enqueue_on_commit(sync_record, record.pk, record.version)
    return record


# --- credentials ----------------------------------------------------------------------


def set_credential(actor: Any, username: str, api_key: str) -> ServiceCredential:
    """Store the CVE Services API user and secret (encrypted; never shown again)."""
    if actor is not None:
        _require_officer(actor)
    if not username.strip() or not api_key.strip():
        raise InvalidInput(_("Give both the API user and its secret."))
    with transaction.atomic():
        ServiceCredential.objects.all().delete()
        credential = ServiceCredential.objects.create(
            username=username.strip(), encrypted_key=secrets.encrypt(api_key.strip()), set_by=actor
        )
        audit.record("cna.credential_set", actor=actor, summary=credential.username)
    return credential


# --- imported own records ----------------------------------------------------------


def import_own_record(actor: Any, cve_id: str, state: str, container: dict[str, Any]) -> CveRecord:
    """Take a published or rejected record of this CNA, imported from a CVE record
    (``kakehashi cna import --own``), under management: its ID joins the pool (source
    "import") and its CNA container is kept as the record's container, so ``cna export``
    prints what was published. An ID that a vulnerability holds is managed from its case
    and is not overwritten."""
    _require_officer(actor)
    cve_id, year, number = parse_cve_id(cve_id)
    if state not in (IdState.PUBLISHED, IdState.REJECTED):
        raise InvalidInput(
            _("%(id)s: only published or rejected records are imported.") % {"id": cve_id}
        )
    descriptions = container.get("rejectedReasons" if state == IdState.REJECTED else "descriptions")
    texts = {
        str(d.get("lang", ""))[:2].lower(): str(d.get("value", ""))
        for d in reversed(descriptions if isinstance(descriptions, list) else [])
        if isinstance(d, dict)
    }
    now = timezone.now()
    with transaction.atomic():
        cve = CveId.objects.select_for_update().filter(cve_id=cve_id).first()
        if cve is not None and cve.vulnerability_id is not None:
            raise InvalidInput(
                _(
                    "%(id)s is assigned to a vulnerability of a case here; the imported record is not applied."
                )
                % {"id": cve_id}
            )
        if cve is None:
            cve = CveId(cve_id=cve_id, year=year, sequence=number, source=IdSource.IMPORT)
        cve.state = state
        cve.owning_cna = settings.KAKEHASHI_CNA_SHORT_NAME
        cve.state_changed_at = now
        cve.save()
        record = CveRecord.objects.filter(cve=cve).first() or CveRecord(cve=cve, version=0)
        rejected = state == IdState.REJECTED
        record.description_en = "" if rejected else texts.get("en", "")
        record.description_ja = "" if rejected else texts.get("ja", "")
        record.reject_reason = texts.get("en", "") if rejected else ""
        record.references = [r for r in container.get("references") or [] if isinstance(r, dict)]
        record.cna_tags = list(container.get("tags") or [])
        record.container = container
        record.sync_state = SyncState.REJECTED if rejected else SyncState.PUBLISHED
        record.version += 1
        record.synced_version = record.version
        record.last_error = ""
        record.published_at = record.published_at or now
        record.synced_at = now
        record.updated_at = now
        record.updated_by = actor
        record.save()
        audit.record(
            "cna.record_imported", actor=actor, subject=record, summary=f"{cve_id} {state}"
        )
    return record
