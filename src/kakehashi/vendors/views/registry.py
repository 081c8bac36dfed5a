"""The registry list (desk staff): every entry, the search box, and registering a vendor."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kakehashi.core.access import require_desk_staff
from kakehashi.core.perform import perform

from .. import actions, forms
from ..access import maintains_registry
from ..models import VendorProfile
from ..search import find_groups, find_vendors

PAGE_SIZE = 50

# What a search result matched on (``search.FIELDS``), as the page says it.
MATCHED_ON = {
    "name_ja": gettext_lazy("Japanese name"),
    "name_en": gettext_lazy("English name"),
    "product": gettext_lazy("Product"),
    "cpe": gettext_lazy("CPE"),
    "purl": gettext_lazy("purl"),
    "keywords": gettext_lazy("Technology keyword"),
}


@login_required
@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    require_desk_staff(request.user)
    return _render_registry(request, None)


def _render_registry(request: HttpRequest, register_form: django_forms.Form | None) -> HttpResponse:
    search = forms.SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    maintainer = maintains_registry(request.user)
    entries = (
        VendorProfile.objects.visible_to(request.user)
        .select_related("organisation")
        .order_by("organisation__name_en", "pk")
    )
    context: dict[str, Any] = {
        "search": search,
        "query": query,
        "matches": [(m, MATCHED_ON[m.field]) for m in find_vendors(query)] if query else None,
        "groups": find_groups(query) if query else [],
        "page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
        "maintainer": maintainer,
    }
    if maintainer:
        context["register_form"] = register_form or forms.RegisterVendorForm()
    return render(request, "vendors/registry.html", context)


@login_required
@require_POST
def register(request: HttpRequest) -> HttpResponse:
    require_desk_staff(request.user)
    form = forms.RegisterVendorForm(request.POST)

    registered: list[VendorProfile] = []

    def action() -> str:
        data = form.cleaned_data
        if data["organisation"] is not None:
            entry = actions.register_vendor(
                request.user, data["organisation"], registration_type=data["registration_type"]
            )
        else:
            entry = actions.register_new_vendor(
                request.user,
                name_ja=data["name_ja"],
                name_en=data["name_en"],
                registration_type=data["registration_type"],
            )
        registered.append(entry)
        return _("%(name)s was entered in the registry.") % {
            "name": entry.organisation.display_name()
        }

    def render_again(bound: django_forms.Form) -> HttpResponse:
        return _render_registry(request, bound)

    def success_url() -> str:
        return reverse("vendors:profile", kwargs={"organisation_id": registered[0].organisation_id})

    return perform(request, form, action, success_url=success_url, render_again=render_again)
