"""The case page's advisory panel: the case's advisory, if any (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from kakehashi.cases.models import Case, Participant

from ..choices import AdvisoryState
from ..models import Advisory, VendorReview

register = template.Library()


@register.simple_tag
def advisory_of(case: Case) -> Advisory | None:
    return Advisory.objects.filter(case=case).first()


@register.simple_tag
def advisory_for_vendor(participation: Participant) -> dict[str, Any] | None:
    """The vendor portal's advisory panel: the case's draft and this vendor's answer.
    The portal page is already behind ``access_participation`` (the pre-publication
    rule); a withdrawn advisory or none shows no panel."""
    advisory = (
        Advisory.objects.filter(case_id=participation.case_id)
        .exclude(state=AdvisoryState.WITHDRAWN)
        .prefetch_related("texts")
        .first()
    )
    if advisory is None:
        return None
    review = VendorReview.objects.filter(advisory=advisory, participant=participation).first()
    versions = {text.language: text.version for text in advisory.texts.all()}
    return {
        "advisory": advisory,
        "review": review,
        "outdated": review is not None and review.draft_versions != versions,
    }


@register.simple_tag
def vendor_reviews(advisory: Advisory) -> list[dict[str, Any]]:
    """The advisory editor's table: every current vendor of the case with its answer
    to the draft (or none yet), and whether the draft changed since."""
    if advisory.case_id is None:
        return []
    versions = {text.language: text.version for text in advisory.texts.all()}
    reviews = {
        review.participant_id: review
        for review in VendorReview.objects.filter(advisory=advisory).select_related("answered_by")
    }
    rows = []
    for vendor in Participant.objects.vendors().filter(case_id=advisory.case_id):
        review = reviews.get(vendor.pk)
        rows.append(
            {
                "vendor": vendor,
                "review": review,
                "outdated": review is not None and review.draft_versions != versions,
            }
        )
    return rows
