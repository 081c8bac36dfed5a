"""Advisory actions: start a draft from a case, edit and approve each language, waive
one, publish at the agreed instant (idempotently), revise and withdraw.

The publication itself (:func:`publish_if_due`) is the only writer of revisions: it
runs in the scheduled job at the case's embargo end or target instant, checks again,
and either writes exactly one new revision or nothing.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.cases.access import can_coordinate
from kakehashi.cases.models import Case, Participant
from kakehashi.core import audit
from kakehashi.core.public import clear_public_cache
from kakehashi.core.workflow import ConcurrentChange, GuardFailed, InvalidInput

from ..access import can_coordinate_alert
from ..choices import LANGUAGES, AdvisoryKind, AdvisoryState, ReviewState
from ..content import TEXT_FIELDS, draft_texts, publication_problems, revision_content
from ..exports.checks import export_problems
from ..models import Advisory, AdvisoryRevision, AdvisoryText, VendorReview
from ..search import cwe_list, fold_content, highest_severity
from ..signals import advisory_published

EDITABLE_FIELDS = (*TEXT_FIELDS, "revision_note")


def _prefix(kind: str) -> str:
    return str(settings.KAKEHASHI_ADVISORY_PREFIXES[kind])


def new_advisory_id(kind: str) -> tuple[str, str]:
    """A fresh ``(ID, slug)``: the kind's prefix and 8 random digits (JVN numbers are
    not sequential), never one that exists."""
    prefix = _prefix(kind)
    for _attempt in range(20):
        digits = f"{secrets.randbelow(10**8):08d}"
        advisory_id = f"{prefix}{digits}"
        if not Advisory.objects.filter(advisory_id=advisory_id).exists():
            return advisory_id, advisory_id.replace("#", "")
    raise RuntimeError("no free advisory ID after 20 attempts")


def _require_coordinator(actor: Any, advisory: Advisory) -> None:
    if advisory.case is not None:
        allowed = can_coordinate(actor, advisory.case)
    else:
        allowed = can_coordinate_alert(actor, advisory.coordinator_org_id)
    if not allowed:
        raise GuardFailed(_("Only the case's coordinator may do this."))


def default_kind(case: Case) -> str:
    """JVNVU for cases with an overseas vendor or partner, JVN otherwise."""
    from kakehashi.vendors.models import VendorProfile

    organisations = list(case.participants.current().values_list("organisation_id", "role"))
    if any(role == "partner_cert" for _, role in organisations):
        return AdvisoryKind.INTERNATIONAL
    vendor_orgs = [org for org, role in organisations if role == "vendor" and org]
    if VendorProfile.objects.filter(organisation_id__in=vendor_orgs, overseas=True).exists():
        return AdvisoryKind.INTERNATIONAL
    return AdvisoryKind.PARTNERSHIP


def start_advisory(case: Case, *, actor: Any, kind: str | None = None) -> Advisory:
    """Open the case's advisory with a first draft in both languages."""
    if not can_coordinate(actor, case):
        raise GuardFailed(_("Only the case's coordinator may do this."))
    kind = kind or default_kind(case)
    if kind not in AdvisoryKind.values:
        raise InvalidInput(_("Choose the kind of advisory."))
    if case.coordinator_org_id is None:
        raise InvalidInput(_("The case has no coordinator."))
    texts = draft_texts(case, kind=kind)
    try:
        with transaction.atomic():
            advisory_id, slug = new_advisory_id(kind)
            advisory = Advisory.objects.create(
                case=case,
                coordinator_org_id=case.coordinator_org_id,
                advisory_id=advisory_id,
                slug=slug,
                kind=kind,
                created_by=actor,
            )
            AdvisoryText.objects.bulk_create(
                AdvisoryText(
                    advisory=advisory, language=language, updated_by=actor, **texts[language]
                )
                for language in LANGUAGES
            )
            audit.record(
                "advisory.started",
                actor=actor,
                subject=advisory,
                case_id=case.pk,
                summary=f"{case.reference}: {advisory_id}",
            )
    except IntegrityError as error:  # the case got its advisory at the same moment
        raise InvalidInput(_("This case already has an advisory.")) from error
    return advisory


def _lock(advisory: Advisory) -> Advisory:
    return Advisory.objects.select_for_update().get(pk=advisory.pk)


def edit_text(
    advisory: Advisory,
    language: str,
    *,
    actor: Any,
    expected_version: int,
    **fields: str,
) -> AdvisoryText:
    """Change one language's draft; its approval lapses (a new version needs one)."""
    _require_coordinator(actor, advisory)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown advisory fields: {sorted(unknown)}")
    if language not in LANGUAGES:
        raise InvalidInput(_("Choose Japanese or English."))
    with transaction.atomic():
        locked = _lock(advisory)
        if locked.state == AdvisoryState.WITHDRAWN:
            raise GuardFailed(_("A withdrawn advisory cannot be edited."))
        changed = AdvisoryText.objects.filter(
            advisory=advisory, language=language, version=expected_version
        ).update(
            version=expected_version + 1,
            updated_at=timezone.now(),
            updated_by=actor,
            **{name: value.strip() for name, value in fields.items()},
        )
        if changed != 1:
            raise ConcurrentChange
        if locked.state == AdvisoryState.SCHEDULED:  # no longer fully approved
            Advisory.objects.filter(pk=advisory.pk).update(
                state=AdvisoryState.DRAFT, scheduled_for=None
            )
        text = AdvisoryText.objects.get(advisory=advisory, language=language)
        audit.record(
            "advisory.edited",
            actor=actor,
            subject=advisory,
            case_id=advisory.case_id,
            summary=f"{advisory.advisory_id} [{language}] v{text.version}",
        )
    advisory.refresh_from_db()
    return text


def approve_text(advisory: Advisory, language: str, *, actor: Any, version: int) -> AdvisoryText:
    """Approve the version of one language the reviewer read; when every language is
    approved (or waived), publication is scheduled."""
    _require_coordinator(actor, advisory)
    with transaction.atomic():
        _lock(advisory)
        changed = AdvisoryText.objects.filter(
            advisory=advisory, language=language, version=version
        ).update(approved_version=version, approved_at=timezone.now(), approved_by=actor)
        if changed != 1:
            raise ConcurrentChange
        audit.record(
            "advisory.approved",
            actor=actor,
            subject=advisory,
            case_id=advisory.case_id,
            summary=f"{advisory.advisory_id} [{language}] v{version}",
        )
        _schedule_if_ready(advisory, actor)
    advisory.refresh_from_db()
    return AdvisoryText.objects.get(advisory=advisory, language=language)


def waive_language(advisory: Advisory, language: str, *, actor: Any, reason: str) -> Advisory:
    """Publish without one language, for a recorded reason."""
    _require_coordinator(actor, advisory)
    if language not in LANGUAGES:
        raise InvalidInput(_("Choose Japanese or English."))
    if not reason.strip():
        raise InvalidInput(_("Give the reason for publishing without this language."))
    with transaction.atomic():
        _lock(advisory)
        Advisory.objects.filter(pk=advisory.pk).update(
            waived_language=language, waiver_reason=reason.strip(), waived_by=actor
        )
        advisory.refresh_from_db()
        audit.record(
            "advisory.language_waived",
            actor=actor,
            subject=advisory,
            case_id=advisory.case_id,
            summary=f"{advisory.advisory_id} without [{language}]",
            data={"reason": reason.strip()},
        )
        _schedule_if_ready(advisory, actor)
    advisory.refresh_from_db()
    return advisory


def embargo_end(case: Case | None) -> datetime | None:
    """The end of the embargo in force on ``case``, if any."""
    if case is None or not case.embargo_in_force:
        return None
    embargo = case.embargoes.filter(ended_at__isnull=True).first()
    return embargo.ends_at if embargo is not None else None


def publication_instant(advisory: Advisory) -> datetime:
    """The instant the coordinator chose (never before an embargo's end), else the
    embargo's end if one is in force, else the case's target, else now."""
    case = advisory.case
    now = timezone.now()
    ends = embargo_end(case)
    if advisory.publish_at is not None:
        return max(advisory.publish_at, now, ends or now)
    if ends is not None:
        return max(ends, now)
    if (
        case is not None
        and case.target_publication_at is not None
        and advisory.published_at is None
    ):
        return max(case.target_publication_at, now)
    return now


def _schedule_if_ready(advisory: Advisory, actor: Any) -> None:
    if advisory.state not in (AdvisoryState.DRAFT, AdvisoryState.PUBLISHED):
        return
    if publication_problems(advisory):
        return
    instant = publication_instant(advisory)
    Advisory.objects.filter(pk=advisory.pk).update(
        state=AdvisoryState.SCHEDULED, scheduled_for=instant
    )
    audit.record(
        "advisory.scheduled",
        actor=actor,
        subject=advisory,
        case_id=advisory.case_id,
        summary=f"{advisory.advisory_id} at {instant.isoformat()}",
    )


def publish_if_due(advisory_id: int, now: datetime | None = None) -> AdvisoryRevision | None:
    """Publish one scheduled advisory whose instant has come: exactly one new revision,
    or nothing (not due, already published, or a check failed — then it goes back to
    draft with the reasons in the audit log). Safe to run twice at once."""
    now = now or timezone.now()
    with transaction.atomic():
        advisory = Advisory.objects.select_for_update().filter(pk=advisory_id).first()
        if (
            advisory is None
            or advisory.state != AdvisoryState.SCHEDULED
            or advisory.scheduled_for is None
            or advisory.scheduled_for > now
        ):
            return None
        held_until = embargo_end(advisory.case)
        if held_until is not None and held_until > now:
            _hold(advisory, held_until)  # the embargo was extended after scheduling
            return None
        problems = publication_problems(advisory)
        if problems:
            _refuse(advisory, problems)
            return None
        try:
            with transaction.atomic():
                revision = _write_revision(advisory, now)
        except ExportsInvalid as invalid:
            # Nothing was written; the advisory waits for a coordinator, with the reasons.
            _refuse(advisory, invalid.problems)
            return None
        transaction.on_commit(clear_public_cache)
    advisory_published.send(sender=Advisory, advisory=advisory, revision=revision)
    return revision


def _hold(advisory: Advisory, until: datetime) -> None:
    Advisory.objects.filter(pk=advisory.pk).update(scheduled_for=until)
    audit.record(
        "advisory.scheduled",
        subject=advisory,
        case_id=advisory.case_id,
        summary=f"{advisory.advisory_id} at {until.isoformat()} (the embargo's end)",
        actor_label="publication-job",
    )


def _refuse(advisory: Advisory, problems: list[str]) -> None:
    Advisory.objects.filter(pk=advisory.pk).update(
        state=AdvisoryState.DRAFT if advisory.published_at is None else AdvisoryState.PUBLISHED,
        scheduled_for=None,
    )
    audit.record(
        "advisory.publication_refused",
        subject=advisory,
        case_id=advisory.case_id,
        summary=advisory.advisory_id,
        data={"problems": problems},
        actor_label="publication-job",
    )


class ExportsInvalid(Exception):
    """An export of the revision about to be published fails its validator."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _write_revision(advisory: Advisory, now: datetime) -> AdvisoryRevision:
    texts = {t.language: t for t in advisory.texts.all()}
    last = advisory.revisions.aggregate(Max("number"))["number__max"] or 0
    previous = advisory.current_revision.content["history"] if advisory.current_revision else []
    history = [
        *previous,
        {
            "number": last + 1,
            "at": now.isoformat(),
            "note_ja": texts["ja"].revision_note if "ja" in texts else "",
            "note_en": texts["en"].revision_note if "en" in texts else "",
        },
    ]
    content = revision_content(advisory, texts, history)
    first = advisory.published_at or now
    content["published_at"] = first.isoformat()
    content["updated_at"] = now.isoformat()
    content["revision"] = last + 1
    approver = next((t.approved_by for t in texts.values() if t.approved_by_id), None)
    revision = AdvisoryRevision(
        advisory=advisory,
        number=last + 1,
        published_at=now,
        content=content,
        search_text=fold_content(content),
        severity=highest_severity(content),
        cwe_ids=cwe_list(content),
        published_by=approver,
    )
    problems = export_problems(revision)
    if problems:
        raise ExportsInvalid(problems)
    revision.save()
    Advisory.objects.filter(pk=advisory.pk).update(
        state=AdvisoryState.PUBLISHED,
        current_revision=revision,
        published_at=first,
        updated_at=now,
        scheduled_for=None,
        publish_at=None,  # a later revision goes out at once unless a time is chosen
    )
    AdvisoryText.objects.filter(advisory=advisory).update(revision_note="")
    if advisory.case is not None:
        _mark_case(advisory.case, approver, first_time=last == 0)
    audit.record(
        "advisory.published",
        subject=advisory,
        case_id=advisory.case_id,
        summary=f"{advisory.advisory_id} r{revision.number}",
        actor_label="publication-job",
    )
    return revision


def _mark_case(case: Case, approver: Any, *, first_time: bool) -> None:
    """The case follows: published on the first revision, updating after."""
    from kakehashi.cases.actions import advance_phase
    from kakehashi.cases.workflow import Phase

    fresh = Case.objects.get(pk=case.pk)
    if first_time and fresh.phase != Phase.PUBLISHED and fresh.published_at is None:
        advance_phase(fresh, "publish", actor=approver, note=_("Advisory published"))
    elif not first_time and fresh.phase in (Phase.PUBLISHED, Phase.UPDATING):
        advance_phase(fresh, "revise", actor=approver, note=_("Advisory revised"))


def set_critical(advisory: Advisory, *, actor: Any, critical: bool) -> Advisory:
    """Mark the advisory "critical" (immediate action strongly recommended), or not. On a
    published advisory the flag shows with its next revision."""
    _require_coordinator(actor, advisory)
    with transaction.atomic():
        locked = _lock(advisory)
        if locked.state == AdvisoryState.WITHDRAWN:
            raise GuardFailed(_("A withdrawn advisory cannot be edited."))
        Advisory.objects.filter(pk=advisory.pk).update(critical=critical)
        audit.record(
            "advisory.critical",
            actor=actor,
            subject=advisory,
            case_id=advisory.case_id,
            summary=f"{advisory.advisory_id}: {'critical' if critical else 'not critical'}",
        )
    advisory.refresh_from_db()
    return advisory


def withdraw(advisory: Advisory, *, actor: Any, reason_ja: str, reason_en: str) -> Advisory:
    """Take a published advisory down; its page stays as a tombstone with the reason."""
    _require_coordinator(actor, advisory)
    if not (reason_ja.strip() or reason_en.strip()):
        raise InvalidInput(_("Give the reason for the withdrawal."))
    with transaction.atomic():
        locked = _lock(advisory)
        if locked.current_revision_id is None:
            raise GuardFailed(_("Only a published advisory can be withdrawn."))
        if locked.state == AdvisoryState.WITHDRAWN:
            raise GuardFailed(_("This advisory is already withdrawn."))
        Advisory.objects.filter(pk=advisory.pk).update(
            state=AdvisoryState.WITHDRAWN,
            withdrawn_at=timezone.now(),
            withdrawal_reason_ja=reason_ja.strip(),
            withdrawal_reason_en=reason_en.strip(),
            scheduled_for=None,
        )
        transaction.on_commit(clear_public_cache)
        audit.record(
            "advisory.withdrawn",
            actor=actor,
            subject=advisory,
            case_id=advisory.case_id,
            summary=advisory.advisory_id,
        )
    advisory.refresh_from_db()
    return advisory


# --- the vendors' review of the draft --------------------------------------------------


def draft_versions(advisory: Advisory) -> dict[str, int]:
    """The text version per language: what a vendor's answer concerns."""
    return {text.language: text.version for text in advisory.texts.all()}


def _check_review_input(
    state: str, comment: str, vendor_advisory_url: str, vendor_published_at: datetime | None
) -> None:
    if state not in ReviewState.values:
        raise InvalidInput(_("Choose whether you confirm the draft or ask for changes."))
    if state == ReviewState.CHANGES_REQUESTED and not comment.strip():
        raise InvalidInput(_("Say what should change in the draft."))
    if vendor_advisory_url:
        try:
            URLValidator(schemes=["https", "http"])(vendor_advisory_url)
        except ValidationError as error:
            raise InvalidInput(_("Enter the full web address of your advisory.")) from error
    if vendor_published_at is not None and not vendor_advisory_url:
        raise InvalidInput(_("Give the address of your advisory with its publication time."))


def review_draft(
    advisory: Advisory,
    participant: Participant,
    *,
    actor: Any,
    state: str,
    read_versions: dict[str, int],
    comment: str = "",
    vendor_advisory_url: str = "",
    vendor_published_at: datetime | None = None,
) -> VendorReview:
    """A vendor confirms its row of the draft or asks for changes, and records where
    and when its own advisory appears. The answer concerns the draft versions the
    vendor read (``read_versions``): if the draft changed since, nothing is recorded."""
    from kakehashi.cases.actions._common import actor_roles, lock_case
    from kakehashi.vendors.rules import receives_pre_publication

    case = advisory.case
    if case is None or participant.case_id != case.pk or participant.role != "vendor":
        raise GuardFailed(_("Only a vendor of the case may answer its advisory draft."))
    if not actor_roles(actor, case, participant) & {"vendor_psirt", "vendor_admin"}:
        raise GuardFailed(_("Only the vendor itself may answer for its row."))
    if not receives_pre_publication(participant):
        raise GuardFailed(_("Only a vendor of the case may answer its advisory draft."))
    _check_review_input(state, comment, vendor_advisory_url, vendor_published_at)
    with transaction.atomic():
        lock_case(case)
        locked = _lock(advisory)
        if locked.state == AdvisoryState.WITHDRAWN:
            raise GuardFailed(_("A withdrawn advisory cannot be edited."))
        if draft_versions(locked) != read_versions:
            raise GuardFailed(_("The draft changed since you read it. Read it again, then answer."))
        review, _created = VendorReview.objects.update_or_create(
            advisory=advisory,
            participant=participant,
            defaults={
                "state": state,
                "comment": comment.strip(),
                "vendor_advisory_url": vendor_advisory_url.strip(),
                "vendor_published_at": vendor_published_at,
                "draft_versions": read_versions,
                "answered_at": timezone.now(),
                "answered_by": actor,
            },
        )
        audit.record(
            "advisory.vendor_reviewed",
            actor=actor,
            subject=advisory,
            case_id=case.pk,
            summary=f"{advisory.advisory_id}: {participant.display_name('en')} {state}",
            data={
                "participant": participant.pk,
                "state": state,
                "comment": comment.strip(),
                "vendor_advisory_url": vendor_advisory_url.strip(),
                "vendor_published_at": vendor_published_at.isoformat()
                if vendor_published_at
                else None,
                "draft_versions": read_versions,
            },
        )
    return review


# Alerts (JVNTA#): without a case, and published at once or at a chosen time.
from .alerts import (  # noqa: E402  (they build on the functions above)
    add_alert_product,
    create_alert,
    remove_alert_product,
    set_alert_facts,
    set_publication_time,
)

__all__ = [
    "add_alert_product",
    "approve_text",
    "create_alert",
    "edit_text",
    "publish_if_due",
    "remove_alert_product",
    "review_draft",
    "set_alert_facts",
    "set_critical",
    "set_publication_time",
    "start_advisory",
    "waive_language",
    "withdraw",
]
