"""Scenario 7 — a vendor's self-report: Sakura found and fixed a flaw in its own
product and asked for an advisory at a time it chose; the embargo is that time, the
approved advisory is scheduled for it. No finder; the statistics count it apart."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from kakehashi.advisories import actions as advisory_actions
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case, Participant

from ._base import Cast, case_titled, new_case, reload

TITLE_EN = "Cross-site request forgery in the Sakura switch management console"
TITLE_JA = "Sakura スイッチの管理画面におけるクロスサイトリクエストフォージェリ"
VENDOR_ADVISORY_URL = "https://sakura.example/security/sa-sw48-02"


def wanted_time() -> datetime:
    """11:00 JST a week from now, the time the vendor asked for."""
    day = timezone.localdate() + timedelta(days=7)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 11, 0))


def load(people: Cast) -> Case:
    existing = case_titled(TITLE_EN)
    if existing is not None:
        return existing
    coordinator, psirt = people.coordinator, people.psirt
    case = new_case(people, TITLE_EN, TITLE_JA, origin="self_report")
    (sakura,) = case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[people.orgs["sakura-network"]]
    )
    case_actions.add_product(
        reload(case), sakura, actor=coordinator, name="Sakura SW-48", versions="1.8 series"
    )
    vulnerability = case_actions.add_vulnerability(
        reload(case),
        actor=coordinator,
        title_en="Cross-site request forgery in the management console",
        title_ja="管理画面におけるクロスサイトリクエストフォージェリ",
        description_en="The console accepts changes without a CSRF token.",
        description_ja="管理画面が CSRF トークンなしで設定変更を受け付けます。",
        cwe_id="CWE-352",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N",
    )
    recorded = case_actions.record_vendor_status(
        reload(case),
        sakura,
        vulnerability,
        actor=psirt,
        status="fixed",
        fixed_in="1.8.7",
        statement_ja="ファームウェア 1.8.7 で修正しました。",
        statement_en="Fixed in firmware 1.8.7.",
    )
    case_actions.approve_vendor_status(reload(case), recorded, actor=coordinator)
    proposal = case_actions.propose_embargo(reload(case), actor=coordinator, ends_at=wanted_time())
    case_actions.accept_embargo(reload(case), proposal, actor=coordinator)
    case_actions.invite_to_embargo(reload(case), [sakura], actor=coordinator)
    case_actions.answer_embargo(reload(case), sakura, actor=psirt, answer="accept")
    advisory = advisory_actions.start_advisory(reload(case), actor=coordinator)
    advisory_actions.review_draft(
        advisory,
        Participant.objects.get(pk=sakura.pk),
        actor=psirt,
        state="confirmed",
        read_versions=advisory_actions.draft_versions(advisory),
        vendor_advisory_url=VENDOR_ADVISORY_URL,
        vendor_published_at=wanted_time(),
    )
    for text in advisory.texts.all():
        advisory_actions.approve_text(
            advisory, text.language, actor=coordinator, version=text.version
        )
    return reload(case)
