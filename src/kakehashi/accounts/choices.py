"""Organisation kinds, membership roles and API token scopes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    RECEPTION = "reception", _("Reception (report desk)")
    COORDINATOR = "coordinator", _("Coordinator")
    VENDOR = "vendor", _("Vendor")
    PARTNER_CERT = "partner_cert", _("Partner CERT")
    FINDER = "finder", _("Finder organisation")


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    RECEPTION_CLERK = "reception_clerk", _("Reception clerk")
    COORDINATOR = "coordinator", _("Coordinator")
    CNA_OFFICER = "cna_officer", _("CNA officer")
    TRANSLATOR = "translator", _("Translator")
    COMMITTEE_MEMBER = "committee_member", _("Publication committee member")
    VENDOR_PSIRT = "vendor_psirt", _("Vendor PSIRT member")
    VENDOR_ADMIN = "vendor_admin", _("Vendor administrator")
    PARTNER_MEMBER = "partner_member", _("Partner CERT member")
    FINDER = "finder", _("Finder")


# Roles that only make sense in organisations of a given kind.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.RECEPTION: frozenset({Role.ADMINISTRATOR, Role.RECEPTION_CLERK}),
    OrganisationKind.COORDINATOR: frozenset(
        {
            Role.ADMINISTRATOR,
            Role.COORDINATOR,
            Role.CNA_OFFICER,
            Role.TRANSLATOR,
            Role.COMMITTEE_MEMBER,
        }
    ),
    OrganisationKind.VENDOR: frozenset({Role.VENDOR_ADMIN, Role.VENDOR_PSIRT}),
    OrganisationKind.PARTNER_CERT: frozenset({Role.ADMINISTRATOR, Role.PARTNER_MEMBER}),
    OrganisationKind.FINDER: frozenset({Role.ADMINISTRATOR, Role.FINDER}),
}

# Roles that may manage the members of their organisation.
ORGANISATION_MANAGER_ROLES = frozenset({Role.ADMINISTRATOR, Role.VENDOR_ADMIN})

# Kinds whose members are staff of the platform operator (the "desk").
STAFF_KINDS = frozenset({OrganisationKind.RECEPTION, OrganisationKind.COORDINATOR})


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    ADMIN = "admin", _("Administer organisations")
