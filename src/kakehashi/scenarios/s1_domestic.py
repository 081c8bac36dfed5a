"""Scenario 1 — domestic, one vendor (JVN#), finished and published.

The finder reports a stored XSS in a network camera's admin console in Japanese,
allows her chosen name as credit but not her identity to the vendor; the clerk asks
for the firmware version, she answers, the report is accepted and forwarded; the
vendor acknowledges, reports 2.x affected (fixed in 2.8.1) and 3.x not affected,
asks for ten more days; the CNA officer assigns a CVE ID; the advisory goes out in
both languages with the vendor's own advisory URL. The story is moved 60 days into
the past, so day zero, the target and the publication lie where they would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kakehashi.advisories import actions as advisory_actions
from kakehashi.advisories.models import Advisory
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case, Participant
from kakehashi.cna import actions as cna_actions
from kakehashi.cna.models import CveId
from kakehashi.intake import actions as intake_actions

from ._base import Cast, accept, case_titled, reload, shift_into_past

TITLE_JA = "SakuraCam NC-100 の管理画面における格納型クロスサイトスクリプティング"
TITLE_EN = "Stored cross-site scripting in the SakuraCam NC-100 admin console"
CVE_NUMBER = 31337  # "reserved outside Kakehashi" and entered by hand in the CNA's pool
VENDOR_ADVISORY_URL = "https://sakura.example/security/sa-nc100-01"
STORY_DAYS = 60

REPORT = {
    "title": TITLE_JA,
    "product_name": "SakuraCam NC-100",
    "product_version": "2.8.0",
    "vendor_name": "さくらネットワーク機器株式会社",
    "description": (
        "管理画面のカメラ名に入力した文字列がエスケープされずに表示され、"
        "管理者が一覧を開くとスクリプトが実行されます。"
    ),
    "reproduction": "1. 管理画面にログイン 2. カメラ名に <script>alert(1)</script> を保存",
    "impact": "管理者のブラウザ上で任意のスクリプトが実行されます。",
    "cvss_v3_vector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N",
    "finder_name": "山田 花子",
    "publish_credit": True,
    "credit_name": "Hanako Yamada",
    "share_identity_with_vendor": False,
}


def load(people: Cast) -> Case:
    existing = case_titled(TITLE_EN)
    if existing is not None:
        return existing
    report = intake_actions.submit_report(
        track="product",
        language="ja",
        data=REPORT,
        finder_user=people.finder,
        reception_org=people.orgs["reception"],
    ).report
    intake_actions.acknowledge_report(report, actor=people.clerk)
    intake_actions.ask_finder(
        report, actor=people.clerk, question="確認したファームウェアのバージョンを教えてください。"
    )
    intake_actions.finder_reply(
        report, actor=people.finder, body="2.8.0 と 3.0.2 で確認しました。3.0.2 では再現しません。"
    )
    accept(report, people)
    case = intake_actions.forward_report(
        report, actor=people.clerk, coordinator_org=people.orgs["coordination"]
    )
    case_actions.update_case(reload(case), actor=people.coordinator, title_en=TITLE_EN)
    _coordinate(reload(case), people)
    shift_into_past(reload(case), timedelta(days=STORY_DAYS))
    advisory = Advisory.objects.get(case=case)
    advisory_actions.publish_if_due(advisory.pk)
    return reload(case)


def _coordinate(case: Case, people: Cast) -> None:
    coordinator = people.coordinator
    (sakura,) = case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[people.orgs["sakura-network"]]
    )
    case_actions.record_contact_attempt(
        reload(case),
        sakura,
        actor=coordinator,
        channel="email",
        address="psirt@sakura.example",
        details_included=True,
        outcome="acknowledged",
    )
    case_actions.add_product(
        reload(case), sakura, actor=coordinator, name="SakuraCam NC-100", versions="2.x, 3.x"
    )
    vulnerability = case_actions.add_vulnerability(
        reload(case),
        actor=coordinator,
        title_en="Stored cross-site scripting in the camera name",
        title_ja="カメラ名における格納型クロスサイトスクリプティング",
        description_en="The admin console shows the camera name without escaping it.",
        description_ja="管理画面がカメラ名をエスケープせずに表示します。",
        cwe_id="CWE-79",
        cvss_v3_vector=REPORT["cvss_v3_vector"],
    )
    for fields in (
        {
            "status": "fixed",
            "fixed_in": "2.8.1",
            "statement_ja": "2.x 系はファームウェア 2.8.1 で修正しました。",
            "statement_en": "The 2.x series is fixed in firmware 2.8.1.",
        },
        {
            "status": "not_affected",
            "justification": "vulnerable_code_not_present",
            "statement_ja": "3.x 系には該当するコードが含まれていません。",
            "statement_en": "The 3.x series does not contain the vulnerable code.",
        },
    ):
        given: dict[str, Any] = fields
        recorded = case_actions.record_vendor_status(
            reload(case), sakura, vulnerability, actor=people.psirt, **given
        )
        case_actions.approve_vendor_status(reload(case), recorded, actor=coordinator)
    case = reload(case)
    assert case.target_publication_at is not None
    case_actions.change_schedule(
        case,
        actor=coordinator,
        new_target=case.target_publication_at + timedelta(days=10),
        reason="countermeasure_time",
        note="製品開発者から対策版の準備のため 10 日の延長依頼があり、了承しました。",
    )
    _assign_cve(vulnerability, people)
    advisory = advisory_actions.start_advisory(reload(case), actor=coordinator)
    advisory_actions.review_draft(
        advisory,
        Participant.objects.get(pk=sakura.pk),
        actor=people.psirt,
        state="confirmed",
        read_versions=advisory_actions.draft_versions(advisory),
        vendor_advisory_url=VENDOR_ADVISORY_URL,
        vendor_published_at=reload(case).target_publication_at,
    )
    for text in advisory.texts.all():
        advisory_actions.approve_text(
            advisory, text.language, actor=coordinator, version=text.version
        )


def cve_value() -> str:
    return f"CVE-{timezone.localdate().year}-{CVE_NUMBER}"


def _assign_cve(vulnerability: object, people: Cast) -> None:
    cve = CveId.objects.filter(cve_id=cve_value()).first()
    if cve is None:
        (cve,) = cna_actions.add_ids_by_hand(people.cna, [cve_value()])
    cna_actions.assign_id(people.cna, vulnerability, cve)  # type: ignore[arg-type]
