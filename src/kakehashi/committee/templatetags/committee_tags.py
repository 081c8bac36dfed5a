"""The committee's template helpers: sanitised Markdown, and the case page's panel
(the unreachable listing and the committee files of one case, with their actions)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from kakehashi.cases.access import can_coordinate
from kakehashi.core.markdown import render_markdown
from kakehashi.unreachable import rules
from kakehashi.unreachable.forms import ListingForm, ProductForm, RemoveForm
from kakehashi.unreachable.models import UnreachableListing

from ..access import may
from ..forms import DeclareForm, OpenFileForm
from ..models import CommitteeFile

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return render_markdown(text or "")


@register.inclusion_tag("committee/_panel_body.html", takes_context=True)
def committee_panel(context: template.Context, case: Any) -> dict[str, Any]:
    """Four queries: listings, files, vendors (for the forms), and nothing else."""
    user = context["request"].user
    coordinate = can_coordinate(user, case)
    listings = list(
        UnreachableListing.objects.filter(case=case)
        .select_related("participant__organisation")
        .order_by("-listed_at", "-id")
    )
    files = list(CommitteeFile.objects.filter(case=case).select_related("decision"))
    vendors = case.participants.vendors().select_related("organisation")
    return {
        "case": case,
        "coordinate": coordinate,
        "open_listings": [listing for listing in listings if listing.is_open],
        "removed_listings": [listing for listing in listings if not listing.is_open],
        "files": files,
        "may_open_files": may(user, case.coordinator_org_id, "view"),
        "has_open_file": any(f.is_open for f in files),
        "listing_form": ListingForm(vendors=vendors) if coordinate else None,
        "product_form": ProductForm(prefix="product") if coordinate else None,
        "remove_form": RemoveForm(prefix="remove") if coordinate else None,
        "declare_form": DeclareForm(prefix="declare") if coordinate else None,
        "open_form": OpenFileForm(vendors=vendors, prefix="open") if coordinate else None,
        "after_days": rules.listing_after_days(),
        "product_days": rules.product_after_days(),
        "impossible_days": rules.impossible_after_days(),
    }
