"""Core models: the append-only, hash-chained audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One thing that happened, by whom, to what. Append-only; see ``core.audit``.

    ``hash`` is HMAC-SHA256 over the canonical form of the row and the previous row's
    hash, so an edit, a deletion, an insertion or a reordering done behind the
    application's back breaks the chain at a row that ``kakehashi audit verify`` names.
    Database triggers (migration 0002) refuse UPDATE and DELETE outright.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # the log outlives the user row it names
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=100, blank=True)
    subject_id = models.CharField(_("subject"), max_length=100, blank=True)
    # Plain integer, not a foreign key: cases may be crypto-shredded, the log stays.
    case_id = models.PositiveBigIntegerField(_("case"), null=True, blank=True, db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"
