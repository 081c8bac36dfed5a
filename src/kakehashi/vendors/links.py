"""Absolute links that go into mail to vendors."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kakehashi.cases.models import Case


def portal_case_url(case: Case, language: str) -> str:
    """The vendor portal's page of ``case``, in ``language``, as an absolute URL."""
    with translation.override(language):
        path = reverse("portal:case", kwargs={"case_id": case.pk})
    return f"{settings.SITE_URL.rstrip('/')}{path}"
