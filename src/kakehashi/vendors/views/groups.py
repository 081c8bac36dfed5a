"""Vendor groups in the registry: the desk reads them; coordinators keep them."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.core.access import require_desk_staff
from kakehashi.core.perform import perform

from .. import actions, forms
from ..access import access_group, maintains_registry
from ..models import VendorGroup


@login_required
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    require_desk_staff(request.user)
    return _render_list(request, None)


def _render_list(request: HttpRequest, form: django_forms.Form | None) -> HttpResponse:
    maintainer = maintains_registry(request.user)
    groups = VendorGroup.objects.prefetch_related("members__organisation")
    context = {
        "groups": groups,
        "maintainer": maintainer,
        "form": (form or forms.VendorGroupForm()) if maintainer else None,
    }
    return render(request, "vendors/groups.html", context)


@login_required
@require_POST
def create_group(request: HttpRequest) -> HttpResponse:
    require_desk_staff(request.user)
    form = forms.VendorGroupForm(request.POST)
    created: list[VendorGroup] = []

    def action() -> str:
        created.append(actions.save_group(request.user, **form.cleaned_data))
        return _("The vendor group was created.")

    response = perform(
        request,
        form,
        action,
        success_url=reverse("vendors:groups"),
        render_again=lambda bound: _render_list(request, bound),
    )
    if created:
        response["Location"] = reverse("vendors:group", kwargs={"group_id": created[0].pk})
    return response


@login_required
@require_GET
def group_page(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_group(request.user, group_id)
    return _render_group(request, group, None)


def _render_group(
    request: HttpRequest, group: VendorGroup, form: django_forms.Form | None
) -> HttpResponse:
    maintainer = maintains_registry(request.user)
    context = {
        "group": group,
        "members": group.members.select_related("organisation", "coordinating_partner"),
        "maintainer": maintainer,
        "form": (form or forms.VendorGroupForm(group=group)) if maintainer else None,
    }
    return render(request, "vendors/group.html", context)


@login_required
@require_POST
def update_group(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_group(request.user, group_id)
    form = forms.VendorGroupForm(request.POST, group=group)

    def action() -> str:
        actions.save_group(request.user, group, **form.cleaned_data)
        return _("The vendor group was saved.")

    return perform(
        request,
        form,
        action,
        success_url=reverse("vendors:group", kwargs={"group_id": group.pk}),
        render_again=lambda bound: _render_group(request, group, bound),
    )
