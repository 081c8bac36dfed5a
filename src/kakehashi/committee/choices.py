"""The publication committee's (公表判定委員会) grounds, criteria and outcomes
(guideline IV.3(2))."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Ground(models.TextChoices):
    """Why coordination is impossible (調整不能, IV.3(2)1)."""

    UNREACHABLE = "unreachable", _("(ア) The developer could not be reached for six months")
    IMPRACTICABLE = "impracticable", _("(イ) Agreement on publication has become impracticable")


class Criterion(models.TextChoices):
    """The four conditions that must all hold for publication (IV.3(2)5)."""

    COORDINATION_IMPOSSIBLE = "a", _("(ア) Coordination is impossible")
    VULNERABILITY_EXISTS = "b", _("(イ) The vulnerability exists")
    USERS_UNINFORMED = "c", _("(ウ) Some users could not otherwise learn of it")
    NO_REASON_AGAINST = "d", _("(エ) There is no reason against publication")


class NoticeMethod(models.TextChoices):
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    OTHER = "other", _("Other")
    # For an unreachable developer the public listing counts as notice (IV.3(2)3).
    PUBLIC_LISTING = "public_listing", _("The public unreachable-developer listing")


class OpinionForm(models.TextChoices):
    WRITTEN = "written", _("Written opinion")
    ORAL = "oral", _("Oral hearing")


class Outcome(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    NOT_PUBLISH = "not_publish", _("Do not publish")
    RECOORDINATE = "recoordinate", _("Back to coordination")
