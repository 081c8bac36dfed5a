"""Demo cases for ``make run``, made through the real actions (idempotent by title).

Two cases a visitor learns from: a multi-vendor case under an agreed embargo with
vendor statuses coming in, and a case whose embargo ended when the vulnerability
became public. (A third, just forwarded from a report, comes from ``intake.demo``.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kakehashi.accounts.models import Organisation, User

from . import actions
from .models import Case


def _case(title_en: str, **kwargs: Any) -> tuple[Case, bool]:
    existing = Case.objects.filter(title_en=title_en).first()
    if existing is not None:
        return existing, False
    return actions.create_case(title_en=title_en, **kwargs), True


def load_demo_cases() -> list[Case]:
    coordinator = User.objects.get(username="coordinator")
    psirt = User.objects.get(username="psirt")
    org = {o.slug: o for o in Organisation.objects.all()}
    common = {
        "actor": coordinator,
        "coordinator_org": org["coordination"],
        "reception_org": org["reception"],
        "origin": "report",
    }
    finder = User.objects.get(username="finder")

    embargoed, created = _case(
        "Stack overflow in the Helix XML parser shipped by several vendors",
        title_ja="複数の製品に同梱される Helix XML パーサにおけるスタックオーバーフロー",
        finder_user=finder,
        planned_talk_title="Parsing the unparseable",
        planned_talk_venue="CODE BLUE",
        planned_talk_date=timezone.localdate() + timedelta(days=80),
        **common,
    )
    if created:
        _multi_vendor(embargoed, coordinator, psirt, org)

    public, created = _case(
        "Hard-coded credentials in Northwind NAS web console",
        title_ja="Northwind NAS の管理画面におけるハードコードされた認証情報",
        finder_user=finder,
        **common,
    )
    if created:
        _made_public(public, coordinator, org)
    return [embargoed, public]


def _reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _multi_vendor(case: Case, coordinator: User, psirt: User, org: dict[str, Organisation]) -> None:
    vendors = actions.add_participants(
        case,
        actor=coordinator,
        role="vendor",
        organisations=[org["helix-oss"], org["sakura-network"], org["northwind"]],
    )
    vulnerability = actions.add_vulnerability(
        _reload(case),
        actor=coordinator,
        title_en="Stack-based buffer overflow in entity expansion",
        title_ja="エンティティ展開処理におけるスタックベースのバッファオーバーフロー",
        cwe_id="CWE-121",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        cvss_v4_vector="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    )
    addresses = ["security@helix.example", "psirt@sakura.example", "security@northwind.example"]
    for vendor, address in zip(vendors, addresses, strict=True):
        actions.record_contact_attempt(
            _reload(case),
            vendor,
            actor=coordinator,
            channel="email",
            address=address,
            details_included=True,
            outcome="acknowledged" if vendor.organisation_id != org["northwind"].pk else "sent",
        )
    proposal = actions.propose_embargo(
        _reload(case), actor=coordinator, ends_at=timezone.now() + timedelta(days=40)
    )
    actions.accept_embargo(_reload(case), proposal, actor=coordinator)
    actions.invite_to_embargo(_reload(case), vendors, actor=coordinator)
    helix, sakura = vendors[0], vendors[1]
    actions.answer_embargo(_reload(case), sakura, actor=psirt, answer="accept")
    actions.answer_embargo(
        _reload(case),
        helix,
        actor=coordinator,
        answer="accept",
        note="Accepted by e-mail from the Helix security team.",
    )
    actions.record_vendor_status(
        _reload(case),
        helix,
        vulnerability,
        actor=coordinator,
        status="fixed",
        fixed_in="3.2.1",
        statement_en="Fixed in Helix XML 3.2.1.",
        statement_ja="Helix XML 3.2.1 で修正しました。",
    )
    actions.record_vendor_status(
        _reload(case),
        sakura,
        vulnerability,
        actor=psirt,
        status="under_investigation",
        statement_ja="影響を調査中です。",
        statement_en="We are investigating the impact.",
    )


def _made_public(case: Case, coordinator: User, org: dict[str, Organisation]) -> None:
    (vendor,) = actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[org["northwind"]]
    )
    actions.add_vulnerability(
        _reload(case),
        actor=coordinator,
        title_en="Hard-coded administrator password",
        title_ja="ハードコードされた管理者パスワード",
        cwe_id="CWE-798",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    actions.record_contact_attempt(
        _reload(case),
        vendor,
        actor=coordinator,
        channel="email",
        address="security@northwind.example",
        details_included=True,
        outcome="acknowledged",
    )
    proposal = actions.propose_embargo(
        _reload(case), actor=coordinator, ends_at=timezone.now() + timedelta(days=30)
    )
    actions.accept_embargo(_reload(case), proposal, actor=coordinator)
    actions.record_case_event(
        _reload(case), "P", actor=coordinator, source="Posted on a public forum by a third party"
    )
