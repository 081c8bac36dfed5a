"""Kinds and removal reasons of the unreachable-developer listing (連絡不能開発者一覧)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeveloperKind(models.TextChoices):
    """The guideline has one notice template for organisations and one for individuals
    and communities (付録5.2): the latter also asks people who know how to reach them,
    or who maintain a derived product able to ship a fix, to get in touch."""

    ORGANISATION = "organisation", _("Organisation")
    INDIVIDUAL = "individual", _("Individual or community")


class RemovalReason(models.TextChoices):
    CONTACT_RESUMED = "contact_resumed", _("Contact resumed")
    BACK_TO_COORDINATION = "back_to_coordination", _("Back to coordination after the committee")
    CASE_CLOSED = "case_closed", _("The case was closed")
    OTHER = "other", _("Other (explained in the note)")
