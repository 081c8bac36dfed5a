"""States of CVE IDs and of the records published under them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdState(models.TextChoices):
    """The ID's state at CVE Services (``RESERVED`` / ``PUBLISHED`` / ``REJECTED``)."""

    RESERVED = "RESERVED", _("Reserved")
    PUBLISHED = "PUBLISHED", _("Published")
    REJECTED = "REJECTED", _("Rejected")


class IdSource(models.TextChoices):
    SERVICE = "service", _("Reserved through CVE Services")
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported from a CVE record")


class SyncState(models.TextChoices):
    """Where a record stands between this platform and CVE Services."""

    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued for publication")
    PUBLISHED = "published", _("Published")
    UPDATE_PENDING = "update_pending", _("Update pending")
    REJECT_PENDING = "reject_pending", _("Rejection pending")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class RecordOperation(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    UPDATE = "update", _("Update")
    REJECT = "reject", _("Reject")
