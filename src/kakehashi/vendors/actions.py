"""Every change to the vendor registry: one typed, audited, atomic action each (STYLE 3).

Coordinators register vendors and keep every entry; a vendor's administrators keep
their own entry current (``access.may_edit``). Refusals are ``GuardFailed`` (who) or
``InvalidInput`` (what), with translated messages; nothing changes when one is raised.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kakehashi.accounts.actions import create_organisation, invite_member
from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import Organisation
from kakehashi.core import audit, pgp
from kakehashi.core.workflow import GuardFailed, InvalidInput

from .access import MAINTAINER_ONLY_FIELDS, maintains_registry, may_edit
from .choices import ContactKind, EmailRole
from .models import (
    ContactPoint,
    Product,
    VendorGroup,
    VendorKey,
    VendorProfile,
    validate_web_url,
)

PROFILE_FIELDS = frozenset(
    {
        "registration_type",
        "preferred_language",
        "time_zone",
        "keywords",
        "public_listing",
        "direct_report_url",
        "overseas",
        "coordinating_partner",
    }
)


def _require_editor(actor: Any, profile: VendorProfile) -> None:
    if not may_edit(actor, profile):
        raise GuardFailed(_("You may not change this vendor's registry entry."))


def _clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    """Model validation, as ``InvalidInput`` with every message in one sentence."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise InvalidInput(" ".join(str(m) for m in error.messages)) from error


def _check_profile_fields(actor: Any, fields: dict[str, Any]) -> None:
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"unknown vendor profile fields: {sorted(unknown)}")
    if set(fields) & MAINTAINER_ONLY_FIELDS and not maintains_registry(actor):
        raise GuardFailed(
            _("Only the coordinator changes the registration type, overseas flag or partner.")
        )
    partner = fields.get("coordinating_partner")
    if partner is not None and partner.kind != OrganisationKind.PARTNER_CERT:
        raise InvalidInput(_("The coordinating partner must be a partner CERT."))


def register_new_vendor(actor: Any, *, name_ja: str, name_en: str, **profile: Any) -> VendorProfile:
    """Create a vendor organisation and enter it in the registry, in one step: a vendor
    first met in a report has no organisation yet, and no portal member to create one."""
    if not maintains_registry(actor):
        raise GuardFailed(_("Only the coordinator registers vendors."))
    name_ja, name_en = name_ja.strip(), name_en.strip()
    if not name_en:
        raise InvalidInput(
            _("Give the vendor's English name: it is used abroad and in CVE records.")
        )
    with transaction.atomic():
        if Organisation.objects.filter(
            kind=OrganisationKind.VENDOR, name_en__iexact=name_en
        ).exists():
            raise InvalidInput(
                _("A vendor organisation named %(name)s exists already: choose it in the list.")
                % {"name": name_en}
            )
        organisation = create_organisation(
            actor,
            kind=OrganisationKind.VENDOR,
            slug=_free_slug(name_en),
            name_ja=name_ja,
            name_en=name_en,
        )
        return register_vendor(actor, organisation, **profile)


def _free_slug(name: str) -> str:
    base = (slugify(name) or "vendor")[:56]
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def invite_vendor_member(
    actor: Any, profile: VendorProfile, *, email: str, role: str, language: str
) -> None:
    """Invite someone into the vendor's organisation: the coordinator brings in a new
    vendor's first people, the vendor's administrators their colleagues."""
    _require_editor(actor, profile)
    if role not in (Role.VENDOR_ADMIN, Role.VENDOR_PSIRT):
        raise InvalidInput(_("Vendors have administrators and PSIRT members only."))
    invite_member(actor, profile.organisation, email=email, role=role, language=language)


def register_vendor(actor: Any, organisation: Organisation, **profile: Any) -> VendorProfile:
    """Enter a vendor organisation in the registry (the coordinator's decision)."""
    if not maintains_registry(actor):
        raise GuardFailed(_("Only the coordinator registers vendors."))
    if organisation.kind != OrganisationKind.VENDOR:
        raise InvalidInput(_("Only vendor organisations can be registered."))
    _check_profile_fields(actor, profile)
    entry = VendorProfile(organisation=organisation, **profile)
    _clean(entry, exclude=["organisation"])
    with transaction.atomic():
        if VendorProfile.objects.filter(organisation=organisation).exists():
            raise InvalidInput(_("This vendor is already registered."))
        entry.save()
        audit.record(
            "vendor.registered",
            actor=actor,
            subject=entry,
            summary=organisation.name_en,
            data={"registration_type": entry.registration_type},
        )
    return entry


def update_profile(actor: Any, profile: VendorProfile, **changes: Any) -> VendorProfile:
    _require_editor(actor, profile)
    _check_profile_fields(actor, changes)
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.updated_at = timezone.now()
    _clean(profile, exclude=["organisation"])
    with transaction.atomic():
        profile.save()
        audit.record(
            "vendor.profile_updated",
            actor=actor,
            subject=profile,
            summary=profile.organisation.name_en,
            data={"fields": sorted(changes)},
        )
    return profile


def add_contact_point(
    actor: Any,
    profile: VendorProfile,
    *,
    kind: str,
    value: str,
    email_role: str = "",
    note: str = "",
) -> ContactPoint:
    _require_editor(actor, profile)
    value = value.strip()
    if kind == ContactKind.EMAIL:
        email_role = email_role or EmailRole.TO
    elif email_role:
        raise InvalidInput(_("Only e-mail contact points have a To/Cc role."))
    contact = ContactPoint(
        profile=profile, kind=kind, value=value, email_role=email_role, note=note
    )
    _clean(contact, exclude=["profile"])
    _validate_contact_value(kind, value)
    with transaction.atomic():
        contact.save()
        audit.record(
            "vendor.contact_added",
            actor=actor,
            subject=contact,
            summary=f"{profile.organisation.name_en}: {kind}",
            data={"kind": kind, "email_role": email_role},
        )
    return contact


def _validate_contact_value(kind: str, value: str) -> None:
    if kind == ContactKind.EMAIL:
        try:
            validate_email(value)
        except ValidationError as error:
            raise InvalidInput(
                _("“%(value)s” is not a valid e-mail address.") % {"value": value}
            ) from error
    if kind == ContactKind.WEB_FORM:
        try:
            validate_web_url(value)
        except ValidationError as error:
            raise InvalidInput(
                _("“%(value)s” is not a web address starting with http:// or https://.")
                % {"value": value}
            ) from error


def remove_contact_point(actor: Any, contact: ContactPoint) -> None:
    _require_editor(actor, contact.profile)
    with transaction.atomic():
        audit.record(
            "vendor.contact_removed",
            actor=actor,
            subject=contact,
            summary=f"{contact.profile.organisation.name_en}: {contact.kind}",
        )
        contact.delete()


def add_key(actor: Any, profile: VendorProfile, armored: str) -> VendorKey:
    """Store a vendor's public key if mail can be encrypted to it; else refuse with
    ``core.pgp``'s message (expired, revoked, weak, signing-only, secret, not a key)."""
    _require_editor(actor, profile)
    try:
        info = pgp.validate_recipient_key(armored)  # runs gpg: outside the transaction
    except pgp.InvalidKeyError as error:
        raise InvalidInput(str(error)) from error
    with transaction.atomic():
        if profile.keys.filter(fingerprint=info.fingerprint).exists():
            raise InvalidInput(_("This key is already registered for this vendor."))
        key = VendorKey.objects.create(
            profile=profile,
            armored=armored.strip() + "\n",
            fingerprint=info.fingerprint,
            expires_at=info.expires,
            can_encrypt=info.can_encrypt,
            added_by=actor,
        )
        audit.record(
            "vendor.key_added",
            actor=actor,
            subject=key,
            summary=f"{profile.organisation.name_en}: {info.fingerprint}",
            data={"fingerprint": info.fingerprint, "expires": info.expires},
        )
    return key


def revoke_key(actor: Any, key: VendorKey) -> VendorKey:
    _require_editor(actor, key.profile)
    with transaction.atomic():
        now = timezone.now()
        if VendorKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now) != 1:
            raise GuardFailed(_("This key has already been withdrawn."))
        key.revoked_at = now
        audit.record(
            "vendor.key_revoked",
            actor=actor,
            subject=key,
            summary=f"{key.profile.organisation.name_en}: {key.fingerprint}",
        )
    return key


def add_product(
    actor: Any,
    profile: VendorProfile,
    *,
    name: str,
    cpe: str = "",
    purl: str = "",
    version_scheme: str = "other",
    keywords: str = "",
) -> Product:
    _require_editor(actor, profile)
    product = Product(
        profile=profile,
        name=name.strip(),
        cpe=cpe.strip(),
        purl=purl.strip(),
        version_scheme=version_scheme,
        keywords=keywords,
    )
    _clean(product, exclude=["profile"])
    with transaction.atomic():
        product.save()
        audit.record(
            "vendor.product_added",
            actor=actor,
            subject=product,
            summary=f"{profile.organisation.name_en}: {product.name}",
            data={"cpe": product.cpe, "purl": product.purl},
        )
    return product


def remove_product(actor: Any, product: Product) -> None:
    _require_editor(actor, product.profile)
    with transaction.atomic():
        audit.record(
            "vendor.product_removed",
            actor=actor,
            subject=product,
            summary=f"{product.profile.organisation.name_en}: {product.name}",
        )
        product.delete()


def save_group(
    actor: Any,
    group: VendorGroup | None = None,
    *,
    name_ja: str,
    name_en: str,
    description: str = "",
    members: list[VendorProfile] | None = None,
) -> VendorGroup:
    """Create a vendor group (``group`` None) or change one: names, description, members."""
    if not maintains_registry(actor):
        raise GuardFailed(_("Only the coordinator keeps vendor groups."))
    name_ja, name_en = name_ja.strip(), name_en.strip()
    if not name_ja or not name_en:
        raise InvalidInput(_("A vendor group needs a Japanese and an English name."))
    creating = group is None
    group = group or VendorGroup()
    group.name_ja, group.name_en, group.description = name_ja, name_en, description.strip()
    group.updated_at = timezone.now()
    _clean(group)
    with transaction.atomic():
        group.save()
        if members is not None:
            group.members.set(members)
        audit.record(
            "vendor_group.created" if creating else "vendor_group.changed",
            actor=actor,
            subject=group,
            summary=group.name_en,
            data={"members": sorted(m.pk for m in group.members.all())},
        )
    return group
