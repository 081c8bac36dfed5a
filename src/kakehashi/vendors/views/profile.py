"""One registry entry: its page and one POST endpoint per action. For the registry's
maintainers and the vendor's own administrators (``need="edit"``); others get 404."""

from __future__ import annotations

from collections.abc import Callable

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.accounts.models import Invitation, Membership
from kakehashi.core.perform import perform

from .. import actions, forms
from ..access import access_profile_of, maintains_registry
from ..models import VendorProfile

# The page's forms, by prefix: an invalid one is shown again, bound, in its place.
FORMS: dict[str, type[django_forms.Form]] = {
    "profile": forms.ProfileForm,
    "contact": forms.ContactPointForm,
    "key": forms.KeyForm,
    "product": forms.ProductForm,
    "member": forms.InviteVendorMemberForm,
}


def _url(profile: VendorProfile, anchor: str) -> str:
    url = reverse("vendors:profile", kwargs={"organisation_id": profile.organisation_id})
    return f"{url}#{anchor}"


@login_required
@require_GET
def profile_page(request: HttpRequest, organisation_id: int) -> HttpResponse:
    profile = access_profile_of(request.user, organisation_id, need="edit")
    return _render_profile(request, profile)


def _render_profile(
    request: HttpRequest, profile: VendorProfile, bound: django_forms.Form | None = None
) -> HttpResponse:
    page_forms: dict[str, django_forms.Form] = {}
    for prefix, form_class in FORMS.items():
        if bound is not None and bound.prefix == prefix:
            page_forms[prefix] = bound
        elif form_class is forms.ProfileForm:
            page_forms[prefix] = forms.ProfileForm(
                prefix=prefix, profile=profile, user=request.user
            )
        else:
            page_forms[prefix] = form_class(prefix=prefix)
    context = {
        "profile": profile,
        "organisation": profile.organisation,
        "maintainer": maintains_registry(request.user),
        "contacts": list(profile.contact_points.all()),
        "keys": list(profile.keys.all()),
        "products": list(profile.products.all()),
        "members": list(
            Membership.objects.filter(organisation_id=profile.organisation_id)
            .select_related("user")
            .order_by("user__username", "role")
        ),
        "invitations": list(
            Invitation.objects.filter(
                organisation_id=profile.organisation_id,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).order_by("-created_at")
        ),
        "forms": page_forms,
        "row_errors": bound if bound is not None and bound.prefix == "row" else None,
    }
    return render(request, "vendors/profile.html", context)


def _act(
    request: HttpRequest,
    profile: VendorProfile,
    form: django_forms.Form,
    action: Callable[[], str],
    anchor: str,
) -> HttpResponse:
    def render_again(bound: django_forms.Form) -> HttpResponse:
        # The refused action rolled back: show the entry as it now is.
        fresh = access_profile_of(request.user, profile.organisation_id, need="edit")
        return _render_profile(request, fresh, bound)

    return perform(
        request, form, action, success_url=_url(profile, anchor), render_again=render_again
    )


@login_required
@require_POST
def update_profile(request: HttpRequest, organisation_id: int) -> HttpResponse:
    profile = access_profile_of(request.user, organisation_id, need="edit")
    form = forms.ProfileForm(request.POST, prefix="profile", profile=profile, user=request.user)
    if form.is_valid() and not form.changes():
        messages.info(request, _("Nothing was changed."))
        return redirect(_url(profile, "profile"))

    def action() -> str:
        actions.update_profile(request.user, profile, **form.changes())
        return _("The profile was saved.")

    return _act(request, profile, form, action, "profile")


@login_required
@require_POST
def add_contact(request: HttpRequest, organisation_id: int) -> HttpResponse:
    profile = access_profile_of(request.user, organisation_id, need="edit")
    form = forms.ContactPointForm(request.POST, prefix="contact")

    def action() -> str:
        actions.add_contact_point(request.user, profile, **form.cleaned_data)
        return _("The contact point was added.")

    return _act(request, profile, form, action, "contacts")


@login_required
@require_POST
def remove_contact(request: HttpRequest, organisation_id: int) -> HttpResponse:
    profile = access_profile_of(request.user, organisation_id, need="edit")
    form = forms.RemoveContactForm(request.POST, prefix="row", profile=profile)

    def action() -> str:
        actions.remove_contact_point(request.user, form.cleaned_data["row"])
        return _("The contact point was removed.")

    return _act(request, profile, form, action, "contacts")


@login_required
@require_POST
def add_key(request: HttpRequest, organisation_id: int) -> HttpResponse:
    profile = access_profile_of(request.user, organisation_id, need="edit")
    form = forms.KeyForm(request.POST, prefix="key")

    def action() -> str:
        key = actions.add_key(request.user, profile, form.cleaned_data["armored"])
        return _("The key %(fingerprint)s was added.") % {"fingerprint": key.fingerprint}

    return _act(request, profile, form, action, "keys")


@login_required
@require_POST
def withdraw_key(request: HttpRequest, organisation_id: int) -> HttpResponse:
    profile = access_profile_of(request.user, organisation_id, need="edit")
    form = forms.WithdrawKeyForm(request.POST, prefix="row", profile=profile)

    def action() -> str:
        key = actions.revoke_key(request.user, form.cleaned_data["row"])
        return _("The key %(fingerprint)s was withdrawn.") % {"fingerprint": key.fingerprint}

    return _act(request, profile, form, action, "keys")


@login_required
@require_POST
def add_product(request: HttpRequest, organisation_id: int) -> HttpResponse:
    profile = access_profile_of(request.user, organisation_id, need="edit")
    form = forms.ProductForm(request.POST, prefix="product")

    def action() -> str:
        product = actions.add_product(request.user, profile, **form.cleaned_data)
        return _("The product %(name)s was added.") % {"name": product.name}

    return _act(request, profile, form, action, "products")


@login_required
@require_POST
def remove_product(request: HttpRequest, organisation_id: int) -> HttpResponse:
    profile = access_profile_of(request.user, organisation_id, need="edit")
    form = forms.RemoveProductForm(request.POST, prefix="row", profile=profile)

    def action() -> str:
        product = form.cleaned_data["row"]
        actions.remove_product(request.user, product)
        return _("The product %(name)s was removed.") % {"name": product.name}

    return _act(request, profile, form, action, "products")


@login_required
@require_POST
def invite_member(request: HttpRequest, organisation_id: int) -> HttpResponse:
    profile = access_profile_of(request.user, organisation_id, need="edit")
    form = forms.InviteVendorMemberForm(request.POST, prefix="member")

    def action() -> str:
        actions.invite_vendor_member(request.user, profile, **form.cleaned_data)
        return _("The invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]}

    return _act(request, profile, form, action, "members")
