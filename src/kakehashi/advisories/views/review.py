"""The vendors' side of the advisory draft, reached from the vendor portal's case
page: a watermarked preview (never cached, never indexed, no public URL) and the
vendor's answer for its own row — confirmed, or changes asked for — with the URL and
time of its own advisory. Every request goes through ``advisories.access.access_review``
(the portal's participation rule plus the pre-publication rule of ``vendors.rules``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kakehashi.cases.models import Participant
from kakehashi.core.workflow import WorkflowError

from .. import actions
from ..access import access_review
from ..choices import LANGUAGES
from ..forms import VendorReviewForm
from ..models import Advisory, VendorReview
from .desk import preview_response


@login_required
@require_GET
def vendor_preview(request: HttpRequest, case_id: int, language: str) -> HttpResponse:
    participation, advisory = access_review(request.user, case_id)
    return preview_response(request, advisory, language, _redactor(participation))


def _redactor(participation: Participant) -> Callable[[dict[str, Any]], int]:
    """Before publication a vendor sees, as in the portal, its own row and products and
    those of the vendors that chose to share their statuses — no other vendor's row."""
    sharing = (
        Participant.objects.vendors()
        .filter(case_id=participation.case_id, response__shares_statuses=True)
        .exclude(pk=participation.pk)
        .select_related("organisation")
    )
    visible = [participation, *sharing]
    names = {(v.display_name("ja"), v.display_name("en")) for v in visible}

    def redact(content: dict[str, Any]) -> int:
        rows = content["vendors"]
        content["vendors"] = [r for r in rows if (r["name_ja"], r["name_en"]) in names]
        content["products"] = [
            p for p in content["products"] if (p["vendor_ja"], p["vendor_en"]) in names
        ]
        return len(rows) - len(content["vendors"])

    return redact


def _page(
    request: HttpRequest,
    participation: Participant,
    advisory: Advisory,
    form: VendorReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    review = VendorReview.objects.filter(advisory=advisory, participant=participation).first()
    versions = actions.draft_versions(advisory)
    if form is None:
        initial: dict[str, object] = dict(versions)
        if review is not None:
            initial.update(
                state=review.state,
                comment=review.comment,
                vendor_advisory_url=review.vendor_advisory_url,
                vendor_published_at=review.vendor_published_at,
            )
        form = VendorReviewForm(initial=initial)
    response = render(
        request,
        "advisories/vendor_review.html",
        {
            "case": advisory.case,
            "advisory": advisory,
            "participation": participation,
            "review": review,
            "outdated": review is not None and review.draft_versions != versions,
            "languages": LANGUAGES,
            "form": form,
        },
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def vendor_review(request: HttpRequest, case_id: int) -> HttpResponse:
    participation, advisory = access_review(request.user, case_id)
    if request.method == "GET":
        return _page(request, participation, advisory)
    form = VendorReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.review_draft(
                advisory,
                participation,
                actor=request.user,
                state=data["state"],
                read_versions={"ja": data["ja"], "en": data["en"]},
                comment=data["comment"],
                vendor_advisory_url=data["vendor_advisory_url"],
                vendor_published_at=data["vendor_published_at"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your answer is recorded. The coordinator sees it."))
            return redirect("advisories:vendor_review", case_id=case_id)
    messages.error(request, _("Nothing was changed: correct the form below."))
    return _page(request, participation, advisory, form, 400)
