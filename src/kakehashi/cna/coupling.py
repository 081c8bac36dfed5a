"""Publication coupling: when an advisory is published or revised, the CVE records of
its case follow (``advisories.signals.advisory_published``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .actions import follow_publication
from .models import CveRecord


def advisory_urls(slug: str) -> list[str]:
    urls = []
    for language in ("en", "ja"):
        with translation.override(language):
            urls.append(settings.SITE_URL + reverse("advisories:page", kwargs={"slug": slug}))
    return urls


def on_advisory_published(sender: Any, advisory: Any, revision: Any, **kwargs: Any) -> None:
    if advisory.case_id is None:
        return
    urls = advisory_urls(advisory.slug)
    for record in CveRecord.objects.select_related("cve__vulnerability__case").filter(
        cve__vulnerability__case_id=advisory.case_id
    ):
        follow_publication(record, urls)
