"""Every step of the publication committee is one action (STYLE point 3): it checks
who acts, locks or claims the case, adds its immutable row, and audits it in the same
transaction. Bad input or a premature step is refused with a translated message and
nothing is written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.cases.actions import close_case
from kakehashi.cases.actions._common import claimed, lock_case, require, require_open
from kakehashi.cases.choices import ClosureReason, ParticipantRole
from kakehashi.cases.models import Case, ContactAttempt, Participant
from kakehashi.core import audit
from kakehashi.core.storage import delete_private, save_private
from kakehashi.core.workflow import ConcurrentChange, InvalidInput
from kakehashi.intake.files import clean_filename
from kakehashi.unreachable import rules
from kakehashi.unreachable.actions import remove_listing
from kakehashi.unreachable.choices import RemovalReason
from kakehashi.unreachable.models import UnreachableListing

from .access import may
from .choices import Criterion, Ground, NoticeMethod, OpinionForm, Outcome
from .models import (
    Assessment,
    CommitteeFile,
    Decision,
    DraftText,
    MetiConfirmation,
    Notice,
    Opinion,
    OpinionAttachment,
    VendorStatement,
)


def _require_may(actor: Any, case: Case, need: str) -> None:
    if need == "feed":
        message = _("Only the case's coordinator may do this.")
    else:
        message = _("Only the publication committee may do this.")
    require(may(actor, case.coordinator_org_id, need), message)


def _snapshot_vulnerabilities(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "number": v.number,
            "title_ja": v.title_ja,
            "title_en": v.title_en,
            "description_ja": v.description_ja,
            "description_en": v.description_en,
            "cwe_id": v.cwe_id,
            "cvss_v3_vector": v.cvss_v3_vector,
            "cvss_v3_score": str(v.cvss_v3_score) if v.cvss_v3_score is not None else "",
            "cvss_v4_vector": v.cvss_v4_vector,
            "cve_id": v.cve_id,
        }
        for v in case.vulnerabilities.all()
    ]


def _snapshot_contacts(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "participant": a.participant.display_name(),
            "channel": a.channel,
            "address": a.address,
            "attempted_at": a.attempted_at.isoformat(),
            "outcome": a.outcome,
            "details_included": a.details_included,
            "note": a.note,
        }
        for a in ContactAttempt.objects.filter(case=case)
        .select_related("participant__organisation", "participant__user")
        .order_by("attempted_at", "id")
    ]


def _open(
    case: Case,
    *,
    actor: Any,
    ground: str,
    vendor_name: str,
    statement: str,
    listing: UnreachableListing | None = None,
) -> CommitteeFile:
    require(
        not CommitteeFile.objects.filter(case=case, closed_at__isnull=True).exists(),
        _("This case already has an open committee file."),
    )
    try:
        with transaction.atomic():
            committee_file = CommitteeFile.objects.create(
                case=case,
                ground=ground,
                listing=listing,
                vendor_name=vendor_name,
                statement=statement,
                vulnerabilities=_snapshot_vulnerabilities(case),
                contact_history=_snapshot_contacts(case),
                opened_at=timezone.now(),
                opened_by=actor,
            )
    except IntegrityError as error:
        raise ConcurrentChange from error
    audit.record(
        "committee.opened",
        actor=actor,
        subject=committee_file,
        case_id=case.pk,
        summary=f"{case.reference}: committee file {committee_file.pk} ({ground})",
        data={"listing": listing.pk if listing else None},
    )
    return committee_file


def declare_coordination_impossible(
    listing: UnreachableListing,
    *,
    actor: Any,
    statement: str,
    revision: int | None = None,
) -> CommitteeFile:
    """調整不能 (IV.3(2)1(ア)): the listed vendor stayed silent for six months and every
    channel was tried and logged. Opens the committee file; the public listing counts
    as the notice to the vendor (IV.3(2)3), recorded here by the platform."""
    if not statement.strip():
        raise InvalidInput(_("Say why coordination is impossible."))
    case = Case.objects.get(pk=listing.case_id)
    participant = listing.participant
    with claimed(case, revision):
        _require_may(actor, case, "feed")
        require_open(case)
        require(listing.is_open, _("This listing has been removed."))
        quiet = rules.silence(participant)
        days = rules.impossible_after_days()
        require(
            quiet.since is not None and quiet.since <= listing.silent_since and quiet.lasted(days),
            _(
                "Coordination cannot be declared impossible yet: the vendor must have been "
                "silent for %(days)d days."
            )
            % {"days": days},
        )
        missing = rules.untried_channels(participant, quiet.channels_tried)
        require(
            not missing,
            _("Every channel must be tried and logged first. Not tried yet: %(channels)s.")
            % {"channels": ", ".join(_channel_labels(missing))},
        )
        committee_file = _open(
            case,
            actor=actor,
            ground=Ground.UNREACHABLE,
            vendor_name=listing.developer() or listing.remarks(),
            statement=statement.strip(),
            listing=listing,
        )
        _record_listing_notice(committee_file, listing)
    return committee_file


def _channel_labels(channels: list[str]) -> list[str]:
    from kakehashi.cases.choices import ContactChannel

    return [str(ContactChannel(c).label) for c in channels]


def _record_listing_notice(committee_file: CommitteeFile, listing: UnreachableListing) -> None:
    now = timezone.now()
    deadline = now + timedelta(days=int(settings.KAKEHASHI_COMMITTEE_OPINION_DAYS))
    if listing.contact_deadline is not None:
        end_of_day = datetime.combine(listing.contact_deadline, time(23, 59, 59))
        listed_deadline = timezone.make_aware(end_of_day)
        if listed_deadline > now:
            deadline = listed_deadline
    notice = Notice.objects.create(
        file=committee_file,
        method=NoticeMethod.PUBLIC_LISTING,
        address=listing.did,
        sent_at=listing.product_listed_at or listing.listed_at,
        opinion_deadline=deadline,
        automatic=True,
        recorded_at=now,
    )
    audit.record(
        "committee.notice",
        subject=notice,
        case_id=committee_file.case_id,
        summary=f"committee file {committee_file.pk}: {listing.did} counts as notice",
        data={"opinion_deadline": deadline},
    )


def open_impracticable_file(
    case: Case,
    participant: Participant,
    *,
    actor: Any,
    statement: str,
    revision: int | None = None,
) -> CommitteeFile:
    """調整不能 (IV.3(2)1(イ)): agreement on publication has become impracticable."""
    if not statement.strip():
        raise InvalidInput(_("Say why coordination is impossible."))
    require(
        participant.case_id == case.pk
        and participant.is_current
        and participant.role == ParticipantRole.VENDOR,
        _("Choose a vendor of this case."),
    )
    with claimed(case, revision):
        _require_may(actor, case, "feed")
        require_open(case)
        return _open(
            case,
            actor=actor,
            ground=Ground.IMPRACTICABLE,
            vendor_name=participant.display_name(),
            statement=statement.strip(),
        )


def _locked_open_file(committee_file: CommitteeFile, actor: Any, need: str) -> Case:
    """Lock the file's case (the order every case action takes its locks in) and check
    the actor and that the file is still open."""
    case = Case.objects.get(pk=committee_file.case_id)
    lock_case(case)
    _require_may(actor, case, need)
    fresh = CommitteeFile.objects.get(pk=committee_file.pk)
    require(fresh.is_open, _("This committee file is closed."))
    return case


def _audit(action: str, actor: Any, row: Any, committee_file: CommitteeFile, text: str) -> None:
    audit.record(
        action,
        actor=actor,
        subject=row,
        case_id=committee_file.case_id,
        summary=f"committee file {committee_file.pk}: {text}",
    )


def record_draft(
    committee_file: CommitteeFile, *, actor: Any, text_ja: str, text_en: str
) -> DraftText:
    if not text_ja.strip() and not text_en.strip():
        raise InvalidInput(_("Write the draft publication text in at least one language."))
    with transaction.atomic():
        _locked_open_file(committee_file, actor, "feed")
        draft = DraftText.objects.create(
            file=committee_file,
            text_ja=text_ja.strip(),
            text_en=text_en.strip(),
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        _audit("committee.draft", actor, draft, committee_file, "draft text")
    return draft


def record_notice(
    committee_file: CommitteeFile,
    *,
    actor: Any,
    method: str,
    address: str,
    sent_at: datetime,
    opinion_deadline: datetime,
    note: str = "",
) -> Notice:
    """The notice to the vendor (vulnerability, history, draft text, where and by when
    to send an opinion), sent outside the platform and recorded here."""
    if method not in NoticeMethod.values or method == NoticeMethod.PUBLIC_LISTING:
        raise InvalidInput(_("Choose how the notice was sent."))
    if not address.strip():
        raise InvalidInput(_("Give the address the notice was sent to."))
    if sent_at > timezone.now():
        raise InvalidInput(_("The notice cannot have been sent in the future."))
    if opinion_deadline <= sent_at:
        raise InvalidInput(_("The opinion deadline must come after the notice."))
    with transaction.atomic():
        _locked_open_file(committee_file, actor, "feed")
        require(
            DraftText.objects.filter(file=committee_file).exists(),
            _("Add the draft publication text first: the notice carries it."),
        )
        notice = Notice.objects.create(
            file=committee_file,
            method=method,
            address=address.strip(),
            sent_at=sent_at,
            opinion_deadline=opinion_deadline,
            note=note.strip(),
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        _audit("committee.notice", actor, notice, committee_file, f"notice by {method}")
    return notice


def record_opinion(
    committee_file: CommitteeFile,
    *,
    actor: Any,
    form: str,
    author: str,
    received_at: datetime,
    text: str,
    attachments: Sequence[Any] = (),
) -> Opinion:
    """A written opinion or the record of an oral hearing, entered by committee staff,
    with any documents that came with it (uploads; stored privately)."""
    if form not in OpinionForm.values:
        raise InvalidInput(_("Choose written opinion or oral hearing."))
    if not author.strip():
        raise InvalidInput(_("Say whose opinion it is."))
    if not text.strip():
        raise InvalidInput(_("Enter the opinion or the hearing record."))
    if received_at > timezone.now():
        raise InvalidInput(_("An opinion cannot be received in the future."))
    _check_attachments(attachments)
    stored = [(clean_filename(getattr(f, "name", "")), save_private(f)) for f in attachments]
    try:
        with transaction.atomic():
            _locked_open_file(committee_file, actor, "judge")
            opinion = Opinion.objects.create(
                file=committee_file,
                form=form,
                author=author.strip(),
                received_at=received_at,
                text=text.strip(),
                recorded_at=timezone.now(),
                recorded_by=actor,
            )
            for name, saved in stored:
                OpinionAttachment.objects.create(
                    opinion=opinion,
                    filename=name,
                    storage_key=saved.key,
                    sha256=saved.sha256,
                    size=saved.size,
                )
            _audit("committee.opinion", actor, opinion, committee_file, f"{form} opinion")
    except BaseException:
        for _name, saved in stored:  # refused or failed: keep no orphaned file
            delete_private(saved.key)
        raise
    return opinion


def _check_attachments(attachments: Sequence[Any]) -> None:
    limit = int(settings.KAKEHASHI_ATTACHMENT_MAX_BYTES)
    if len(attachments) > int(settings.KAKEHASHI_ATTACHMENT_MAX_FILES):
        raise InvalidInput(
            _("At most %(n)d files per opinion.") % {"n": settings.KAKEHASHI_ATTACHMENT_MAX_FILES}
        )
    for upload in attachments:
        name = clean_filename(getattr(upload, "name", ""))
        if not upload.size:
            raise InvalidInput(_("“%(name)s” is empty.") % {"name": name})
        if upload.size > limit:
            raise InvalidInput(
                _("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": limit // 1_000_000}
            )


def assess_criterion(
    committee_file: CommitteeFile, *, actor: Any, criterion: str, met: bool, reasoning: str
) -> Assessment:
    """Record one of the four criteria; a later assessment of it supersedes this one."""
    if criterion not in Criterion.values:
        raise InvalidInput(_("Choose a criterion."))
    if not reasoning.strip():
        raise InvalidInput(_("Give the reasoning."))
    with transaction.atomic():
        _locked_open_file(committee_file, actor, "judge")
        assessment = Assessment.objects.create(
            file=committee_file,
            criterion=criterion,
            met=met,
            reasoning=reasoning.strip(),
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        _audit(
            "committee.criterion",
            actor,
            assessment,
            committee_file,
            f"criterion {criterion} {'met' if met else 'not met'}",
        )
    return assessment


def current_assessments(committee_file: CommitteeFile) -> dict[str, Assessment]:
    """The newest assessment of each criterion."""
    newest: dict[str, Assessment] = {}
    for row in Assessment.objects.filter(file=committee_file).order_by("recorded_at", "id"):
        newest[row.criterion] = row
    return newest


def decide(committee_file: CommitteeFile, *, actor: Any, outcome: str, reasons: str) -> Decision:
    """The decision with its reasons; it closes the file.

    - publish: only when all four criteria are met, a draft text exists and the opinion
      deadline of the latest notice has passed;
    - do not publish: closes the case (``ClosureReason.COMMITTEE_NOT_PUBLISHED``);
    - back to coordination: the case continues and the listing, if any, is removed.
    """
    if outcome not in Outcome.values:
        raise InvalidInput(_("Choose a decision."))
    if not reasons.strip():
        raise InvalidInput(_("Give the reasons for the decision."))
    with transaction.atomic():
        case = _locked_open_file(committee_file, actor, "judge")
        if outcome != Outcome.RECOORDINATE:
            _require_opinion_period_over(committee_file)
        if outcome == Outcome.PUBLISH:
            _require_publishable(committee_file)
        now = timezone.now()
        decision = Decision.objects.create(
            file=committee_file,
            outcome=outcome,
            reasons=reasons.strip(),
            recorded_at=now,
            recorded_by=actor,
        )
        closed = CommitteeFile.objects.filter(pk=committee_file.pk, closed_at__isnull=True).update(
            closed_at=now
        )
        if closed != 1:
            raise ConcurrentChange
        committee_file.closed_at = now
        _audit("committee.decided", actor, decision, committee_file, outcome)
        _apply_outcome(committee_file, case, outcome, reasons.strip())
    return decision


def _require_opinion_period_over(committee_file: CommitteeFile) -> None:
    notice = Notice.objects.filter(file=committee_file).order_by("-recorded_at", "-id").first()
    require(notice is not None, _("The vendor has not been given notice yet."))
    assert notice is not None
    require(
        notice.opinion_deadline <= timezone.now(),
        _("The vendor may still send an opinion until %(deadline)s.")
        % {"deadline": timezone.localtime(notice.opinion_deadline).strftime("%Y-%m-%d %H:%M")},
    )


def _require_publishable(committee_file: CommitteeFile) -> None:
    require(
        DraftText.objects.filter(file=committee_file).exists(),
        _("There is no draft publication text."),
    )
    assessments = current_assessments(committee_file)
    unmet = [
        str(Criterion(c).label)
        for c in Criterion.values
        if c not in assessments or not assessments[c].met
    ]
    require(
        not unmet,
        _("Publication needs all four criteria met. Not met or not assessed: %(criteria)s.")
        % {"criteria": "; ".join(unmet)},
    )


def _apply_outcome(committee_file: CommitteeFile, case: Case, outcome: str, reasons: str) -> None:
    listing = committee_file.listing
    if outcome == Outcome.NOT_PUBLISH:
        # The platform closes the case on the committee's behalf; the decision row
        # and its audit event say who decided.
        close_case(
            case,
            actor=None,
            reason=ClosureReason.COMMITTEE_NOT_PUBLISHED,
            note=reasons,
            override=True,
        )
        if listing is not None and listing.is_open:
            remove_listing(listing, actor=None, reason=RemovalReason.CASE_CLOSED)
    elif outcome == Outcome.RECOORDINATE and listing is not None and listing.is_open:
        remove_listing(listing, actor=None, reason=RemovalReason.BACK_TO_COORDINATION)


def _require_decided_publish(committee_file: CommitteeFile, what: str) -> Case:
    case = Case.objects.get(pk=committee_file.case_id)
    lock_case(case)
    decision = Decision.objects.filter(file=committee_file).first()
    require(
        decision is not None and decision.outcome == Outcome.PUBLISH,
        _("%(what)s is recorded only after a decision to publish.") % {"what": what},
    )
    require(
        not committee_file.for_unreachable,
        _("%(what)s does not apply when the developer was unreachable.") % {"what": what},
    )
    return case


def record_vendor_statement(
    committee_file: CommitteeFile, *, actor: Any, text_ja: str, text_en: str
) -> VendorStatement:
    """The vendor asked for its statement to be printed beside the advisory."""
    if not text_ja.strip() and not text_en.strip():
        raise InvalidInput(_("Enter the vendor's statement in at least one language."))
    with transaction.atomic():
        case = _require_decided_publish(committee_file, _("The vendor's statement"))
        _require_may(actor, case, "judge")
        statement = VendorStatement.objects.create(
            file=committee_file,
            text_ja=text_ja.strip(),
            text_en=text_en.strip(),
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        _audit("committee.vendor_statement", actor, statement, committee_file, "statement")
    return statement


def record_meti_confirmation(
    committee_file: CommitteeFile,
    *,
    actor: Any,
    confirmed_at: datetime,
    reference: str = "",
    note: str = "",
) -> MetiConfirmation:
    """METI confirmed that the procedure was followed (IV.3(2)6; not for unreachable)."""
    if confirmed_at > timezone.now():
        raise InvalidInput(_("The confirmation cannot be in the future."))
    with transaction.atomic():
        case = _require_decided_publish(committee_file, _("METI's confirmation"))
        _require_may(actor, case, "judge")
        require(
            not MetiConfirmation.objects.filter(file=committee_file).exists(),
            _("METI's confirmation is already recorded."),
        )
        confirmation = MetiConfirmation.objects.create(
            file=committee_file,
            confirmed_at=confirmed_at,
            reference=reference.strip(),
            note=note.strip(),
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        _audit("committee.meti", actor, confirmation, committee_file, "METI confirmation")
    return confirmation
