"""Action endpoints on the case itself: details, phase, closing, schedule, SSVC
decisions, vulnerabilities, products and case-state events. POST only, coordinators
only; each calls exactly one action (see ``_perform``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import actions, forms
from ..access import access_case
from ..models import Vulnerability
from ._perform import check_revision, perform, viewer_zone, warn


@login_required
@require_POST
def update_details(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.CaseDetailsForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        changes = form.changes()
        if not changes:
            check_revision(case, form)
            return _("Nothing to change.")
        actions.update_case(case, actor=request.user, revision=form.seen_revision, **changes)
        return _("The case was updated.")

    return perform(request, case, form, action, anchor="case")


@login_required
@require_POST
def advance_phase(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.PhaseForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        actions.advance_phase(
            case,
            form.cleaned_data["event"],
            actor=request.user,
            note=form.cleaned_data["note"],
            revision=form.seen_revision,
        )
        return _("The phase is now “%(phase)s”.") % {"phase": case.get_phase_display()}

    return perform(request, case, form, action, anchor="case")


@login_required
@require_POST
def close_case(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.CloseForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        data = form.cleaned_data
        actions.close_case(
            case,
            actor=request.user,
            reason=data["reason"],
            note=data["note"],
            override=data["override"],
            revision=form.seen_revision,
        )
        return _("The case was closed.")

    return perform(request, case, form, action, anchor="case")


@login_required
@require_POST
def reopen_case(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.ReopenForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        actions.reopen_case(
            case, actor=request.user, note=form.cleaned_data["note"], revision=form.seen_revision
        )
        return _("The case was reopened.")

    return perform(request, case, form, action, anchor="case")


@login_required
@require_POST
def change_schedule(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.ScheduleForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        data = form.cleaned_data
        _change, warnings = actions.change_schedule(
            case,
            actor=request.user,
            new_target=data["new_target"],
            reason=data["reason"],
            note=data["note"],
            revision=form.seen_revision,
        )
        warn(request, warnings)
        return _("The target publication was changed and the participants were told.")

    return perform(request, case, form, action, anchor="schedule")


@login_required
@require_POST
def record_decision(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    if kind not in forms.DECISION_FORMS:
        raise Http404
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.DECISION_FORMS[kind](request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        decision = actions.record_decision(
            case,
            actor=request.user,
            kind=kind,
            inputs=form.inputs(),
            note=form.cleaned_data["note"],
            revision=form.seen_revision,
        )
        return _("Decision recorded: %(vector)s") % {"vector": decision.vector}

    return perform(request, case, form, action, anchor="decisions")


@login_required
@require_POST
def add_vulnerability(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.VulnerabilityForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        vulnerability = actions.add_vulnerability(
            case, actor=request.user, revision=form.seen_revision, **form.values()
        )
        return _("Vulnerability #%(number)d was added.") % {"number": vulnerability.number}

    return perform(request, case, form, action, anchor="vulnerabilities")


@login_required
@require_POST
def update_vulnerability(request: HttpRequest, case_id: int, vulnerability_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    vulnerability = get_object_or_404(Vulnerability, case=case, pk=vulnerability_id)
    form = forms.VulnerabilityForm(
        request.POST, case=case, zone=viewer_zone(request), vulnerability=vulnerability
    )

    def action() -> str:
        changes = form.values()
        if not changes:
            check_revision(case, form)
            return _("Nothing to change.")
        actions.update_vulnerability(
            vulnerability, actor=request.user, revision=form.seen_revision, **changes
        )
        return _("Vulnerability #%(number)d was updated.") % {"number": vulnerability.number}

    return perform(request, case, form, action, anchor="vulnerabilities")


@login_required
@require_POST
def add_product(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.ProductForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        data = form.cleaned_data
        actions.add_product(
            case,
            data["vendor"],
            actor=request.user,
            name=data["name"],
            versions=data["versions"],
            cpe=data["cpe"],
            purl=data["purl"],
            revision=form.seen_revision,
        )
        return _("The product was added.")

    return perform(request, case, form, action, anchor="participants")


@login_required
@require_POST
def record_event(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.CaseEventForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        data = form.cleaned_data
        actions.record_case_event(
            case,
            data["event"],
            actor=request.user,
            participant=data["vendor"],
            occurred_at=data["occurred_at"],
            source=data["source"],
            evidence=data["evidence"],
            revision=form.seen_revision,
        )
        return _("The event was recorded.")

    return perform(request, case, form, action, anchor="events")
