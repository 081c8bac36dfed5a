"""The kinds of justified disclosure before publication, and a request's state."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DisclosureKind(models.TextChoices):
    # Guideline IV.4.8: the coordinator gives the information and the fix to
    # critical-infrastructure operators and government bodies before the public date.
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", _("Critical-infrastructure pre-release")
    # Guideline IV.4.5 and requirement 21: other justified third-party disclosures.
    NDA_PARTNER = "nda_partner", _("Partner under a non-disclosure agreement")
    OVERSEAS_COORDINATOR = "overseas_coordinator", _("Overseas coordinator")
    ANALYSIS_BODY = "analysis_body", _("Analysis body")
    # Guideline IV.5.9: a vendor tells its own users before the public date.
    VENDOR_USERS = "vendor_users", _("Vendor's notice to its own users")


# The kinds the coordinator records itself (the vendor's notice is asked for).
COORDINATOR_KINDS = (
    DisclosureKind.CRITICAL_INFRASTRUCTURE,
    DisclosureKind.NDA_PARTNER,
    DisclosureKind.OVERSEAS_COORDINATOR,
    DisclosureKind.ANALYSIS_BODY,
)


class DisclosureState(models.TextChoices):
    REQUESTED = "requested", _("Requested, awaiting the coordinator")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class DeliveryState(models.TextChoices):
    OTHER_CHANNEL = "other_channel", _("Delivered by the coordinator outside the platform")
    QUEUED = "queued", _("Encrypted e-mail queued")
    SENT = "sent", _("Encrypted e-mail sent")
    FAILED = "failed", _("E-mail could not be sent")
