"""The reception desk's work on a report: acknowledgement, questions, the five checks,
acceptance (受理) or rejection (不受理), duplicates, forwarding to coordination, closure."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation
from kakehashi.cases import actions as case_actions
from kakehashi.cases.choices import CaseOrigin, ParticipantRole
from kakehashi.cases.models import Case
from kakehashi.cases.priority import priority_for
from kakehashi.core import audit, pgp
from kakehashi.core.workflow import GuardFailed, InvalidInput

from .. import files
from ..choices import AcceptanceCheck, CheckResult, RejectionReason, ReportClosureReason, Track
from ..models import AcceptanceCheckRecord, Report, ReportAttachment, ReportMessage
from ..workflow import RECEPTION, ReportState
from ._common import claimed, fire, mail_finder, now, report_roles, require_desk


def acknowledge_report(report: Report, *, actor: Any) -> Report:
    """The desk has looked at the report (the 7-day acknowledgement, ISO/IEC 29147)."""
    require_desk(actor, report)
    if report.acknowledged_at is not None:
        return report
    with claimed(report):
        report.acknowledged_at = now()
        report.save(update_fields=["acknowledged_at"])
        audit.record("report.acknowledged", actor=actor, subject=report, summary=report.tracking_id)
    return report


def assign_report(
    report: Report, *, actor: Any, assignee: Any, revision: int | None = None
) -> Report:
    require_desk(actor, report)
    if assignee is not None and not report_roles(assignee, report) & {
        "reception_clerk",
        "administrator",
    }:
        raise InvalidInput(_("Reports are assigned to clerks of this desk."))
    with claimed(report, revision):
        report.assignee = assignee
        report.save(update_fields=["assignee"])
        audit.record(
            "report.assigned",
            actor=actor,
            subject=report,
            summary=f"{report.tracking_id} → {assignee}",
        )
    return report


def set_scope(report: Report, *, actor: Any, scope: str, revision: int | None = None) -> Report:
    """The guideline's priority: CVSS v3 base score × scope (広 / 中 / 狭)."""
    require_desk(actor, report)
    priority = priority_for(report.cvss_v3_score, scope)
    with claimed(report, revision):
        report.scope, report.priority, report.priority_rank = scope, priority, priority.rank
        report.save(update_fields=["scope", "priority", "priority_rank"])
        audit.record(
            "report.priority",
            actor=actor,
            subject=report,
            summary=f"{report.tracking_id}: {scope} → {priority}",
        )
    return report


def ask_finder(
    report: Report, *, actor: Any, question: str, revision: int | None = None
) -> ReportMessage:
    """The needs-information loop: a question to the finder, who is told by mail."""
    if not question.strip():
        raise InvalidInput(_("Write the question."))
    with claimed(report, revision):
        fire(
            RECEPTION,
            report,
            "state",
            "ask",
            actor=actor,
            roles=report_roles(actor, report),
            extra_updates={"acknowledged_at": report.acknowledged_at or now()},
        )
        message = ReportMessage.objects.create(
            report=report, from_finder=False, author=actor, body=question.strip(), is_question=True
        )
        mail_finder(report, "report_question")
    return message


def message_finder(report: Report, *, actor: Any, body: str) -> ReportMessage:
    """A message to the finder that asks for nothing (progress, dates)."""
    require_desk(actor, report)
    if not body.strip():
        raise InvalidInput(_("Write the message."))
    with transaction.atomic():
        message = ReportMessage.objects.create(
            report=report, from_finder=False, author=actor, body=body.strip()
        )
        audit.record("report.message", actor=actor, subject=report, summary=report.tracking_id)
        mail_finder(report, "report_message")
    return message


def finder_reply(
    report: Report,
    *,
    actor: Any,
    body: str,
    uploads: list[Any] = (),  # type: ignore[assignment]
    via_secret_link: bool = False,
) -> ReportMessage:
    """The finder adds information (and files); an open question is answered by it."""
    roles = report_roles(actor, report, finder_secret_ok=via_secret_link)
    if "finder" not in roles:
        raise GuardFailed(_("Only the finder may add information to this report."))
    if not body.strip() and not uploads:
        raise InvalidInput(_("Write something or attach a file."))
    if report.state in (ReportState.CLOSED, ReportState.REJECTED):
        raise GuardFailed(_("This report is closed. Send a new report instead."))
    uploads = list(uploads)
    files.check_sizes(
        uploads,
        already=sum(a.size for a in report.attachments.all()),
        count_already=report.attachments.count(),
    )
    stored = [files.store(upload) for upload in uploads]
    try:
        with transaction.atomic():
            user = actor if getattr(actor, "is_authenticated", False) else None
            message = ReportMessage.objects.create(
                report=report, from_finder=True, author=user, body=body.strip()
            )
            ReportAttachment.objects.bulk_create(
                ReportAttachment(report=report, message=message, from_finder=True, **fields)
                for fields in stored
            )
            if report.state == ReportState.NEEDS_INFO:
                fire(RECEPTION, report, "state", "answer", actor=actor, roles=roles)
            audit.record(
                "report.finder_reply",
                actor=user,
                subject=report,
                summary=report.tracking_id,
                data={"attachments": len(stored)},
            )
    except BaseException:
        files.discard(stored)
        raise
    return message


def record_check(
    report: Report, *, actor: Any, check: str, result: str, note: str = ""
) -> AcceptanceCheckRecord:
    """One of the five acceptance checks, recorded on its own (the latest counts)."""
    require_desk(actor, report)
    if check not in AcceptanceCheck.values or result not in CheckResult.values:
        raise InvalidInput(_("Choose the check and its result."))
    if report.state not in (ReportState.RECEIVED, ReportState.NEEDS_INFO):
        raise GuardFailed(_("The acceptance decision has been taken."))
    with transaction.atomic():
        record = AcceptanceCheckRecord.objects.create(
            report=report, check_name=check, result=result, note=note, checked_by=actor
        )
        audit.record(
            "report.check",
            actor=actor,
            subject=report,
            summary=f"{report.tracking_id}: {check} {result}",
        )
    return record


def check_results(report: Report) -> dict[str, AcceptanceCheckRecord]:
    """The latest record of each check."""
    latest: dict[str, AcceptanceCheckRecord] = {}
    for record in report.checks.order_by("checked_at", "id"):
        latest[record.check_name] = record
    return latest


def accept_report(
    report: Report, *, actor: Any, note: str = "", revision: int | None = None
) -> Report:
    """受理: all five checks passed; the finder is told, and that notice is 受理日."""

    def all_checks_passed() -> str | None:
        results = check_results(report)
        missing = [
            c
            for c in AcceptanceCheck.values
            if c not in results or results[c].result != CheckResult.PASS
        ]
        if missing:
            labels = ", ".join(str(AcceptanceCheck(c).label) for c in missing)
            return _("Record every acceptance check as passed first: %(checks)s") % {
                "checks": labels
            }
        if report.is_encrypted_pending:
            return _("Decrypt the report before deciding.")
        return None

    with claimed(report, revision):
        at = now()
        fire(
            RECEPTION,
            report,
            "state",
            "accept",
            actor=actor,
            roles=report_roles(actor, report),
            guards=[all_checks_passed],
            note=note,
            extra_updates={
                "accepted_at": at,
                "decided_at": at,
                "decision_note": note,
                "acknowledged_at": report.acknowledged_at or at,
            },
        )
        mail_finder(report, "report_accepted")
    return report


def reject_report(
    report: Report, *, actor: Any, reason: str, note: str = "", revision: int | None = None
) -> Report:
    """不受理, with the reason the finder is told."""
    if reason not in RejectionReason.values:
        raise InvalidInput(_("Choose the reason."))
    with claimed(report, revision):
        at = now()
        fire(
            RECEPTION,
            report,
            "state",
            "reject",
            actor=actor,
            roles=report_roles(actor, report),
            note=note,
            extra_updates={
                "rejection_reason": reason,
                "decision_note": note,
                "decided_at": at,
                "acknowledged_at": report.acknowledged_at or at,
            },
        )
        mail_finder(report, "report_rejected")
    return report


def mark_duplicate(
    report: Report, original: Report, *, actor: Any, revision: int | None = None
) -> Report:
    """Link a duplicate to the report it repeats and close it; nothing is deleted."""
    if original.pk == report.pk or original.reception_org_id != report.reception_org_id:
        raise InvalidInput(_("Choose another report of this desk."))
    with claimed(report, revision):
        fire(
            RECEPTION,
            report,
            "state",
            "close",
            actor=actor,
            roles=report_roles(actor, report),
            extra_updates={
                "duplicate_of": original,
                "closure_reason": ReportClosureReason.DUPLICATE,
                "closed_at": now(),
            },
            note=original.tracking_id,
        )
    return report


def forward_report(
    report: Report, *, actor: Any, coordinator_org: Organisation, revision: int | None = None
) -> Case:
    """Hand an accepted product report to coordination: a case carrying only what
    the finder allowed (no identity unless it may be passed on)."""
    if report.track == Track.WEBSITE:
        raise GuardFailed(_("Website reports are handled by the reception desk itself."))
    if coordinator_org.kind != OrganisationKind.COORDINATOR:
        raise InvalidInput(_("Choose a coordinator organisation."))
    with claimed(report, revision):
        fire(RECEPTION, report, "state", "forward", actor=actor, roles=report_roles(actor, report))
        case = case_actions.create_case(
            actor=actor,
            coordinator_org=coordinator_org,
            reception_org=report.reception_org,
            origin=CaseOrigin.SELF_REPORT
            if report.track == Track.SELF_REPORT
            else CaseOrigin.REPORT,
            title_ja=report.title if report.language == "ja" else "",
            title_en=report.title if report.language != "ja" else "",
            summary=_forwarded_summary(report),
            scope=report.scope,
            planned_talk_title=report.planned_talk_title,
            planned_talk_venue=report.planned_talk_venue,
            planned_talk_date=report.planned_talk_date,
            first_vulnerability=_vulnerability_from(report),
            **_finder_for_case(report),
        )
        reporting_vendor = _reporting_vendor(report)
        if reporting_vendor is not None:
            # A self-report's reporter is the vendor itself: it joins as the vendor
            # (the platform adds it, as part of the hand-off), not as a finder.
            case_actions.add_participants(
                case, actor=None, role=ParticipantRole.VENDOR, organisations=[reporting_vendor]
            )
            case.refresh_from_db()
        report.case = case
        report.save(update_fields=["case"])
        audit.record(
            "report.forwarded",
            actor=actor,
            subject=report,
            case_id=case.pk,
            summary=f"{report.tracking_id} → {case.reference}",
        )
    return case


def _vulnerability_from(report: Report) -> dict[str, Any]:
    suffix = "ja" if report.language == "ja" else "en"
    fields = {f"title_{suffix}": report.title, f"description_{suffix}": report.description}
    if report.cvss_v3_vector:
        fields["cvss_v3_vector"] = report.cvss_v3_vector
    return fields


def _reporting_vendor(report: Report) -> Organisation | None:
    """The vendor organisation behind a self-report sent from a vendor member's account
    (its first one, should the account belong to several)."""
    if report.track != Track.SELF_REPORT or report.finder_user is None:
        return None
    for membership in report.finder_user.memberships_cached():
        if membership.organisation.kind == OrganisationKind.VENDOR:
            return membership.organisation
    return None


def _finder_for_case(report: Report) -> dict[str, Any]:
    """Identity reaches the coordinator (and vendors) only with the finder's consent.
    A vendor's self-report has no finder (and so no finder credit): the vendor takes
    part as the vendor."""
    if report.track == Track.SELF_REPORT:
        return {}
    if not report.share_identity_with_vendor:
        return {"finder_name": _("Anonymous finder (%(id)s)") % {"id": report.tracking_id}}
    if report.finder_user is not None:
        return {"finder_user": report.finder_user}
    return {
        "finder_name": report.finder_name or report.tracking_id,
        "finder_email": report.finder_email,
    }


def _forwarded_summary(report: Report) -> str:
    parts = [
        f"{_('Product')}: {report.product_name} {report.product_version}".strip(),
        f"{_('Vendor')}: {report.vendor_name}" if report.vendor_name else "",
        f"{_('Environment')}:\n{report.environment}" if report.environment else "",
        f"{_('Steps and result')}:\n{report.reproduction}" if report.reproduction else "",
        f"{_('Impact')}:\n{report.impact}" if report.impact else "",
        f"{_('Other organisations told')}: {report.other_organisations_told}"
        if report.other_organisations_told
        else "",
        f"{_('Direct contact with the finder allowed')}: "
        f"{_('yes') if report.allow_direct_contact else _('no')}",
        f"{_('Credit')}: {report.credit_name or report.finder_name}"
        if report.publish_credit
        else f"{_('Credit')}: {_('no')}",
    ]
    return "\n\n".join(p for p in parts if p)


def close_report(
    report: Report, *, actor: Any, reason: str, note: str = "", revision: int | None = None
) -> Report:
    if reason not in ReportClosureReason.values:
        raise InvalidInput(_("Choose the closure reason."))
    with claimed(report, revision):
        fire(
            RECEPTION,
            report,
            "state",
            "close",
            actor=actor,
            roles=report_roles(actor, report),
            note=note,
            extra_updates={"closure_reason": reason, "closure_note": note, "closed_at": now()},
        )
        mail_finder(report, "report_closed")
    return report


def reopen_report(
    report: Report, *, actor: Any, note: str = "", revision: int | None = None
) -> Report:
    with claimed(report, revision):
        fire(
            RECEPTION,
            report,
            "state",
            "reopen",
            actor=actor,
            roles=report_roles(actor, report),
            note=note,
            extra_updates={"closure_reason": "", "closed_at": None, "rejection_reason": ""},
        )
    return report


def decrypt_report(report: Report, *, actor: Any) -> Report:
    """Decrypt a report sent as a PGP message with the platform key, into its text."""
    require_desk(actor, report)
    if not report.is_encrypted_pending:
        raise GuardFailed(_("There is nothing to decrypt."))
    key = pgp.platform_key()
    if key is None:
        raise GuardFailed(_("No OpenPGP key is configured for this site."))
    try:
        plain = pgp.decrypt(report.encrypted_body.encode("ascii", "replace"), key)
    except pgp.PgpError as error:
        raise InvalidInput(str(error)) from error
    text = plain.data.decode("utf-8", "replace")
    with claimed(report):
        report.description = (report.description + "\n\n" + text).strip()
        report.decrypted_at = now()
        report.save(update_fields=["description", "decrypted_at"])
        audit.record(
            "report.decrypted",
            actor=actor,
            subject=report,
            summary=report.tracking_id,
            data={"signed_by": plain.signed_by},
        )
    return report
