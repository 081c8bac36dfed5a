"""Translation tasks, the glossary and the translation memory.

A task snapshots its source text when it is requested: the translator works on the
text as it was sent, and a later edit of the source is shown as a warning instead of
silently changing what is being translated. The source is named by a kind and an id
(``sources`` resolves each kind within the task's case), never by a free content type,
so a task can only ever point at a row of its own case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.models import Case

from .choices import OPEN_STATUSES, Language, MachineState, SourceKind, TaskStatus


class TranslationTaskQuerySet(models.QuerySet["TranslationTask"]):
    def open(self) -> TranslationTaskQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class TranslationTask(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="translation_tasks")
    source_kind = models.CharField(_("what is translated"), max_length=20, choices=SourceKind)
    source_id = models.PositiveBigIntegerField()
    source_label = models.CharField(_("source"), max_length=300)
    source_language = models.CharField(_("from"), max_length=2, choices=Language)
    target_language = models.CharField(_("into"), max_length=2, choices=Language)
    source_text = models.TextField(_("original text"))
    source_sha256 = models.CharField(max_length=64)
    # The translation of each sentence of the source, aligned with segments.split().
    segments = models.JSONField(default=list, blank=True)
    text = models.TextField(_("translation"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus, default=TaskStatus.REQUESTED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignee"),
    )
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("translated by"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    request_note = models.TextField(_("note for the translator"), blank=True)
    review_note = models.TextField(_("reviewer's note"), blank=True)
    due_on = models.DateField(_("due date"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # True while any sentence came from the machine and no person has reviewed it.
    machine_translated = models.BooleanField(_("machine-translated"), default=False)
    machine_state = models.CharField(
        max_length=8, choices=MachineState, default=MachineState.NONE, blank=True
    )
    machine_error = models.CharField(max_length=500, blank=True)
    # Bumped by every change: a form carries the version it was rendered from.
    version = models.PositiveIntegerField(default=1)

    objects = TranslationTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("translation task")
        verbose_name_plural = _("translation tasks")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["case", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["source_kind", "source_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source_language=F("target_language")),
                name="translation_languages_differ",
            ),
            # NULL on either side passes: only a set reviewer is compared.
            models.CheckConstraint(
                condition=~Q(reviewer=F("translator")),
                name="translation_reviewer_is_not_translator",
            ),
            models.UniqueConstraint(
                fields=["source_kind", "source_id", "target_language"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="translation_one_open_task_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_label} → {self.target_language} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class GlossaryTerm(models.Model):
    """An agreed pair of terms; operator-wide (terms are not case data)."""

    term_ja = models.CharField(_("Japanese term"), max_length=200)
    term_en = models.CharField(_("English term"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        ordering = ["term_ja", "term_en"]
        constraints = [
            models.UniqueConstraint(fields=["term_ja", "term_en"], name="glossary_pair_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.term_ja} ↔ {self.term_en}"

    def term(self, language: str) -> str:
        return self.term_ja if language == Language.JA else self.term_en


class MemoryEntry(models.Model):
    """One reviewed sentence pair. Only ``actions.review_task`` writes entries; the
    case is kept so a suggestion is only ever shown to someone who may read that
    case (``memory.suggestions``)."""

    task = models.ForeignKey(TranslationTask, on_delete=models.CASCADE, related_name="memory")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    source_language = models.CharField(max_length=2, choices=Language)
    target_language = models.CharField(max_length=2, choices=Language)
    source_text = models.TextField()
    target_text = models.TextField()
    # SHA-256 of the normalised source sentence: identical sentences by index.
    source_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("translation memory entry")
        verbose_name_plural = _("translation memory entries")
        indexes = [
            models.Index(fields=["source_language", "target_language", "source_key"]),
            models.Index(fields=["source_language", "target_language", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["task", "source_key"], name="memory_once_per_task"),
        ]

    def __str__(self) -> str:
        return f"{self.source_text[:40]} → {self.target_text[:40]}"
