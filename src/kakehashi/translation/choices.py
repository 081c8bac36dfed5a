"""Languages, source kinds and task states of the translation workflow."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    JA = "ja", _("Japanese")
    EN = "en", _("English")


def other_language(language: str) -> str:
    return Language.EN if language == Language.JA else Language.JA


class SourceKind(models.TextChoices):
    """What a task translates. Each kind has one resolver in ``sources``."""

    MESSAGE = "message", _("Message in a case thread")
    VULNERABILITY = "vulnerability", _("Report text forwarded to vendors")
    VENDOR_STATEMENT = "vendor_statement", _("Vendor statement")
    ADVISORY = "advisory", _("Advisory text")


class TaskStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done, awaiting review")
    REVIEWED = "reviewed", _("Reviewed")
    CANCELLED = "cancelled", _("Cancelled")


# A source has at most one task per target language in these states.
OPEN_STATUSES = frozenset({TaskStatus.REQUESTED, TaskStatus.IN_PROGRESS, TaskStatus.DONE})
# The recipient sees the translation from these states on (marked until reviewed).
SHOWN_STATUSES = frozenset({TaskStatus.DONE, TaskStatus.REVIEWED})


class MachineState(models.TextChoices):
    """The machine-translation request of a task (``tasks.machine_translate``)."""

    NONE = "", _("Not requested")
    QUEUED = "queued", _("Queued")
    DONE = "done", _("Filled in")
    FAILED = "failed", _("Failed")
