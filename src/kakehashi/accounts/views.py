"""Account pages: preferences, organisation members and invitations, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions
from .access import access_api_token, access_membership, access_organisation, can_manage_members
from .forms import InviteForm, PreferencesForm, TokenForm
from .models import ApiToken, Invitation, Membership


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            actions.update_preferences(
                user,  # type: ignore[arg-type]
                language=form.cleaned_data["language"],
                time_zone=form.cleaned_data["timezone"],
                display_name=form.cleaned_data["display_name"],
            )
            messages.success(request, _("Your preferences were saved."))
            return redirect(f"/{form.cleaned_data['language']}/account/preferences/")
    else:
        form = PreferencesForm(
            initial={
                "display_name": user.display_name,  # type: ignore[union-attr]
                "language": user.language,  # type: ignore[union-attr]
                "timezone": user.timezone,  # type: ignore[union-attr]
            }
        )
    return render(request, "accounts/preferences.html", {"form": form})


@login_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = access_organisation(request.user, organisation_id)
    manager = can_manage_members(request.user, organisation)
    form = InviteForm(organisation)
    if request.method == "POST":
        organisation = access_organisation(request.user, organisation_id, need="manage")
        form = InviteForm(organisation, request.POST)
        if form.is_valid():
            try:
                actions.invite_member(
                    request.user,
                    organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                form.add_error("role", error)
            else:
                messages.success(request, _("The invitation was sent."))
                return redirect("accounts:organisation", organisation_id=organisation.pk)
    members = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username", "role")
    )
    invitations = (
        Invitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
        ).order_by("-created_at")
        if manager
        else Invitation.objects.none()
    )
    return render(
        request,
        "accounts/organisation.html",
        {
            "organisation": organisation,
            "members": members,
            "invitations": invitations,
            "manager": manager,
            "form": form,
        },
    )


@login_required
@require_POST
def remove_member(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = access_membership(request.user, membership_id)
    organisation_id = membership.organisation_id
    try:
        actions.remove_membership(request.user, membership, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The member was removed."))
    return redirect("accounts:organisation", organisation_id=organisation_id)


@login_required
def accept_invitation(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = actions.find_open_invitation(secret)
    if request.method == "POST" and invitation is not None:
        try:
            actions.accept_invitation(request.user, secret)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("You joined the organisation."))
            return redirect("core:dashboard")
    status = 200 if invitation is not None else 404
    return render(request, "accounts/invitation.html", {"invitation": invitation}, status=status)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_secret = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, new_secret = actions.create_api_token(
                    request.user,  # type: ignore[arg-type]
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=form.expires_at(),  # type: ignore[arg-type]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                form = TokenForm()
    else:
        form = TokenForm()
    listed = ApiToken.objects.filter(user_id=request.user.pk or 0).order_by("-created_at")
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": listed, "new_secret": new_secret},
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = access_api_token(request.user, token_id)
    actions.revoke_api_token(request.user, token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")
