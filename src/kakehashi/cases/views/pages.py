"""The desk's pages: the case list, the case page and the full timeline."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import fields as model_fields
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.core.access import require_desk_staff
from kakehashi.core.workflow import WorkflowError

from .. import actions, forms
from ..access import (
    access_case,
    can_coordinate,
    case_roles,
    coordinating_organisations,
    desk_side,
)
from ..choices import ParticipantRole
from ..models import Case, Participant
from ..queries import (
    PAGE_SIZE,
    allowed_actions,
    coordination_org_ids,
    embargo_panel,
    filter_cases,
    latest_decisions,
    organisation_choices,
    participant_page,
    participant_rows,
    participant_summary,
    state_filters,
    status_matrix,
    vendor_counts,
    vulnerability_rows,
)
from ..templatetags.cases_tags import matrix_cells_html
from ..timeline import build_timeline
from ._perform import case_url, viewer_zone

TIMELINE_ON_CASE_PAGE = 30  # the newest steps; the full timeline has its own page

# --- The case list --------------------------------------------------------------------


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, None)


@login_required
@require_POST
def create_case(request: HttpRequest) -> HttpResponse:
    """Open a case by hand in one of the user's coordinator organisations."""
    require_desk_staff(request.user)
    organisations = coordinating_organisations(request.user)
    form = forms.NewCaseForm(request.POST, organisations=organisations)
    if not organisations:
        form.add_error(None, _("Only coordinators may open cases."))
    elif form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.create_case(
                actor=request.user,
                coordinator_org=data["coordinator_org"],
                title_ja=data["title_ja"],
                title_en=data["title_en"],
                summary=data["summary"],
                scope=data["scope"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The case %(reference)s was opened.") % {"reference": case.reference}
            )
            return redirect(case_url(case))
    return _render_list(request, form, status=400)


def _render_list(
    request: HttpRequest, new_case_form: forms.NewCaseForm | None, status: int = 200
) -> HttpResponse:
    user = request.user
    require_desk_staff(user)
    filters = forms.CaseFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(filter_cases(user, cleaned), PAGE_SIZE).get_page(request.GET.get("page"))
    cases = list(page)
    counts = vendor_counts(cases)
    # Reception staff see the schedule of the cases they forwarded, not the vendors.
    coordinated = coordination_org_ids(user)
    rows = [
        (
            c,
            counts.get(c.pk, 0)
            if user.is_superuser or c.coordinator_org_id in coordinated
            else None,
        )
        for c in cases
    ]
    if new_case_form is None:
        organisations = coordinating_organisations(user)
        if organisations:
            new_case_form = forms.NewCaseForm(organisations=organisations)
    return render(
        request,
        "cases/list.html",
        {"filters": filters, "page": page, "rows": rows, "new_case_form": new_case_form},
        status=status,
    )


# --- The case page --------------------------------------------------------------------


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id)
    return render_case_page(request, case)


def render_case_page(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, django_forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = case_page_context(request, case, bound or {})
    template = "cases/detail.html"
    if getattr(request, "htmx", False) and request.htmx.target == "participants":  # type: ignore[attr-defined]
        template = "cases/_participants.html"  # paging through the participants
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def case_page_context(
    request: HttpRequest, case: Case, bound: dict[str, django_forms.Form]
) -> dict[str, Any]:
    """Everything the case page shows, in a fixed number of queries."""
    user = request.user
    side = desk_side(user, case)
    context: dict[str, Any] = {
        "case": case,
        "here": case_url(case),
        "side": side,
        "schedule_warnings": actions.schedule_warnings(case),
    }
    if side != "coordination":
        return context  # the reception desk sees the header and the schedule only
    coordinate = can_coordinate(user, case)
    state = request.GET.get("state", "")
    page = participant_page(case, state, request.GET.get("page"))
    participants = list(page)
    vendors = [p for p in participants if p.role == ParticipantRole.VENDOR]
    vulnerabilities = vulnerability_rows(case)
    matrix, products = status_matrix(vendors, [row.vulnerability for row in vulnerabilities])
    allowed = allowed_actions(case, case_roles(user, case)["coordination"], coordinate)
    by_id = {vendor.pk: vendor for vendor in vendors}
    for row, html in zip(matrix, matrix_cells_html(matrix, coordinate), strict=True):
        row.html = html
    context.update(
        allowed=allowed,
        participant_rows=participant_rows(participants, allowed.rm_events),
        summary=participant_summary(case),
        state=state,
        state_filters=state_filters(),
        page=page,
        participants=participants,
        vulnerabilities=vulnerabilities,
        matrix=matrix,
        # The products named so far, with their vendor (already on this page: no query).
        case_products=[(by_id[p.vendor_id], p) for p in products if p.vendor_id in by_id],
        embargo=embargo_panel(case),
        decisions=latest_decisions(case),
        timeline=build_timeline(case, TIMELINE_ON_CASE_PAGE),
        org_search=request.GET.get("org", "")[:100],
        editing=request.GET.get("edit", ""),
    )
    if coordinate:
        context["forms"] = _action_forms(
            request, case, context, bound, participants=participants, products=products
        )
    return context


# The forms of the case page, by the key that asks for one (``?act=contact``).
ACTION_FORMS: dict[str, type[forms.CaseActionForm]] = {
    "details": forms.CaseDetailsForm,
    "close": forms.CloseForm,
    "reopen": forms.ReopenForm,
    "schedule": forms.ScheduleForm,
    "triage": forms.DECISION_FORMS["triage"],
    "publish": forms.DECISION_FORMS["publish"],
    "vulnerability": forms.VulnerabilityForm,
    "add": forms.AddParticipantsForm,
    "contact": forms.ContactAttemptForm,
    "product": forms.ProductForm,
    "status": forms.VendorStatusForm,
    "event": forms.CaseEventForm,
    "propose": forms.ProposeEmbargoForm,
    "terminate": forms.TerminateEmbargoForm,
    "invite": forms.InviteForm,
    "answer": forms.EmbargoAnswerForm,
}


def _action_forms(
    request: HttpRequest,
    case: Case,
    context: dict[str, Any],
    bound: dict[str, django_forms.Form],
    *,
    participants: list[Participant],
    products: list[Any],
) -> dict[str, Any]:
    """The forms the page shows open: the one asked for (``?act=…``), the one just
    refused (bound, with its errors), and the few that are always shown. The others
    are links: a case page with every form open would spend most of its time
    rendering forms nobody uses."""
    zone = viewer_zone(request)
    wanted = {request.GET.get("act", "")}
    if case.embargo_attention:
        wanted.add("terminate")  # its button sits in the attention banner

    def make(form_class: type[forms.CaseActionForm], key: str = "", **kwargs: Any) -> Any:
        key = key or str(form_class.prefix)
        if key in bound:
            return bound[key]
        return form_class(case=case, zone=zone, **kwargs)

    made: dict[str, Any] = {
        key: make(form_class)
        for key, form_class in ACTION_FORMS.items()
        if key in wanted or str(form_class.prefix) in bound
    }
    made["phase"] = make(forms.PhaseForm)
    # One vulnerability is edited at a time (``?edit=<id>``, or the one refused).
    made["edit_vulnerabilities"] = [
        (
            row,
            make(
                forms.VulnerabilityForm,
                key=f"vuln{row.vulnerability.pk}",
                vulnerability=row.vulnerability,
            ),
        )
        for row in context["vulnerabilities"]
        if str(row.vulnerability.pk) == context["editing"] or f"vuln{row.vulnerability.pk}" in bound
    ]
    # Forms whose fields are buttons in a table: shown only to report their errors.
    made["proposal"] = bound.get("proposal")
    made["participants_buttons"] = bound.get("participants")
    made["matrix_buttons"] = bound.get("matrix")
    _narrow_choices(made, context, participants, products)
    return made


def _narrow_choices(
    made: dict[str, Any],
    context: dict[str, Any],
    participants: list[Participant],
    products: list[Any],
) -> None:
    """Choices come from what this page already read, so that a case with a thousand
    vendors neither renders a thousand options nor queries for them."""
    if not made.keys() & {"contact", "invite", "answer", "product", "status", "event", "add"}:
        return
    blank = [("", model_fields.BLANK_CHOICE_LABEL)]
    roles = {value: str(label) for value, label in ParticipantRole.choices}
    everyone = [(p.pk, f"{p.display_name()} ({roles.get(p.role, p.role)})") for p in participants]
    vendors = [(p.pk, p.display_name()) for p in participants if p.role == ParticipantRole.VENDOR]
    names = dict(vendors)
    if "contact" in made:
        _choices(made["contact"], "participant", blank + everyone)
    if "invite" in made:
        _choices(made["invite"], "participants", everyone)
    if "answer" in made:
        _choices(made["answer"], "participant", blank + everyone)
    for key in ("product", "status", "event"):
        if key in made:
            _choices(made[key], "vendor", blank + vendors)
    if "status" in made:
        vulnerabilities = [
            (r.vulnerability.pk, str(r.vulnerability)) for r in context["vulnerabilities"]
        ]
        _choices(made["status"], "vulnerability", blank + vulnerabilities)
        _choices(
            made["status"],
            "product",
            blank + [(p.pk, f"{names.get(p.vendor_id, '')}: {p.name}") for p in products],
        )
    if "event" in made:
        # Offer the world events that have not happened yet (the action refuses the others).
        world = {event for event, _label in context["allowed"].world_events}
        _choices(
            made["event"],
            "event",
            [
                (e, label)
                for e, label in made["event"].fields["event"].choices
                if e in "VFD" or e in world
            ],
        )
    if "add" in made:
        _choices(
            made["add"],
            "organisations",
            organisation_choices(context["case"], context["org_search"]),
        )


def _choices(form: django_forms.Form, name: str, choices: list[Any]) -> None:
    form.fields[name].widget.choices = choices


# --- The full timeline ----------------------------------------------------------------


@login_required
@require_GET
def case_timeline(request: HttpRequest, case_id: int) -> HttpResponse:
    """Every step, newest first, a page at a time (the coordination side only)."""
    case = access_case(request.user, case_id, need="details")
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    # The timeline merges several tables: read up to the end of this page, plus one
    # entry to know whether there is a next page.
    entries = build_timeline(case, limit=number * PAGE_SIZE + 1)
    start = (number - 1) * PAGE_SIZE
    return render(
        request,
        "cases/timeline.html",
        {
            "case": case,
            "entries": entries[start : start + PAGE_SIZE],
            "number": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if len(entries) > start + PAGE_SIZE else None,
        },
    )
