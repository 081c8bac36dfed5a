"""The vendor portal: a vendor's members see the cases their organisation takes part
in, each only as far as ``cases.access.access_participation`` allows, and answer in
them through the actions of ``cases.actions`` (post/redirect/get; a refusal shows the
page again with the form filled in and the reason, and nothing changed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.cases import actions
from kakehashi.cases.access import access_participation, vendor_participations
from kakehashi.cases.choices import EmbargoAnswer
from kakehashi.cases.models import Participant, VendorStatus
from kakehashi.core.perform import perform

from . import forms
from .queries import PortalCase, portal_case


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    participations = vendor_participations(request.user)
    return render(request, "portal/case_list.html", {"participations": participations})


@require_GET
@login_required
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = access_participation(request.user, case_id)
    return render_portal(request, participation)


def _status_initial(view: PortalCase, wanted: str) -> dict[str, Any]:
    """``?status=<status id>``: the status form filled in from one of the vendor's
    own statuses, at its version, to change it."""
    status: VendorStatus | None = next((s for s in view.statuses if str(s.pk) == wanted), None)
    if status is None:
        return {}
    return {
        "vulnerability": status.vulnerability_id,
        "product": status.product_id,
        "status": status.status,
        "justification": status.justification,
        "reason": status.reason,
        "statement_ja": status.statement_ja,
        "statement_en": status.statement_en,
        "fixed_in": status.fixed_in,
        "version": status.version,
    }


def render_portal(
    request: HttpRequest,
    participation: Participant,
    bound: dict[str, django_forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    view = portal_case(participation, request.user)
    common = {"participation": participation}
    answer = {**common, "response": view.response}

    def make(key: str, form_class: type[django_forms.Form], **kwargs: Any) -> Any:
        return bound.get(key) or form_class(**kwargs)

    page_forms = {
        "ack": make("ack", forms.AcknowledgeForm, **common),
        "verification": make(
            "verification", forms.VerificationForm, initial=_response_initial(view), **answer
        ),
        "countermeasure": make(
            "countermeasure",
            forms.CountermeasureForm,
            initial=_response_initial(view),
            **answer,
        ),
        "tracking": make("tracking", forms.TrackingForm, initial=_response_initial(view), **answer),
        "sharing": make("sharing", forms.SharingForm, initial=_response_initial(view), **answer),
        "status": make(
            "status",
            forms.StatusForm,
            initial=_status_initial(view, request.GET.get("status", "")),
            **common,
        ),
        "schedule": make("schedule", forms.ScheduleRequestForm, zone=view.zone, **common),
        "embargo": make("embargo", forms.EmbargoAnswerForm, **common),
        "referral": make("referral", forms.ReferralForm, **common),
    }
    return render(
        request,
        "portal/case.html",
        {"view": view, "case": view.case, "participation": participation, "forms": page_forms},
        status=status,
    )


def _response_initial(view: PortalCase) -> dict[str, Any]:
    response = view.response
    if response is None:
        return {}
    return {
        "result": response.verification,
        "note": response.verification_note,
        "response_status": response.response_status,
        "workaround_ja": response.workaround_ja,
        "workaround_en": response.workaround_en,
        "fix_ja": response.fix_ja,
        "fix_en": response.fix_en,
        "fixed_versions": response.fixed_versions,
        "tracking_id": response.tracking_id,
        "share": response.shares_statuses,
    }


def _perform(
    request: HttpRequest,
    participation: Participant,
    form: django_forms.Form,
    action: Callable[[], str],
    *,
    anchor: str,
) -> HttpResponse:
    """``core.perform`` on the portal case page (the page again, as it now is, when the
    form or the action refuses)."""
    url = reverse("portal:case", kwargs={"case_id": participation.case_id})

    def again(bound_form: django_forms.Form) -> HttpResponse:
        fresh = access_participation(request.user, participation.case_id)
        return render_portal(request, fresh, bound={str(bound_form.prefix): bound_form})

    return perform(request, form, action, success_url=f"{url}#{anchor}", render_again=again)


def _participation(request: HttpRequest, case_id: int) -> Participant:
    participation: Participant = access_participation(request.user, case_id)
    return participation


@require_POST
@login_required
def acknowledge(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = _participation(request, case_id)
    form = forms.AcknowledgeForm(request.POST, participation=participation)

    def action() -> str:
        actions.acknowledge_notice(participation.case, participation, actor=request.user)
        return _("Thank you: the notice is acknowledged.")

    return _perform(request, participation, form, action, anchor="answer")


@require_POST
@login_required
def verification(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = _participation(request, case_id)
    form = forms.VerificationForm(request.POST, participation=participation)

    def action() -> str:
        data = form.cleaned_data
        actions.report_verification(
            participation.case,
            participation,
            actor=request.user,
            result=data["result"],
            note=data["note"],
            expected_version=data["version"],
        )
        return _("The verification result was recorded.")

    return _perform(request, participation, form, action, anchor="answer")


@require_POST
@login_required
def countermeasure(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = _participation(request, case_id)
    form = forms.CountermeasureForm(request.POST, participation=participation)

    def action() -> str:
        data = form.cleaned_data
        actions.record_countermeasure(
            participation.case,
            participation,
            actor=request.user,
            response_status=data["response_status"],
            workaround_ja=data["workaround_ja"],
            workaround_en=data["workaround_en"],
            fix_ja=data["fix_ja"],
            fix_en=data["fix_en"],
            fixed_versions=data["fixed_versions"],
            expected_version=data["version"],
        )
        return _("The countermeasure was recorded.")

    return _perform(request, participation, form, action, anchor="answer")


@require_POST
@login_required
def tracking(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = _participation(request, case_id)
    form = forms.TrackingForm(request.POST, participation=participation)

    def action() -> str:
        actions.set_tracking_id(
            participation.case,
            participation,
            actor=request.user,
            tracking_id=form.cleaned_data["tracking_id"],
            expected_version=form.cleaned_data["version"],
        )
        return _("Your tracking ID was saved.")

    return _perform(request, participation, form, action, anchor="answer")


@require_POST
@login_required
def sharing(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = _participation(request, case_id)
    form = forms.SharingForm(request.POST, participation=participation)

    def action() -> str:
        response = actions.set_status_sharing(
            participation.case,
            participation,
            actor=request.user,
            share=form.cleaned_data["share"],
            expected_version=form.cleaned_data["version"],
        )
        if response.shares_statuses:
            return _("The other vendors of this case now see your statuses.")
        return _("Your statuses are no longer shown to the other vendors.")

    return _perform(request, participation, form, action, anchor="statuses")


@require_POST
@login_required
def record_status(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = _participation(request, case_id)
    form = forms.StatusForm(request.POST, participation=participation)

    def action() -> str:
        data = form.cleaned_data
        actions.record_vendor_status(
            participation.case,
            participation,
            data["vulnerability"],
            actor=request.user,
            status=data["status"],
            product=data["product"],
            justification=data["justification"],
            reason=data["reason"],
            statement_ja=data["statement_ja"],
            statement_en=data["statement_en"],
            fixed_in=data["fixed_in"],
            expected_version=data["version"],
        )
        return _("The status was recorded; it awaits the coordinator's approval.")

    return _perform(request, participation, form, action, anchor="statuses")


@require_POST
@login_required
def request_schedule(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = _participation(request, case_id)
    from .queries import vendor_zone

    form = forms.ScheduleRequestForm(
        request.POST, participation=participation, zone=vendor_zone(participation, request.user)
    )

    def action() -> str:
        actions.request_schedule_change(
            participation.case,
            participation,
            actor=request.user,
            requested_target=form.cleaned_data["requested_target"],
            reason=form.cleaned_data["reason"],
        )
        return _("Your request was sent to the coordinator.")

    return _perform(request, participation, form, action, anchor="schedule")


@require_POST
@login_required
def answer_embargo(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = _participation(request, case_id)
    form = forms.EmbargoAnswerForm(request.POST, participation=participation)

    def action() -> str:
        answer = form.cleaned_data["answer"]
        actions.answer_embargo(
            participation.case,
            participation,
            actor=request.user,
            answer=answer,
            note=form.cleaned_data["note"],
        )
        if answer == EmbargoAnswer.ACCEPT:
            return _("You accepted the embargo.")
        return _("You declined the embargo.")

    return _perform(request, participation, form, action, anchor="schedule")


@require_POST
@login_required
def refer(request: HttpRequest, case_id: int) -> HttpResponse:
    participation = _participation(request, case_id)
    form = forms.ReferralForm(request.POST, participation=participation)

    def action() -> str:
        data = form.cleaned_data
        actions.refer_to_other_vendor(
            participation.case,
            participation,
            actor=request.user,
            vendor_name=data["vendor_name"],
            product=data["product"],
            note=data["note"],
        )
        return _("The coordinator was told about the other vendor.")

    return _perform(request, participation, form, action, anchor="referral")
