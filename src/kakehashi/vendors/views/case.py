"""The registry at work on one case (coordinators only): finding vendors and vendor
groups and adding them in one step, notifying the vendors, recording a bounce."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kakehashi.cases.access import access_case
from kakehashi.cases.forms import CaseActionForm
from kakehashi.cases.models import Case
from kakehashi.cases.views._perform import case_url, perform, viewer_zone
from kakehashi.core.perform import perform as perform_here

from .. import forms, notify
from ..models import VendorProfile
from ..notify import usable_keys_of
from ..rules import individually_registered
from ..search import find_groups, find_vendors
from .registry import MATCHED_ON

ANCHOR = "vendor-notices"


@login_required
@require_GET
def find_for_case(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    return _render_find(request, case, None)


def _render_find(
    request: HttpRequest, case: Case, form: django_forms.Form | None, status: int = 200
) -> HttpResponse:
    # After a refused POST the query comes back with the form, so the results stay.
    search = forms.SearchForm({"q": request.POST.get("q", "")} if form else request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    context: dict[str, Any] = {
        "case": case,
        "search": search,
        "query": query,
        "form": form or forms.AddVendorsForm(case=case, zone=viewer_zone(request)),
        "here": case_url(case),
    }
    if query:
        context.update(_results(case, query))
    htmx = getattr(request, "htmx", False)
    template = "vendors/_case_find_results.html" if htmx else "vendors/case_find.html"
    return render(request, template, context, status=status)


def _results(case: Case, query: str) -> dict[str, Any]:
    """Each vendor once (with what it matched on), the groups, and what the 個別登録 rule
    and the overseas partner mean for each."""
    rows: dict[int, dict[str, Any]] = {}
    for match in find_vendors(query):
        row = rows.setdefault(
            match.organisation.pk, {"organisation": match.organisation, "matched": []}
        )
        label = str(MATCHED_ON[match.field])
        if match.product is not None:
            label = f"{label}: {match.product.name}"
        if label not in row["matched"]:
            row["matched"].append(label)
    groups = find_groups(query)
    profiles = {
        p.organisation_id: p
        for p in VendorProfile.objects.filter(organisation_id__in=rows).select_related(
            "coordinating_partner"
        )
    }
    present = set(
        case.participants.vendors()
        .filter(organisation__isnull=False)
        .values_list("organisation_id", flat=True)
    )
    member_ids = {m.organisation_id for g in groups for m in g.members.all()}
    individual = individually_registered(set(rows) | member_ids)
    keyed = set(
        usable_keys_of(p.pk for p in profiles.values()).values_list(
            "profile__organisation_id", flat=True
        )
    )
    for pk, row in rows.items():
        row.update(
            profile=profiles.get(pk),
            present=pk in present,
            individual=pk in individual,
            keyed=pk in keyed,
        )
    return {
        "rows": list(rows.values()),
        "groups": [
            (g, [m for m in g.members.all() if m.organisation_id in individual]) for g in groups
        ],
        "vendor_count": len(present),
    }


@login_required
@require_POST
def add_to_case(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.AddVendorsForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        added = notify.add_vendors_to_case(
            case,
            actor=request.user,
            organisations=form.cleaned_data["organisations"],
            groups=form.cleaned_data["groups"],
            revision=form.seen_revision,
        )
        return ngettext(
            "%(count)d vendor was added.", "%(count)d vendors were added.", len(added)
        ) % {"count": len(added)}

    def render_again(bound: django_forms.Form) -> HttpResponse:
        fresh = access_case(request.user, case.pk, need="coordinate")
        assert isinstance(bound, forms.AddVendorsForm)
        bound.show_revision(fresh.revision)
        return _render_find(request, fresh, bound, status=400)

    return perform_here(
        request, form, action, success_url=case_url(case, ANCHOR), render_again=render_again
    )


def _explained(request: HttpRequest, form: CaseActionForm) -> CaseActionForm:
    """The case page shows no bound form of this panel: say what was wrong in messages."""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return form


@login_required
@require_POST
def notify_case_vendors(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.NotifyVendorsForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        chosen = (
            form.cleaned_data["participants"] if form.cleaned_data["scope"] == "chosen" else None
        )
        notices = notify.notify_vendors(
            case, actor=request.user, participants=chosen, revision=form.seen_revision
        )
        return ngettext(
            "The notice to %(count)d vendor is on its way.",
            "The notices to %(count)d vendors are on their way.",
            len(notices),
        ) % {"count": len(notices)}

    return perform(request, case, _explained(request, form), action, anchor=ANCHOR)


@login_required
@require_POST
def record_bounce(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.BounceForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        data = form.cleaned_data
        notify.record_bounce(
            case,
            data["participant"],
            actor=request.user,
            address=data["address"],
            note=data["note"],
            revision=form.seen_revision,
        )
        return _("The bounce was recorded; try another channel.")

    return perform(request, case, _explained(request, form), action, anchor=ANCHOR)
