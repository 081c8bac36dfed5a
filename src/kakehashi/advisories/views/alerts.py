"""The desk's alerts (JVNTA#): the list of alerts without a case and the screen that
opens one, then the alert's facts, products and publication time from its editor.
Coordinators only: an alert without a case is its coordinator organisation's
(``advisories.access``), an alert from a case follows the case's access."""

from __future__ import annotations

from collections.abc import Callable

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kakehashi.core.perform import perform
from kakehashi.core.workflow import WorkflowError

from .. import actions
from ..access import access_draft, alert_organisations
from ..forms import AlertFactsForm, AlertForm, AlertProductForm, PublicationTimeForm
from ..models import Advisory
from .desk import _editor


def _alerts_page(request: HttpRequest, form: AlertForm) -> HttpResponse:
    organisations = alert_organisations(request.user)
    alerts = (
        Advisory.objects.filter(
            case__isnull=True, coordinator_org__in=[o.pk for o in organisations]
        )
        .prefetch_related("texts")
        .order_by("-created_at")[:200]
    )
    return render(request, "advisories/alerts.html", {"form": form, "alerts": alerts})


@login_required
@require_http_methods(["GET", "POST"])
def alerts(request: HttpRequest) -> HttpResponse:
    """Alerts without a case, newest first, and the form that opens one."""
    organisations = alert_organisations(request.user)
    if not organisations:
        raise Http404
    if request.method == "GET":
        return _alerts_page(request, AlertForm(organisations=organisations))
    form = AlertForm(request.POST, organisations=organisations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            advisory = actions.create_alert(
                actor=request.user,
                coordinator_org=data["organisation"],
                title_ja=data["title_ja"],
                title_en=data["title_en"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The alert %(id)s is drafted.") % {"id": advisory.advisory_id}
            )
            return redirect("advisories:editor", advisory_id=advisory.pk)
    messages.error(request, _("Nothing was changed: correct the form below."))
    response = _alerts_page(request, form)
    response.status_code = 400
    return response


def _editor_with(
    request: HttpRequest, advisory_id: int, key: str
) -> Callable[[django_forms.Form], HttpResponse]:
    def render_again(form: django_forms.Form) -> HttpResponse:
        return _editor(request, access_draft(request.user, advisory_id), {key: form})

    return render_again


def _editor_url(advisory: Advisory, anchor: str) -> str:
    return reverse("advisories:editor", kwargs={"advisory_id": advisory.pk}) + f"#{anchor}"


@login_required
@require_POST
def facts(request: HttpRequest, advisory_id: int) -> HttpResponse:
    advisory = access_draft(request.user, advisory_id, need="coordinate")
    form = AlertFactsForm(request.POST)

    def action() -> str:
        actions.set_alert_facts(advisory, actor=request.user, **form.cleaned_data)
        return _("Saved. Both languages need approval again.")

    return perform(
        request,
        form,
        action,
        success_url=_editor_url(advisory, "alert-facts"),
        render_again=_editor_with(request, advisory_id, "facts"),
    )


@login_required
@require_POST
def product_add(request: HttpRequest, advisory_id: int) -> HttpResponse:
    advisory = access_draft(request.user, advisory_id, need="coordinate")
    form = AlertProductForm(request.POST)

    def action() -> str:
        actions.add_alert_product(advisory, actor=request.user, **form.cleaned_data)
        return _("The product is added. Both languages need approval again.")

    return perform(
        request,
        form,
        action,
        success_url=_editor_url(advisory, "alert-products"),
        render_again=_editor_with(request, advisory_id, "product"),
    )


@login_required
@require_POST
def product_remove(request: HttpRequest, advisory_id: int, product_id: int) -> HttpResponse:
    advisory = access_draft(request.user, advisory_id, need="coordinate")
    form = django_forms.Form(request.POST)

    def action() -> str:
        actions.remove_alert_product(advisory, product_id, actor=request.user)
        return _("The product is removed. Both languages need approval again.")

    return perform(
        request,
        form,
        action,
        success_url=_editor_url(advisory, "alert-products"),
        render_again=_editor_with(request, advisory_id, "product_remove"),
    )


@login_required
@require_POST
def timing(request: HttpRequest, advisory_id: int) -> HttpResponse:
    advisory = access_draft(request.user, advisory_id, need="coordinate")
    form = PublicationTimeForm(request.POST)

    def action() -> str:
        when = form.cleaned_data["when"]
        actions.set_publication_time(
            advisory,
            actor=request.user,
            at=form.cleaned_data["at"] if when == "at" else None,
            now=when == "now",
        )
        return _("The publication time is saved.")

    return perform(
        request,
        form,
        action,
        success_url=_editor_url(advisory, "alert-timing"),
        render_again=_editor_with(request, advisory_id, "timing"),
    )
