"""What each role will see: the text of the dashboard, per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import OrganisationKind, Role


@dataclass(frozen=True)
class RoleGuide:
    role: str
    title: Promise
    sees: Promise
    does: Promise


ROLE_GUIDES: dict[str, RoleGuide] = {
    guide.role: guide
    for guide in [
        RoleGuide(
            Role.ADMINISTRATOR,
            _("Administrator"),
            _("Your organisation's members, invitations, background jobs and the audit log."),
            _("Invite and remove members, watch jobs and verify the audit chain."),
        ),
        RoleGuide(
            Role.RECEPTION_CLERK,
            _("Reception clerk"),
            _("Every report received, its attachments and its conversation with the finder."),
            _(
                "Ask the finder questions, run the acceptance checks, accept or reject a report, "
                "and forward accepted reports to the coordinator."
            ),
        ),
        RoleGuide(
            Role.COORDINATOR,
            _("Coordinator"),
            _(
                "Every case: participants, vendor statuses, the schedule, the embargo and the "
                "timeline."
            ),
            _(
                "Find and notify vendors, negotiate the publication date, record vendor statuses "
                "and publish the advisory."
            ),
        ),
        RoleGuide(
            Role.CNA_OFFICER,
            _("CNA officer"),
            _("CVE ID reservations and the CVE records of every case."),
            _("Assign CVE IDs, check records against the CNA rules and publish them."),
        ),
        RoleGuide(
            Role.TRANSLATOR,
            _("Translator"),
            _("The translation tasks assigned to you, with their source text and glossary."),
            _("Translate between Japanese and English and submit for review."),
        ),
        RoleGuide(
            Role.COMMITTEE_MEMBER,
            _("Publication committee member"),
            _("Unreachable-developer cases referred to the committee, with their files."),
            _("Judge the four criteria and record your decision."),
        ),
        RoleGuide(
            Role.VENDOR_PSIRT,
            _("Vendor PSIRT member"),
            _("Only the cases your organisation was invited to, and only after it accepts."),
            _("Acknowledge notices, report the status of each product and agree the date."),
        ),
        RoleGuide(
            Role.VENDOR_ADMIN,
            _("Vendor administrator"),
            _("Your organisation's registry entry, its members and its cases."),
            _("Keep contacts and keys current, and invite your PSIRT members."),
        ),
        RoleGuide(
            Role.PARTNER_MEMBER,
            _("Partner CERT member"),
            _("The cases in which your CERT takes part."),
            _("Coordinate with the vendors of your country and share your own notes."),
        ),
        RoleGuide(
            Role.FINDER,
            _("Finder"),
            _("Your own reports, their status and the messages about them."),
            _("Report vulnerabilities, answer questions and choose how you are credited."),
        ),
    ]
}


@dataclass(frozen=True)
class DeskLink:
    url_name: str
    title: Promise
    description: Promise


def desk_links(user: Any) -> list[DeskLink]:
    """The operator's desk pages a user may open (staff of reception or coordination)."""
    if not (user.is_superuser or user.is_desk_staff()):
        return []
    links = []
    kinds = user.organisation_kinds()
    if user.is_superuser or OrganisationKind.RECEPTION in kinds:
        links.append(
            DeskLink(
                "intake:desk_queue",
                _("Reports"),
                _("The reception queue: new reports by priority and deadline."),
            )
        )
    links.append(
        DeskLink(
            "cases:list",
            _("Cases"),
            _("Every case on your desk, by priority and target publication date."),
        )
    )
    if user.is_superuser or OrganisationKind.COORDINATOR in kinds:
        links.append(
            DeskLink(
                "vendors:registry",
                _("Vendor registry"),
                _("Find vendors by name, product, CPE or purl, and keep their entries current."),
            )
        )
    from kakehashi.advisories.access import alert_organisations

    if alert_organisations(user):
        links.append(
            DeskLink(
                "advisories:alerts",
                _("Alerts"),
                _("Alerts (JVNTA#) without a case: draft, approve and publish them at once."),
            )
        )
    from kakehashi.translation.access import works_on_translations

    if works_on_translations(user):
        links.append(
            DeskLink(
                "translation:tasks",
                _("Translations"),
                _("Your translation tasks, the queue, reviews and the glossary."),
            )
        )
    from kakehashi.committee.access import reads_committee_files

    if reads_committee_files(user):
        links.append(
            DeskLink(
                "committee:list",
                _("Publication committee"),
                _("The committee's files: contact history, draft text, opinions and decisions."),
            )
        )
    return links


PORTAL_CASES_ON_DASHBOARD = 10


def portal_cases(user: Any) -> list[Any]:
    """The newest cases a vendor member answers in the portal (``cases.access``)."""
    if OrganisationKind.VENDOR not in user.organisation_kinds():
        return []
    from kakehashi.cases.access import vendor_participations

    return list(vendor_participations(user)[:PORTAL_CASES_ON_DASHBOARD])
