"""The reception desk's action endpoints: POST only, the report's desk only, one action
each (STYLE point 3), declared as a table.

Valid form → exactly one action → redirect to the report page with a message
(post/redirect/get). Invalid form or a refusal (``WorkflowError``, a translated
message) → the report page again, as it now is, with the form still filled in and the
reason shown; the action's transaction rolled back, so nothing changed. A form rendered
from an older revision of the report is refused with the conflict message (409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kakehashi.cases.access import access_case
from kakehashi.cases.priority import Priority
from kakehashi.core.workflow import ConcurrentChange, WorkflowError

from .. import actions
from .. import forms_desk as forms
from ..access import access_report
from ..choices import AcceptanceCheck, CheckResult
from ..models import Report


@dataclass(frozen=True)
class Done:
    message: str
    location: str = ""  # where to go instead of the report page


Run = Callable[[HttpRequest, Report, Any], Done]


@dataclass(frozen=True)
class DeskAction:
    form: type[forms.ReportActionForm]
    run: Run
    anchor: str


def viewer_zone(request: HttpRequest) -> str:
    return str(getattr(request.user, "timezone", "") or "UTC")


def report_url(report: Report, anchor: str = "") -> str:
    url = reverse("intake:desk_report", kwargs={"report_id": report.pk})
    return f"{url}#{anchor}" if anchor else url


def check_revision(report: Report, form: forms.ReportActionForm) -> None:
    """For actions without a ``revision`` argument: refuse a form rendered from an
    older revision (the action's own claim covers the race after this point)."""
    if form.seen_revision != report.revision:
        raise ConcurrentChange


# --- What each endpoint does ----------------------------------------------------------


def _acknowledge(request: HttpRequest, report: Report, form: Any) -> Done:
    check_revision(report, form)
    actions.acknowledge_report(report, actor=request.user)
    return Done(_("The receipt of the report is acknowledged."))


def _assign(request: HttpRequest, report: Report, form: Any) -> Done:
    assignee = form.cleaned_data["assignee"]
    actions.assign_report(
        report, actor=request.user, assignee=assignee, revision=form.seen_revision
    )
    back = reverse("intake:desk_queue") if request.POST.get("next") == "queue" else ""
    if assignee is None:
        return Done(_("The report is no longer assigned."), back)
    return Done(_("The report is assigned to %(name)s.") % {"name": assignee}, back)


def _scope(request: HttpRequest, report: Report, form: Any) -> Done:
    actions.set_scope(
        report, actor=request.user, scope=form.cleaned_data["scope"], revision=form.seen_revision
    )
    return Done(
        _("The priority is now “%(priority)s”.") % {"priority": Priority(report.priority).label}
    )


def _ask(request: HttpRequest, report: Report, form: Any) -> Done:
    actions.ask_finder(
        report,
        actor=request.user,
        question=form.cleaned_data["question"],
        revision=form.seen_revision,
    )
    return Done(_("The question was sent to the finder."))


def _message(request: HttpRequest, report: Report, form: Any) -> Done:
    check_revision(report, form)
    actions.message_finder(report, actor=request.user, body=form.cleaned_data["body"])
    return Done(_("The message was sent to the finder."))


def _check(request: HttpRequest, report: Report, form: Any) -> Done:
    check_revision(report, form)
    data = form.cleaned_data
    actions.record_check(
        report, actor=request.user, check=data["check"], result=data["result"], note=data["note"]
    )
    return Done(
        _("Recorded: %(check)s — %(result)s.")
        % {
            "check": AcceptanceCheck(data["check"]).label,
            "result": CheckResult(data["result"]).label,
        }
    )


def _accept(request: HttpRequest, report: Report, form: Any) -> Done:
    actions.accept_report(
        report, actor=request.user, note=form.cleaned_data["note"], revision=form.seen_revision
    )
    return Done(_("The report was accepted (受理); the finder was told."))


def _reject(request: HttpRequest, report: Report, form: Any) -> Done:
    data = form.cleaned_data
    actions.reject_report(
        report,
        actor=request.user,
        reason=data["reason"],
        note=data["note"],
        revision=form.seen_revision,
    )
    return Done(_("The report was not accepted (不受理); the finder was told why."))


def _decrypt(request: HttpRequest, report: Report, form: Any) -> Done:
    check_revision(report, form)
    actions.decrypt_report(report, actor=request.user)
    return Done(_("The report was decrypted into its description."))


def _duplicate(request: HttpRequest, report: Report, form: Any) -> Done:
    original = form.cleaned_data["original"]
    actions.mark_duplicate(report, original, actor=request.user, revision=form.seen_revision)
    return Done(_("The report was closed as a duplicate of %(id)s.") % {"id": original.tracking_id})


def _forward(request: HttpRequest, report: Report, form: Any) -> Done:
    case = actions.forward_report(
        report,
        actor=request.user,
        coordinator_org=form.cleaned_data["coordinator_org"],
        revision=form.seen_revision,
    )
    done = _("The report was forwarded to coordination as %(reference)s.") % {
        "reference": case.reference
    }
    try:
        access_case(request.user, case.pk)
    except Http404:
        return Done(done)
    return Done(done, reverse("cases:detail", kwargs={"case_id": case.pk}))


def _close(request: HttpRequest, report: Report, form: Any) -> Done:
    data = form.cleaned_data
    actions.close_report(
        report,
        actor=request.user,
        reason=data["reason"],
        note=data["note"],
        revision=form.seen_revision,
    )
    return Done(_("The report was closed."))


def _reopen(request: HttpRequest, report: Report, form: Any) -> Done:
    actions.reopen_report(
        report, actor=request.user, note=form.cleaned_data["note"], revision=form.seen_revision
    )
    return Done(_("The report was reopened."))


def _contact(request: HttpRequest, report: Report, form: Any) -> Done:
    check_revision(report, form)
    data = form.cleaned_data
    actions.record_operator_contact(
        report,
        actor=request.user,
        channel=data["channel"],
        address=data["address"],
        outcome=data["outcome"],
        window_confirmed=data["window_confirmed"],
        attempted_at=data["attempted_at"],
        note=data["note"],
        operator_type=data["operator_type"],
    )
    return Done(_("The contact attempt was recorded."))


def _send_details(request: HttpRequest, report: Report, form: Any) -> Done:
    address = form.cleaned_data["address"]
    actions.send_details_to_operator(
        report, actor=request.user, address=address, revision=form.seen_revision
    )
    return Done(_("Recorded: the details were sent to %(address)s.") % {"address": address})


def _site_step(request: HttpRequest, report: Report, form: Any) -> Done:
    event = form.cleaned_data["event"]
    actions.website_step(
        report,
        event,
        actor=request.user,
        note=form.cleaned_data["note"],
        revision=form.seen_revision,
    )
    return Done(
        _("The website handling is now “%(state)s”.") % {"state": report.get_site_state_display()}
    )


def _fix(request: HttpRequest, report: Report, form: Any) -> Done:
    data = form.cleaned_data
    actions.record_fix(
        report,
        actor=request.user,
        method=data["method"],
        fixed_at=data["fixed_at"],
        note=data["note"],
        revision=form.seen_revision,
    )
    return Done(_("The fix was recorded."))


def _transfer(request: HttpRequest, report: Report, form: Any) -> Done:
    check_revision(report, form)
    data = form.cleaned_data
    product = actions.transfer_to_product_track(
        report,
        actor=request.user,
        product_name=data["product_name"],
        vendor_name=data["vendor_name"],
        description=data["description"],
    )
    return Done(
        _("Transferred to the product track as %(id)s.") % {"id": product.tracking_id},
        report_url(product),
    )


# URL segment → the endpoint. Names are ``intake:desk_<segment>``.
ACTIONS: dict[str, DeskAction] = {
    "acknowledge": DeskAction(forms.AcknowledgeForm, _acknowledge, "report"),
    "assign": DeskAction(forms.AssignForm, _assign, "report"),
    "scope": DeskAction(forms.ScopeForm, _scope, "report"),
    "ask": DeskAction(forms.AskForm, _ask, "conversation"),
    "message": DeskAction(forms.MessageForm, _message, "conversation"),
    "check": DeskAction(forms.CheckForm, _check, "checks"),
    "accept": DeskAction(forms.AcceptForm, _accept, "decision"),
    "reject": DeskAction(forms.RejectForm, _reject, "decision"),
    "decrypt": DeskAction(forms.DecryptForm, _decrypt, "reported"),
    "duplicate": DeskAction(forms.DuplicateForm, _duplicate, "decision"),
    "forward": DeskAction(forms.ForwardForm, _forward, "decision"),
    "close": DeskAction(forms.CloseForm, _close, "decision"),
    "reopen": DeskAction(forms.ReopenForm, _reopen, "decision"),
    "contact": DeskAction(forms.OperatorContactForm, _contact, "website"),
    "send": DeskAction(forms.SendDetailsForm, _send_details, "website"),
    "site": DeskAction(forms.SiteStepForm, _site_step, "website"),
    "fix": DeskAction(forms.FixForm, _fix, "website"),
    "transfer": DeskAction(forms.TransferForm, _transfer, "website"),
}


def endpoint(name: str) -> Callable[..., HttpResponse]:
    spec = ACTIONS[name]

    @login_required
    @require_POST
    def view(request: HttpRequest, report_id: int) -> HttpResponse:
        report = access_report(request, report_id, need="desk")
        form = spec.form(request.POST, report=report, zone=viewer_zone(request))
        status = 400
        if form.is_valid():
            try:
                done = spec.run(request, report, form)
            except WorkflowError as error:
                form.add_error(None, str(error))
                messages.error(request, str(error))
                status = 409 if isinstance(error, ConcurrentChange) else 400
            else:
                messages.success(request, done.message)
                return redirect(done.location or report_url(report, spec.anchor))
        else:
            messages.error(request, _("Nothing was changed: correct the form below."))
        from .desk import render_report_page

        # The refused action may have touched the report in memory: read it again.
        fresh = access_report(request, report.pk, need="desk")
        form.show_revision(fresh.revision)
        return render_report_page(request, fresh, bound={str(form.prefix): form}, status=status)

    view.__name__ = view.__qualname__ = f"desk_{name}"
    return view
