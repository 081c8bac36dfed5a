"""Demo registry entries for ``make run``, made through the real actions (idempotent).

The three demo vendors get registry entries a visitor learns from: a Japanese vendor
on general registration, listed publicly with a direct-report window; an overseas
vendor coordinated through a partner CERT; an open-source foundation whose library
other products embed. A few more entries give the registry search something to find.
"""

from __future__ import annotations

from dataclasses import dataclass

from kakehashi.accounts import actions as account_actions
from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation, User

from . import actions
from .choices import ContactKind, EmailRole, RegistrationType
from .models import VendorProfile


@dataclass(frozen=True)
class DemoProduct:
    name: str
    cpe: str = ""
    purl: str = ""
    keywords: str = ""


@dataclass(frozen=True)
class DemoEntry:
    slug: str
    name_en: str
    name_ja: str
    language: str
    time_zone: str
    keywords: str
    contacts: list[tuple[str, str, str]]  # kind, value, e-mail role
    products: list[DemoProduct]
    public_listing: bool = False
    direct_report_url: str = ""
    registration_type: str = RegistrationType.GENERAL
    overseas: bool = False
    partner: str = ""


PARTNER = ("partner-cert", "Example CERT/CC (United States)", "Example CERT/CC（米国）")

ENTRIES = [
    DemoEntry(
        "sakura-network",
        "Sakura Network Devices K.K.",
        "さくらネットワーク機器株式会社",
        "ja",
        "Asia/Tokyo",
        "ルーター\nrouter\nXML",
        [
            (ContactKind.EMAIL, "psirt@sakura.example", EmailRole.TO),
            (ContactKind.EMAIL, "quality@sakura.example", EmailRole.CC),
            (ContactKind.PHONE, "+81-3-0000-0000", ""),
            (ContactKind.POST, "〒100-0000 東京都千代田区架橋 1-1", ""),
        ],
        [
            DemoProduct(
                "SakuraRouter SR-500",
                cpe="cpe:2.3:h:sakura-network:sr-500:*:*:*:*:*:*:*:*",
                keywords="ルーター\nrouter",
            )
        ],
        public_listing=True,
        direct_report_url="https://sakura.example/security/report",
    ),
    DemoEntry(
        "northwind",
        "Northwind Appliances Inc.",
        "",
        "en",
        "America/Los_Angeles",
        "NAS\nstorage",
        [
            (ContactKind.EMAIL, "security@northwind.example", EmailRole.TO),
            (ContactKind.WEB_FORM, "https://northwind.example/security", ""),
        ],
        [DemoProduct("Northwind NAS", cpe="cpe:2.3:o:northwind:nas_firmware:*:*:*:*:*:*:*:*")],
        overseas=True,
        partner="partner-cert",
    ),
    DemoEntry(
        "helix-oss",
        "Helix Open Source Foundation",
        "",
        "en",
        "Europe/Berlin",
        "XML\nparser\nlibrary",
        [(ContactKind.EMAIL, "security@helix.example", EmailRole.TO)],
        [DemoProduct("Helix XML", purl="pkg:github/helix/helix-xml", keywords="XML parser")],
        public_listing=True,
        overseas=True,
    ),
    DemoEntry(
        "kumo-soft",
        "Kumo Software Co., Ltd.",
        "株式会社クモソフト",
        "ja",
        "Asia/Tokyo",
        "CMS\nウェブアプリケーション",
        [(ContactKind.EMAIL, "security@kumo.example", EmailRole.TO)],
        [DemoProduct("Kumo CMS", purl="pkg:pypi/kumo-cms", keywords="CMS")],
        registration_type=RegistrationType.INDIVIDUAL,
    ),
]


def load_demo_registry() -> list[VendorProfile]:
    coordinator = User.objects.get(username="coordinator")
    partner = _organisation(PARTNER[0], OrganisationKind.PARTNER_CERT, PARTNER[1], PARTNER[2])
    profiles = []
    for entry in ENTRIES:
        organisation = _organisation(
            entry.slug, OrganisationKind.VENDOR, entry.name_en, entry.name_ja
        )
        profile = VendorProfile.objects.filter(organisation=organisation).first()
        if profile is None:
            profile = _register(coordinator, organisation, entry, partner)
        profiles.append(profile)
    return profiles


def _organisation(slug: str, kind: str, name_en: str, name_ja: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        organisation = account_actions.create_organisation(
            None, kind=kind, slug=slug, name_en=name_en, name_ja=name_ja
        )
    return organisation


def _register(
    coordinator: User, organisation: Organisation, entry: DemoEntry, partner: Organisation
) -> VendorProfile:
    profile = actions.register_vendor(
        coordinator,
        organisation,
        registration_type=entry.registration_type,
        preferred_language=entry.language,
        time_zone=entry.time_zone,
        keywords=entry.keywords,
        public_listing=entry.public_listing,
        direct_report_url=entry.direct_report_url,
        overseas=entry.overseas,
        coordinating_partner=partner if entry.partner else None,
    )
    for kind, value, role in entry.contacts:
        actions.add_contact_point(coordinator, profile, kind=kind, value=value, email_role=role)
    for product in entry.products:
        actions.add_product(
            coordinator,
            profile,
            name=product.name,
            cpe=product.cpe,
            purl=product.purl,
            keywords=product.keywords,
        )
    return profile
