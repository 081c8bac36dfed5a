"""Registration types, contact channels and version schemes of the vendor registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegistrationType(models.TextChoices):
    # 一般登録: receives every pre-publication notice that concerns it.
    GENERAL = "general", _("General registration")
    # 個別登録: pre-publication information in principle only for single-vendor cases.
    INDIVIDUAL = "individual", _("Individual registration")


class ContactKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    POST = "post", _("Postal address")
    WEB_FORM = "web_form", _("Web form")


class EmailRole(models.TextChoices):
    TO = "to", pgettext_lazy("e-mail recipient field", "To")
    CC = "cc", pgettext_lazy("e-mail recipient field", "Cc")


class VersionScheme(models.TextChoices):
    SEMVER = "semver", _("Semantic versioning")
    OTHER = "other", _("Other")


class NoticeState(models.TextChoices):
    """Where the latest mail of a vendor notice is (acknowledgement is the participant's)."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    BOUNCED = "bounced", _("Bounced")
    NO_EMAIL = "no_email", _("No e-mail address")
