"""The disclosure policy: its text in force (an administrator's version, or the shipped
default), rendered safely, and the one action that changes it."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kakehashi.accounts.access import is_operator_admin
from kakehashi.core import audit, pgp
from kakehashi.core.markdown import render_markdown
from kakehashi.core.public import clear_public_cache
from kakehashi.core.workflow import GuardFailed, InvalidInput

from .models import DisclosurePolicy

logger = logging.getLogger(__name__)
LANGUAGES = ("ja", "en")


def platform_fingerprint() -> str:
    """The platform key's fingerprint, in groups of four; "" when there is no usable key.

    A broken key configuration must not take the report form down with it: it is
    logged, and the form then offers no encryption.
    """
    try:
        key = pgp.platform_key()
    except ImproperlyConfigured:
        logger.exception("The platform OpenPGP key is misconfigured")
        return ""
    if key is None:
        return ""
    return " ".join(key.fingerprint[i : i + 4] for i in range(0, len(key.fingerprint), 4))


def default_policy(language: str) -> str:
    """The shipped policy text (Markdown) in ``language``, filled in for this site."""
    with translation.override(language):
        context = {
            "site_name": settings.KAKEHASHI_SITE_NAME,
            "site_url": settings.SITE_URL,
            "report_url": settings.SITE_URL + reverse("intake:report_start"),
            "key_url": settings.SITE_URL + reverse("intake:pgp_key"),
            "fingerprint": platform_fingerprint(),
            "target_days": settings.KAKEHASHI_TARGET_DAYS,
            "max_mb": settings.KAKEHASHI_ATTACHMENT_MAX_BYTES // 1_000_000,
        }
        return render_to_string(f"intake/policy/default.{language}.md", context)


_LOOK_IT_UP: Any = object()


def policy_source(language: str, current: DisclosurePolicy | None = _LOOK_IT_UP) -> str:
    """The policy's Markdown in ``language``: the version in force (pass it if you have
    it, None included), else the shipped default."""
    if current is _LOOK_IT_UP:
        current = DisclosurePolicy.objects.current()
    if current is not None and current.body_for(language):
        return current.body_for(language)
    return default_policy(language)


def policy_html(language: str) -> SafeString:
    return render_markdown(policy_source(language))


def save_policy(
    *, actor: Any, body_ja: str, body_en: str, change_note: str = ""
) -> DisclosurePolicy:
    """A new version of the policy, in force at once; earlier versions stay as history."""
    if not is_operator_admin(actor):
        raise GuardFailed(_("Only the operator's administrators may change the policy."))
    if not body_ja.strip() or not body_en.strip():
        raise InvalidInput(_("Write the policy in both languages."))
    with transaction.atomic():
        version = DisclosurePolicy.objects.create(
            body_ja=body_ja.strip(),
            body_en=body_en.strip(),
            change_note=change_note.strip(),
            updated_by=actor,
        )
        audit.record(
            "policy.updated",
            actor=actor,
            subject=version,
            summary=change_note.strip()[:200],
        )
        transaction.on_commit(clear_public_cache)  # the cached page shows the old text
    return version
