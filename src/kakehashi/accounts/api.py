"""API: who am I, and the organisations I may see."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from kakehashi.api.auth import require_scope
from kakehashi.api.schemas import Error

from .access import access_organisation
from .models import Organisation

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    kind: str
    role: str


class MeOut(Schema):
    username: str
    display_name: str
    language: str
    timezone: str
    memberships: list[MembershipOut]
    scopes: list[str]


class OrganisationOut(Schema):
    id: int
    slug: str
    kind: str
    name_en: str
    name_ja: str


@router.get("/me", response={200: MeOut, 401: Error, 403: Error}, summary="The token's user")
def me(request: HttpRequest) -> MeOut:
    require_scope(request, "read")
    user = request.user
    return MeOut(
        username=user.get_username(),
        display_name=user.display_name,  # type: ignore[union-attr]
        language=user.language,  # type: ignore[union-attr]
        timezone=user.timezone,  # type: ignore[union-attr]
        memberships=[
            MembershipOut(
                organisation_id=m.organisation_id,
                organisation=m.organisation.name_en,
                kind=m.organisation.kind,
                role=m.role,
            )
            for m in user.memberships_cached()  # type: ignore[union-attr]
        ],
        scopes=list(request.api_token.scopes),  # type: ignore[attr-defined]
    )


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], 401: Error, 403: Error},
    summary="Organisations visible to the token's user",
)
def list_organisations(request: HttpRequest) -> list[Organisation]:
    require_scope(request, "read")
    return list(Organisation.objects.visible_to(request.user).order_by("pk")[:500])


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, 401: Error, 403: Error, 404: Error},
    summary="One organisation",
)
def get_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    require_scope(request, "read")
    try:
        return access_organisation(request.user, organisation_id)
    except Http404:
        raise HttpError(404, "Not found.") from None
