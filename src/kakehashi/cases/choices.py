"""Vocabularies of the CVD domain: participant roles, phases, statuses and reasons.

Values are short, stable codes stored in the database; labels are translated.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ParticipantRole(models.TextChoices):
    FINDER = "finder", _("Finder")
    VENDOR = "vendor", _("Vendor")
    COORDINATOR = "coordinator", pgettext_lazy("participant role", "Coordinator")
    RECEPTION = "reception", _("Reception")
    PARTNER_CERT = "partner_cert", _("Partner CERT")
    DEPLOYER = "deployer", _("Deployer")


# Roles whose fix path (vfd) is tracked: the vendors who make (and ship) the fixes.
FIX_PATH_ROLES = frozenset({ParticipantRole.VENDOR})


class CaseOrigin(models.TextChoices):
    REPORT = "report", _("Accepted report")
    MANUAL = "manual", _("Created by hand")
    SELF_REPORT = "self_report", _("Vendor self-report")


class ClosureReason(models.TextChoices):
    """Why a case ends (guideline IV.3(1)7, IV.4.4; 付録2)."""

    PUBLISHED = "published", _("Published; no further updates expected")
    NOT_VULNERABILITY = "not_vulnerability", _("Not a vulnerability")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    LOW_IMPACT = "low_impact", _("Low impact (closed after notifying the vendor)")
    NO_IMPACT = "no_impact", _("No impact on the product")
    KNOWN_AND_PUBLIC = "known_and_public", _("Already known and published")
    VENDOR_NOTIFIED_ALL_USERS = (
        "vendor_notified_all_users",
        _("The vendor has notified all of its users"),
    )
    ILLEGALLY_OBTAINED = "illegally_obtained", _("The information was clearly obtained illegally")
    COMMITTEE_NOT_PUBLISHED = (
        "committee_not_published",
        _("The publication committee decided not to publish"),
    )
    DUPLICATE = "duplicate", _("Duplicate of another case")
    WITHDRAWN = "withdrawn", _("Withdrawn by the finder")
    OTHER = "other", _("Other (explained in the note)")


class VexStatus(models.TextChoices):
    AFFECTED = "affected", _("Affected")
    NOT_AFFECTED = "not_affected", _("Not affected")
    FIXED = "fixed", _("Fixed")
    UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
    UNKNOWN = "unknown", _("Unknown")
    DISPUTED = "disputed", _("Disputed")


class VexJustification(models.TextChoices):
    """The five CISA VEX justifications for ``not_affected`` (CSAF ``flags``)."""

    COMPONENT_NOT_PRESENT = "component_not_present", _("Component not present")
    VULNERABLE_CODE_NOT_PRESENT = "vulnerable_code_not_present", _("Vulnerable code not present")
    VULNERABLE_CODE_NOT_IN_EXECUTE_PATH = (
        "vulnerable_code_not_in_execute_path",
        _("Vulnerable code not in execute path"),
    )
    VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY = (
        "vulnerable_code_cannot_be_controlled_by_adversary",
        _("Vulnerable code cannot be controlled by adversary"),
    )
    INLINE_MITIGATIONS_ALREADY_EXIST = (
        "inline_mitigations_already_exist",
        _("Inline mitigations already exist"),
    )


class ContactChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form or portal")
    PHONE = "phone", _("Telephone")
    FAX = "fax", _("Fax")
    POST = "post", _("Post")
    OTHER = "other", _("Other")


class ContactOutcome(models.TextChoices):
    SENT = "sent", _("Sent, no answer yet")
    BOUNCED = "bounced", _("Bounced or undeliverable")
    NO_ANSWER = "no_answer", _("No answer")
    ANSWERED = "answered", _("Answered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged receipt")


# Outcomes that prove the vendor now knows of the vulnerability (CS event V).
AWARE_OUTCOMES = frozenset({ContactOutcome.ANSWERED, ContactOutcome.ACKNOWLEDGED})


class ScheduleChangeReason(models.TextChoices):
    """The guideline's reasons for moving the publication date (IV.4.3–4)."""

    INITIAL = "initial", _("Initial target (day zero + default period)")
    COUNTERMEASURE_TIME = "countermeasure_time", _("Time needed to produce the countermeasure")
    OVERSEAS_COORDINATION = "overseas_coordination", _("Coordination with overseas coordinators")
    LEAK_RISK = "leak_risk", _("Risk of the information leaking")
    VENDOR_REQUEST = "vendor_request", _("The vendor asked for a change")
    EMBARGO_AGREED = "embargo_agreed", _("An embargo was agreed")
    OTHER = "other", _("Other (explained in the note)")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class EmbargoAnswer(models.TextChoices):
    ACCEPT = "accept", pgettext_lazy("embargo answer", "Accept")
    DECLINE = "decline", _("Decline")


class EmbargoAttention(models.TextChoices):
    """Why an event asks the coordinator to act on the embargo. Stored as the code and
    shown in the reader's language (the event may come from a vendor writing in
    another language than the coordinator reads)."""

    FIX_DEPLOYED = "fix_deployed", _("A fix is deployed: consider ending the embargo.")
    FIX_READY = "fix_ready", _("A fix is ready: consider rejecting the pending embargo proposal.")
    ATTACKS = (
        "attacks",
        _("Attacks are observed: end the embargo unless there is a strong reason to keep it."),
    )


class EmbargoEndReason(models.TextChoices):
    EXPIRED = "expired", _("Reached its end")
    PUBLIC = "public", _("The vulnerability became public")
    EXPLOIT_PUBLIC = "exploit_public", _("An exploit became public")
    ATTACKS = "attacks", _("Attacks were observed")
    FIX_DEPLOYED = "fix_deployed", _("The fix is deployed")
    COORDINATOR = "coordinator", _("Ended by the coordinator")
    REVISED = "revised", _("Replaced by revised terms")


class DecisionKind(models.TextChoices):
    TRIAGE = "triage", _("SSVC coordinator triage")
    PUBLISH = "publish", _("SSVC coordinator publication")


class VerificationResult(models.TextChoices):
    """The vendor's 脆弱性検証: what its own verification found."""

    CONFIRMED = "confirmed", _("Confirmed")
    NOT_REPRODUCIBLE = "not_reproducible", _("Not reproducible")
    NOT_VULNERABILITY = "not_vulnerability", _("Not a vulnerability")
    OTHER_VENDOR = "other_vendor", _("In another vendor's product")


class ResponseStatus(models.TextChoices):
    """対応状況 as the JVN vendor tables show it."""

    INVESTIGATING = "investigating", _("Under investigation")
    FIX_PLANNED = "fix_planned", _("Countermeasure planned")
    FIX_RELEASED = "fix_released", _("Countermeasure released")
    WORKAROUND_ONLY = "workaround_only", _("Workaround only")
    NO_FIX_PLANNED = "no_fix_planned", _("No countermeasure planned")
    NOT_AFFECTED = "not_affected", _("No affected products")


class ScheduleRequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("request", "Open")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
