"""Kinds and states of advisories."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdvisoryKind(models.TextChoices):
    """The JVN ID families (since 2012-12-03), each with a configurable prefix."""

    PARTNERSHIP = "partnership", _("Coordinated under the partnership (JVN#)")
    INTERNATIONAL = "international", _("International or overseas-vendor case (JVNVU#)")
    ALERT = "alert", _("Alert (JVNTA#)")


class AdvisoryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Approved, publication scheduled")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


LANGUAGES = ("ja", "en")


class ReviewState(models.TextChoices):
    """A vendor's answer to the advisory draft (its own row)."""

    CONFIRMED = "confirmed", _("Confirmed")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
