"""The website line, which the reception desk runs itself (guideline V): find and
confirm the operator's window, send details only there, record the fix, tell the
finder; or move the report to the product track without the site's identity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from kakehashi.cases.choices import AWARE_OUTCOMES, ContactChannel, ContactOutcome
from kakehashi.core import audit
from kakehashi.core.workflow import GuardFailed, InvalidInput

from ..choices import FixMethod, OperatorType, ReportClosureReason, Track
from ..models import OperatorContact, Report
from ..workflow import RECEPTION, WEBSITE, ReportState
from ._common import claimed, fire, mail_finder, now, report_roles, require_desk


def _require_website(report: Report) -> None:
    if report.track != Track.WEBSITE:
        raise GuardFailed(_("This step belongs to the website track."))
    if report.state != ReportState.ACCEPTED:
        raise GuardFailed(_("Accept the report first."))


def website_step(
    report: Report, event: str, *, actor: Any, note: str = "", revision: int | None = None
) -> Report:
    """start, verify or notify_finder: steps that need no more data."""
    if event not in ("start", "verify", "notify_finder"):
        raise InvalidInput(_("Use the matching action for this step."))
    _require_website(report)
    with claimed(report, revision):
        fire(
            WEBSITE,
            report,
            "site_state",
            event,
            actor=actor,
            roles=report_roles(actor, report),
            note=note,
        )
        if event == "notify_finder":
            mail_finder(report, "website_fixed")
    return report


def record_operator_contact(
    report: Report,
    *,
    actor: Any,
    channel: str,
    address: str,
    outcome: str,
    window_confirmed: bool = False,
    attempted_at: datetime | None = None,
    note: str = "",
    operator_type: str = "",
) -> OperatorContact:
    """Log an attempt to reach the operator; a confirmed window moves the line on.
    The operator's type (company, local government …), when the clerk learns it here,
    is kept on the report for the quarterly statistics."""
    require_desk(actor, report)
    _require_website(report)
    if channel not in ContactChannel.values or outcome not in ContactOutcome.values:
        raise InvalidInput(_("Choose the channel and the outcome."))
    if operator_type and operator_type not in OperatorType.values:
        raise InvalidInput(_("Choose one of the types of operator."))
    if not address.strip():
        raise InvalidInput(_("Give the address, number or URL that was used."))
    attempted_at = attempted_at or now()
    if attempted_at > now():
        raise InvalidInput(_("A contact attempt cannot be in the future."))
    if window_confirmed and outcome not in AWARE_OUTCOMES:
        raise InvalidInput(_("A window is confirmed only by an answer from the operator."))
    with claimed(report):
        contact = OperatorContact.objects.create(
            report=report,
            channel=channel,
            address=address.strip(),
            attempted_at=attempted_at,
            outcome=outcome,
            window_confirmed=window_confirmed,
            note=note,
            recorded_by=actor,
        )
        changed = []
        if report.operator_notified_at is None:
            report.operator_notified_at = attempted_at
            changed.append("operator_notified_at")
        if operator_type and operator_type != report.operator_type:
            report.operator_type = operator_type
            changed.append("operator_type")
        if changed:
            report.save(update_fields=changed)
        summary = f"{report.tracking_id}: {channel} ({outcome})"
        if "operator_type" in changed:
            summary += f", operator type {operator_type}"
        audit.record("website.contact", actor=actor, subject=report, summary=summary)
        roles = report_roles(actor, report)
        if report.site_state == "not_started":
            fire(WEBSITE, report, "site_state", "start", actor=actor, roles=roles)
        if window_confirmed and report.site_state == "searching":
            fire(WEBSITE, report, "site_state", "confirm_contact", actor=actor, roles=roles)
    return contact


def send_details_to_operator(
    report: Report, *, actor: Any, address: str, revision: int | None = None
) -> Report:
    """Details go only to a window the operator confirmed (V.3.5)."""
    _require_website(report)
    confirmed = set(
        report.operator_contacts.filter(window_confirmed=True).values_list("address", flat=True)
    )
    if address.strip() not in confirmed:
        raise GuardFailed(_("Send the details only to a window the operator confirmed."))
    with claimed(report, revision):
        fire(
            WEBSITE,
            report,
            "site_state",
            "send_details",
            actor=actor,
            roles=report_roles(actor, report),
            note=address.strip(),
        )
    return report


def record_fix(
    report: Report,
    *,
    actor: Any,
    method: str,
    fixed_at: datetime | None = None,
    note: str = "",
    revision: int | None = None,
) -> Report:
    if method not in FixMethod.values:
        raise InvalidInput(_("Choose how the site was fixed."))
    _require_website(report)
    with claimed(report, revision):
        fire(
            WEBSITE,
            report,
            "site_state",
            "fix",
            actor=actor,
            roles=report_roles(actor, report),
            note=note,
            extra_updates={"fix_method": method, "fixed_at": fixed_at or now()},
        )
    return report


def _free_tracking_id() -> str:
    from .submit import draw_tracking_id

    while True:
        candidate = draw_tracking_id()
        if not Report.objects.filter(tracking_id=candidate).exists():
            return candidate


def transfer_to_product_track(
    report: Report, *, actor: Any, product_name: str, description: str, vendor_name: str = ""
) -> Report:
    """The flaw is in a software product: a new product report carries the
    vulnerability, written afresh by the clerk without the site's identity (V.3.8);
    the website report closes as transferred, linked to it."""
    from .submit import follow_up_digest

    require_desk(actor, report)
    if report.track != Track.WEBSITE:
        raise GuardFailed(_("Only website reports are transferred."))
    if not product_name.strip() or not description.strip():
        raise InvalidInput(_("Name the product and describe the vulnerability."))
    if report.site_url and report.site_url.split("//")[-1].split("/")[0] in description:
        raise InvalidInput(_("The description still names the site. Remove it first."))
    with claimed(report):
        product = Report.objects.create(
            tracking_id=_free_tracking_id(),
            track=Track.PRODUCT,
            language=report.language,
            reception_org=report.reception_org,
            finder_user=report.finder_user,
            follow_up_digest=report.follow_up_digest or follow_up_digest(""),
            title=product_name.strip(),
            product_name=product_name.strip(),
            vendor_name=vendor_name,
            description=description.strip(),
            finder_name=report.finder_name,
            finder_email=report.finder_email,
            share_identity_with_vendor=report.share_identity_with_vendor,
            allow_direct_contact=report.allow_direct_contact,
            publish_credit=report.publish_credit,
            credit_name=report.credit_name,
            state=ReportState.RECEIVED,
            submitted_at=now(),
        )
        fire(
            RECEPTION,
            report,
            "state",
            "close",
            actor=actor,
            roles=report_roles(actor, report),
            note=product.tracking_id,
            extra_updates={"closure_reason": ReportClosureReason.TRANSFERRED, "closed_at": now()},
        )
        audit.record(
            "website.transferred",
            actor=actor,
            subject=report,
            summary=f"{report.tracking_id} → {product.tracking_id}",
        )
    return product
