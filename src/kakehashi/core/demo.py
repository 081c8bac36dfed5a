"""Demo data for ``make run``: organisations and one user per role, idempotent.

Every demo user has the same known password and a TOTP secret derived from its
user name, printed at start. Refused when ``KAKEHASHI_ENV=production``.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from kakehashi.accounts import actions
from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import Organisation, User

DEMO_PASSWORD = "Kakehashi-demo-2026"  # noqa: S105 - demo only, refused in production


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    kind: str
    name_en: str
    name_ja: str


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    organisation: str
    role: str
    language: str
    timezone: str = "Asia/Tokyo"


ORGANISATIONS = [
    DemoOrganisation(
        "reception", OrganisationKind.RECEPTION, "Kakehashi Reception Desk", "架け橋 届出受付窓口"
    ),
    DemoOrganisation(
        "coordination",
        OrganisationKind.COORDINATOR,
        "Kakehashi Coordination Center",
        "架け橋 調整センター",
    ),
    DemoOrganisation(
        "sakura-network",
        OrganisationKind.VENDOR,
        "Sakura Network Devices K.K.",
        "さくらネットワーク機器株式会社",
    ),
    DemoOrganisation("northwind", OrganisationKind.VENDOR, "Northwind Appliances Inc.", ""),
    DemoOrganisation("helix-oss", OrganisationKind.VENDOR, "Helix Open Source Foundation", ""),
    DemoOrganisation("finders", OrganisationKind.FINDER, "Independent finders", "個人の発見者"),
]

USERS = [
    DemoUser("admin", "Aoki Admin / 青木 管理者", "coordination", Role.ADMINISTRATOR, "ja"),
    DemoUser("clerk", "Ueda Clerk / 上田 受付", "reception", Role.RECEPTION_CLERK, "ja"),
    DemoUser("coordinator", "Kato Coordinator / 加藤 調整", "coordination", Role.COORDINATOR, "ja"),
    DemoUser("cna", "Sato CNA / 佐藤 CNA", "coordination", Role.CNA_OFFICER, "ja"),
    DemoUser("translator", "Tanaka Translator / 田中 翻訳", "coordination", Role.TRANSLATOR, "ja"),
    DemoUser("committee", "Mori Committee / 森 委員", "coordination", Role.COMMITTEE_MEMBER, "ja"),
    DemoUser(
        "committee2", "Hayashi Committee / 林 委員", "coordination", Role.COMMITTEE_MEMBER, "ja"
    ),
    DemoUser("psirt", "Suzuki PSIRT / 鈴木 PSIRT", "sakura-network", Role.VENDOR_PSIRT, "ja"),
    DemoUser("vendoradmin", "Ito Vendor Admin / 伊藤", "sakura-network", Role.VENDOR_ADMIN, "ja"),
    DemoUser(
        "northwind", "Alex Morgan", "northwind", Role.VENDOR_PSIRT, "en", "America/Los_Angeles"
    ),
    DemoUser("helix", "Sam Rivera", "helix-oss", Role.VENDOR_ADMIN, "en", "Europe/Berlin"),
    DemoUser("finder", "Yamada Finder / 山田 発見者", "finders", Role.FINDER, "ja"),
]


def totp_secret_for(username: str) -> str:
    """A stable base32 secret per demo user, so the printed secret never changes."""
    digest = hashlib.sha256(f"kakehashi-demo-totp:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


def load_demo() -> list[tuple[DemoUser, str]]:
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Demo data is never loaded when KAKEHASHI_ENV=production.")
    with transaction.atomic():
        result = load_demo_people()
        from kakehashi.scenarios import load_all
        from kakehashi.vendors.demo import load_demo_registry

        load_demo_registry()  # the vendors the scenarios find in the registry
        load_all()
    return result


def load_demo_people() -> list[tuple[DemoUser, str]]:
    """Only the demo organisations and personas (password + TOTP), without the demo
    cases and reports: what the scenario tests start from."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Demo data is never loaded when KAKEHASHI_ENV=production.")
    result = []
    with transaction.atomic():
        organisations: dict[str, Organisation] = {}
        for org_spec in ORGANISATIONS:
            organisation = Organisation.objects.filter(slug=org_spec.slug).first()
            if organisation is None:
                organisation = actions.create_organisation(
                    None,
                    kind=org_spec.kind,
                    slug=org_spec.slug,
                    name_en=org_spec.name_en,
                    name_ja=org_spec.name_ja,
                )
            organisations[org_spec.slug] = organisation
        for user_spec in USERS:
            secret = _ensure_user(user_spec, organisations[user_spec.organisation])
            result.append((user_spec, secret))
    return result


def _ensure_user(spec: DemoUser, organisation: Organisation) -> str:
    email = f"{spec.username}@demo.kakehashi.invalid"
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = User.objects.create_user(
            username=spec.username,
            email=email,
            password=DEMO_PASSWORD,
            display_name=spec.display_name,
            language=spec.language,
            timezone=spec.timezone,
            is_superuser=spec.role == Role.ADMINISTRATOR,
            is_staff=spec.role == Role.ADMINISTRATOR,
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    actions.add_membership(None, organisation, user, spec.role)
    secret = totp_secret_for(spec.username)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    return secret
