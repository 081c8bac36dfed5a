"""API: the vendor registry — the desk's search and one entry (STYLE point 8).

Reads only, with the ``read`` scope. The search is for the operator's staff; an entry
is fetched through ``vendors.access`` (one the caller may not see is 404, like one
that does not exist): desk staff see every entry, a vendor's members their own.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from kakehashi.api.auth import require_scope
from kakehashi.api.schemas import Error, Input, Refusal, UtcInstant

from .access import access_profile_of
from .models import ContactPoint, Product, VendorKey, VendorProfile
from .search import MAX_RESULTS, find_vendors

router = Router(tags=["vendors"])

READ = {401: Error, 403: Refusal, 404: Error, 422: Refusal}


class VendorSearch(Input):
    q: str = Field(
        "",
        max_length=200,
        description="Vendor name (ja or en), product name, keyword, or a cpe:/pkg: prefix.",
    )
    limit: int = Field(50, ge=1, le=MAX_RESULTS)


class ProductOut(Schema):
    id: int
    name: str
    cpe: str
    purl: str
    version_scheme: str
    keywords: str


class VendorMatchOut(Schema):
    organisation_id: int
    name_ja: str
    name_en: str
    matched_on: str = Field(description="name_ja, name_en, product, cpe, purl or keywords")
    product: ProductOut | None = None


class ContactPointOut(Schema):
    id: int
    kind: str
    value: str
    email_role: str
    note: str


class KeyOut(Schema):
    """A key's metadata; the key itself is not published here."""

    id: int
    fingerprint: str
    expires_at: UtcInstant | None
    can_encrypt: bool
    added_at: UtcInstant
    revoked_at: UtcInstant | None


class VendorOut(Schema):
    organisation_id: int
    name_ja: str
    name_en: str
    registration_type: str
    preferred_language: str
    time_zone: str
    keywords: str
    public_listing: bool
    direct_report_url: str
    overseas: bool
    coordinating_partner_id: int | None
    updated_at: datetime
    contact_points: list[ContactPointOut]
    keys: list[KeyOut]
    products: list[ProductOut]


def _product(product: Product) -> ProductOut:
    return ProductOut(
        id=product.pk,
        name=product.name,
        cpe=product.cpe,
        purl=product.purl,
        version_scheme=product.version_scheme,
        keywords=product.keywords,
    )


def _contact(contact: ContactPoint) -> ContactPointOut:
    return ContactPointOut(
        id=contact.pk,
        kind=contact.kind,
        value=contact.value,
        email_role=contact.email_role,
        note=contact.note,
    )


def _key(key: VendorKey) -> KeyOut:
    return KeyOut(
        id=key.pk,
        fingerprint=key.fingerprint,
        expires_at=key.expires_at,
        can_encrypt=key.can_encrypt,
        added_at=key.added_at,
        revoked_at=key.revoked_at,
    )


def _vendor(profile: VendorProfile) -> VendorOut:
    organisation = profile.organisation
    return VendorOut(
        organisation_id=organisation.pk,
        name_ja=organisation.name_ja,
        name_en=organisation.name_en,
        registration_type=profile.registration_type,
        preferred_language=profile.preferred_language,
        time_zone=profile.time_zone,
        keywords=profile.keywords,
        public_listing=profile.public_listing,
        direct_report_url=profile.direct_report_url,
        overseas=profile.overseas,
        coordinating_partner_id=profile.coordinating_partner_id,
        updated_at=profile.updated_at,
        contact_points=[_contact(c) for c in profile.contact_points.all()],
        keys=[_key(k) for k in profile.keys.all()],
        products=[_product(p) for p in profile.products.all()],
    )


@router.get(
    "",
    response={200: list[VendorMatchOut], **READ},
    summary="Search the vendor registry (desk staff)",
)
def search_vendors(request: HttpRequest, search: Query[VendorSearch]) -> list[VendorMatchOut]:
    require_scope(request, "read")
    user = request.user
    if not (user.is_superuser or user.is_desk_staff()):  # type: ignore[union-attr]
        raise HttpError(403, _("Only the operator's staff search the vendor registry."))
    return [
        VendorMatchOut(
            organisation_id=match.organisation.pk,
            name_ja=match.organisation.name_ja,
            name_en=match.organisation.name_en,
            matched_on=match.field,
            product=_product(match.product) if match.product else None,
        )
        for match in find_vendors(search.q, limit=search.limit)
    ]


@router.get(
    "/{organisation_id}",
    response={200: VendorOut, **READ},
    summary="One registry entry: profile, contact points, key metadata, products",
)
def get_vendor(request: HttpRequest, organisation_id: int) -> VendorOut:
    require_scope(request, "read")
    return _vendor(access_profile_of(request.user, organisation_id, need="view"))
