"""The public unreachable-developer list and its feed, and the desk's listing actions.

The public page and the feed read only ``UnreachableListing.objects.public()`` and show
only the listing's own columns: nothing of the case (no reference, no vulnerability)
ever reaches them. The desk actions are POST only; a refusal is shown as a message on
the case page and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.cases.access import access_case
from kakehashi.core.public import render_public_page
from kakehashi.core.workflow import WorkflowError

from . import actions
from .access import access_listing
from .forms import ListingForm, ProductForm, RemoveForm
from .models import UnreachableListing


@dataclass(frozen=True)
class PublicRow:
    """One line of the public list: the listing's own columns and nothing of the case."""

    did: str
    anchor: str  # the row's id on the page (a "#" inside a fragment is awkward)
    kind: str
    developer: str
    related_information: str
    listed_at: datetime
    product: str
    product_listed_at: datetime | None
    remarks: str
    contact_deadline: date | None


def _rows(language: str) -> list[PublicRow]:
    return [
        PublicRow(
            did=listing.did,
            anchor=f"did-{listing.number:08d}",
            kind=listing.kind,
            developer=listing.developer(language),
            related_information=listing.related_information,
            listed_at=listing.listed_at,
            product=listing.product_information(),
            product_listed_at=listing.product_listed_at,
            remarks=listing.remarks(language),
            contact_deadline=listing.contact_deadline,
        )
        for listing in UnreachableListing.objects.public()
    ]


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    language = get_language() or settings.LANGUAGE_CODE
    return render_public_page(
        request,
        "unreachable/public_list.html",
        {"rows": _rows(language), "contact_email": settings.KAKEHASHI_UNREACHABLE_CONTACT_EMAIL},
    )


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """The list as an Atom feed, one entry per listing, in the prefix's language."""
    language = get_language() or settings.LANGUAGE_CODE
    page = request.build_absolute_uri(reverse("unreachable:public_list"))
    atom = Atom1Feed(
        title=_("Unreachable developers"),
        link=page,
        description=_("Developers the coordinator could not reach, and how to get in touch."),
        language=language,
        feed_url=request.build_absolute_uri(),
    )
    for row in _rows(language):
        details = [
            _("Related information: %(value)s") % {"value": row.related_information or "—"},
            _("Product: %(value)s") % {"value": row.product or "—"},
            _("Remarks: %(value)s") % {"value": row.remarks or "—"},
        ]
        if row.contact_deadline:
            details.append(_("Contact deadline: %(value)s") % {"value": row.contact_deadline})
        details.append(
            _("Write to %(email)s with %(did)s in the subject.")
            % {"email": settings.KAKEHASHI_UNREACHABLE_CONTACT_EMAIL, "did": row.did}
        )
        updated = row.product_listed_at or row.listed_at
        atom.add_item(
            title=f"{row.did} {row.developer or row.remarks}",
            link=f"{page}#{row.anchor}",
            description="\n".join(details),
            unique_id=f"{page}#{row.anchor}",
            pubdate=row.listed_at,
            updateddate=updated,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    atom.write(response, "utf-8")
    return response


# --- The desk's actions ---------------------------------------------------------------


def _back(case_id: int) -> str:
    return reverse("cases:detail", kwargs={"case_id": case_id}) + "#unreachable"


def _perform(
    request: HttpRequest, form: forms.Form, case_id: int, action: Callable[[], str]
) -> HttpResponse:
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": errors})
    else:
        try:
            messages.success(request, action())
        except WorkflowError as error:
            messages.error(request, str(error))
    return redirect(_back(case_id))


@login_required
@require_POST
def list_vendor(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = ListingForm(request.POST, vendors=case.participants.vendors())

    def act() -> str:
        data = form.cleaned_data
        listing = actions.list_unreachable(
            case,
            data["participant"],
            actor=request.user,
            kind=data["kind"],
            developer_name_ja=data["developer_name_ja"],
            developer_name_en=data["developer_name_en"],
            related_information=data["related_information"],
            remarks_ja=data["remarks_ja"],
            remarks_en=data["remarks_en"],
        )
        return _("Listed publicly as %(did)s.") % {"did": listing.did}

    return _perform(request, form, case.pk, act)


@login_required
@require_POST
def add_product(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = access_listing(request.user, listing_id)
    form = ProductForm(request.POST, prefix="product")

    def act() -> str:
        data = form.cleaned_data
        actions.add_product_information(
            listing,
            actor=request.user,
            product_name=data["product_name"],
            product_version=data["product_version"],
            contact_deadline=data["contact_deadline"],
        )
        return _("The product information of %(did)s is published.") % {"did": listing.did}

    return _perform(request, form, listing.case_id, act)


@login_required
@require_POST
def remove(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = access_listing(request.user, listing_id)
    form = RemoveForm(request.POST, prefix="remove")

    def act() -> str:
        actions.remove_listing(
            listing,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        return _("%(did)s was removed from the public list.") % {"did": listing.did}

    return _perform(request, form, listing.case_id, act)
