"""The disclosure policy page (ISO/IEC 29147): kept as versions, the latest in force."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DisclosurePolicyQuerySet(models.QuerySet["DisclosurePolicy"]):
    def current(self) -> DisclosurePolicy | None:
        """The version in force: the latest; None while the shipped default applies."""
        return self.order_by("-updated_at", "-id").first()


class DisclosurePolicy(models.Model):
    """One version of the policy, in Markdown. Versions are only ever added: the rows
    before the latest are the page's history (who changed it, when and why)."""

    body_ja = models.TextField(_("policy in Japanese (Markdown)"), blank=True)
    body_en = models.TextField(_("policy in English (Markdown)"), blank=True)
    change_note = models.CharField(_("what changed"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = DisclosurePolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure policy")
        verbose_name_plural = _("disclosure policy versions")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.updated_at:%Y-%m-%d %H:%M}"

    def body_for(self, language: str) -> str:
        """The text in ``language``, or in the other language when that one is empty."""
        first, second = (
            (self.body_ja, self.body_en) if language == "ja" else (self.body_en, self.body_ja)
        )
        return first or second
