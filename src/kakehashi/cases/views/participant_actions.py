"""Action endpoints on participants: adding and removing them, their report
management, contact attempts, and vendor statuses. POST only, coordinators only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kakehashi.core.workflow import ConcurrentChange

from .. import actions, forms
from ..access import access_case
from ._perform import check_revision, perform, viewer_zone


@login_required
@require_POST
def add_participants(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.AddParticipantsForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        added = actions.add_participants(
            case,
            actor=request.user,
            role=form.cleaned_data["role"],
            organisations=form.cleaned_data["organisations"],
            revision=form.seen_revision,
        )
        return ngettext(
            "%(count)d participant was added.", "%(count)d participants were added.", len(added)
        ) % {"count": len(added)}

    return perform(request, case, form, action, anchor="participants")


@login_required
@require_POST
def remove_participant(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.ParticipantButtonForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        participant = form.cleaned_data["participant"]
        actions.remove_participant(
            case, participant, actor=request.user, revision=form.seen_revision
        )
        return _("%(name)s was removed from the case.") % {"name": participant.display_name()}

    return perform(request, case, form, action, anchor="participants")


@login_required
@require_POST
def change_rm(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.ChangeRMForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        participant, shown, event = form.cleaned_data["transition"]
        if participant.rm_state != shown:
            raise ConcurrentChange  # the button was drawn for another state
        actions.change_rm(case, participant, event, actor=request.user)
        return _("%(name)s: report management is now “%(state)s”.") % {
            "name": participant.display_name(),
            "state": participant.get_rm_state_display(),
        }

    return perform(request, case, form, action, anchor="participants")


@login_required
@require_POST
def record_contact(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.ContactAttemptForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        data = form.cleaned_data
        actions.record_contact_attempt(
            case,
            data["participant"],
            actor=request.user,
            channel=data["channel"],
            address=data["address"],
            attempted_at=data["attempted_at"],
            outcome=data["outcome"],
            details_included=data["details_included"],
            note=data["note"],
            revision=form.seen_revision,
        )
        return _("The contact attempt was recorded.")

    return perform(request, case, form, action, anchor="participants")


@login_required
@require_POST
def record_status(request: HttpRequest, case_id: int) -> HttpResponse:
    """The coordinator records a status on behalf of a vendor."""
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.VendorStatusForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        check_revision(case, form)
        data = form.cleaned_data
        actions.record_vendor_status(
            case,
            data["vendor"],
            data["vulnerability"],
            actor=request.user,
            product=data["product"],
            status=data["status"],
            justification=data["justification"],
            reason=data["reason"],
            statement_ja=data["statement_ja"],
            statement_en=data["statement_en"],
            fixed_in=data["fixed_in"],
        )
        return _("The vendor status was recorded; it awaits approval.")

    return perform(request, case, form, action, anchor="matrix")


@login_required
@require_POST
def approve_status(request: HttpRequest, case_id: int) -> HttpResponse:
    """Approve the version of a status that the coordinator was shown."""
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.ApproveStatusForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        status, version = form.cleaned_data["approve"]
        actions.approve_vendor_status(case, status, actor=request.user, expected_version=version)
        return _("The status was approved.")

    return perform(request, case, form, action, anchor="matrix")
