"""The committee's template helpers: sanitised Markdown, and the case page's panel
(the unreachable listing and the committee files of one case, with their actions)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils.safestring import SafeString

from kakehashi.cases.access import can_coordinate
from kakehashi.cases.choices import ParticipantRole
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
    """Two queries: listings and files. The forms offer the vendors the case page has
    read already (its participants page, narrowed by its filter) as the case page's
    other forms do: a thousand-vendor case must not render a thousand options twice.
    Posted choices are checked against every vendor of the case."""
    user = context["request"].user
    coordinate = can_coordinate(user, case)
    listings = list(
        UnreachableListing.objects.filter(case=case)
        .select_related("participant__organisation")
        .order_by("-listed_at", "-id")
    )
    files = list(CommitteeFile.objects.filter(case=case).select_related("decision"))
    vendors = case.participants.vendors()
    rows = context.get("participant_rows")
    shown = (
        [row.participant for row in rows if row.participant.role == ParticipantRole.VENDOR]
        if rows is not None
        else list(vendors.select_related("organisation"))
    )
    choices = [("", BLANK_CHOICE_LABEL), *((p.pk, p.display_name()) for p in shown)]
    listing_form = open_form = None
    if coordinate:
        listing_form = ListingForm(vendors=vendors)
        open_form = OpenFileForm(vendors=vendors, prefix="open")
        for form in (listing_form, open_form):
            form.fields["participant"].widget.choices = choices
    return {
        "case": case,
        "coordinate": coordinate,
        "open_listings": [listing for listing in listings if listing.is_open],
        "removed_listings": [listing for listing in listings if not listing.is_open],
        "files": files,
        "may_open_files": may(user, case.coordinator_org_id, "view"),
        "has_open_file": any(f.is_open for f in files),
        "listing_form": listing_form,
        "product_form": ProductForm(prefix="product") if coordinate else None,
        "remove_form": RemoveForm(prefix="remove") if coordinate else None,
        "declare_form": DeclareForm(prefix="declare") if coordinate else None,
        "open_form": open_form,
        "after_days": rules.listing_after_days(),
        "product_days": rules.product_after_days(),
        "impossible_days": rules.impossible_after_days(),
    }
