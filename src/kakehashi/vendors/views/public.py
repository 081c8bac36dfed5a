"""The public vendor list (製品開発者リスト): vendors that consented to appear in it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from kakehashi.core.public import render_public_page

from ..models import VendorProfile


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    language = get_language() or "ja"
    vendors = [
        {"name": profile.organisation.display_name(language), "profile": profile}
        for profile in VendorProfile.objects.publicly_listed()
    ]
    vendors.sort(key=lambda row: str(row["name"]))
    return render_public_page(request, "vendors/public_list.html", {"vendors": vendors})
