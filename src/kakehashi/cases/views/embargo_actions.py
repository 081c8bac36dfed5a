"""Action endpoints of the embargo: propose, accept, reject, terminate, invite, and a
participant's answer recorded on its behalf. POST only, coordinators only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import actions, forms
from ..access import access_case
from ._perform import check_revision, perform, viewer_zone


@login_required
@require_POST
def propose_embargo(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.ProposeEmbargoForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        actions.propose_embargo(
            case,
            actor=request.user,
            ends_at=form.cleaned_data["ends_at"],
            note=form.cleaned_data["note"],
            revision=form.seen_revision,
        )
        return _("The embargo was proposed.")

    return perform(request, case, form, action, anchor="embargo")


@login_required
@require_POST
def accept_embargo(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.ProposalForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        actions.accept_embargo(
            case, form.cleaned_data["proposal"], actor=request.user, revision=form.seen_revision
        )
        return _("The embargo is in force.")

    return perform(request, case, form, action, anchor="embargo")


@login_required
@require_POST
def reject_embargo(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.ProposalForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        actions.reject_embargo(
            case,
            form.cleaned_data["proposal"],
            actor=request.user,
            note=form.cleaned_data["note"],
            revision=form.seen_revision,
        )
        return _("The proposal was rejected.")

    return perform(request, case, form, action, anchor="embargo")


@login_required
@require_POST
def terminate_embargo(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.TerminateEmbargoForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        actions.terminate_embargo(
            case,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            revision=form.seen_revision,
        )
        return _("The embargo was ended.")

    return perform(request, case, form, action, anchor="embargo")


@login_required
@require_POST
def invite_to_embargo(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.InviteForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        invited = actions.invite_to_embargo(
            case,
            list(form.invitees()),
            actor=request.user,
            deadline=form.cleaned_data["deadline"],
            revision=form.seen_revision,
        )
        return ngettext(
            "%(count)d participant was invited.",
            "%(count)d participants were invited.",
            len(invited),
        ) % {"count": len(invited)}

    return perform(request, case, form, action, anchor="embargo")


@login_required
@require_POST
def record_embargo_answer(request: HttpRequest, case_id: int) -> HttpResponse:
    """The coordinator records an answer that came by e-mail, telephone or a partner:
    the participant's consent state moves as if it had answered in the portal, and the
    note says how the answer came (kept with the response and in the audit log)."""
    case = access_case(request.user, case_id, need="coordinate")
    form = forms.EmbargoAnswerForm(request.POST, case=case, zone=viewer_zone(request))

    def action() -> str:
        check_revision(case, form)
        data = form.cleaned_data
        actions.answer_embargo(
            case, data["participant"], actor=request.user, answer=data["answer"], note=data["note"]
        )
        return _("The answer of %(participant)s was recorded.") % {
            "participant": data["participant"].display_name()
        }

    return perform(request, case, form, action, anchor="embargo")
