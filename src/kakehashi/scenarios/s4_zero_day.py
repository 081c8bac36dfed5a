"""Scenario 4 — a zero-day: while the case was under embargo a proof of concept went
public and attacks were seen; the embargo ended at once, an alert (JVNTA#) went out
the same day in both languages with workarounds, and revision 2 followed the fix."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kakehashi.advisories import actions as advisory_actions
from kakehashi.advisories.models import Advisory
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case

from ._base import Cast, case_titled, new_case, reload, shift_into_past

TITLE_EN = "Authentication bypass in the Northwind NAS management console"
TITLE_JA = "Northwind NAS の管理画面における認証回避"
TEXTS = {
    "ja": {
        "title": "Northwind NAS の認証回避の脆弱性を悪用する攻撃について",
        "overview": (
            "Northwind NAS には認証回避の脆弱性が存在し、これを悪用する攻撃が観測されています。"
            "下記の回避策を直ちに適用してください。"
        ),
        "affected": "- Northwind NAS ファームウェア 4.2.0 およびそれ以前",
        "description": "管理画面の一部のリクエストが認証なしに処理されます（CWE-288）。",
        "impact": "遠隔の第三者によって、認証を経ずに設定を変更される可能性があります。",
        "solution": (
            "**回避策を適用する**\n\n- 管理画面へのアクセスを信頼できるネットワークからに限定する"
            "\n- 管理画面をインターネットに公開しない"
        ),
    },
    "en": {
        "title": "Attacks exploiting an authentication bypass in Northwind NAS",
        "overview": (
            "Northwind NAS contains an authentication bypass vulnerability that is being "
            "exploited. Apply the workarounds below at once."
        ),
        "affected": "- Northwind NAS firmware 4.2.0 and earlier",
        "description": "Some requests to the management console are processed without authentication (CWE-288).",
        "impact": "A remote attacker may change the settings without authentication.",
        "solution": (
            "**Apply the workarounds**\n\n- Allow access to the management console only from "
            "trusted networks\n- Do not expose the management console to the internet"
        ),
    },
}
FIXED_SOLUTION = {
    "ja": "**アップデートする**\n\n開発者が提供する修正版ファームウェア 4.2.1 にアップデートしてください。",
    "en": "**Update**\n\nUpdate to firmware 4.2.1, which the developer has released.",
}


def load(people: Cast) -> Case:
    existing = case_titled(TITLE_EN)
    if existing is not None:
        return existing
    coordinator = people.coordinator
    case = new_case(people, TITLE_EN, TITLE_JA)
    (northwind,) = case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[people.orgs["northwind"]]
    )
    vulnerability = case_actions.add_vulnerability(
        reload(case),
        actor=coordinator,
        title_en="Authentication bypass",
        title_ja="認証回避",
        cwe_id="CWE-288",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    case_actions.record_contact_attempt(
        reload(case),
        northwind,
        actor=coordinator,
        channel="email",
        address="security@northwind.example",
        details_included=True,
        outcome="acknowledged",
    )
    proposal = case_actions.propose_embargo(
        reload(case), actor=coordinator, ends_at=timezone.now() + timedelta(days=30)
    )
    case_actions.accept_embargo(reload(case), proposal, actor=coordinator)
    case_actions.record_case_event(
        reload(case), "X", actor=coordinator, source="Proof of concept on a public repository"
    )
    case_actions.record_case_event(
        reload(case), "A", actor=coordinator, source="Attacks reported by two NAS owners"
    )
    alert = advisory_actions.start_advisory(reload(case), actor=coordinator, kind="alert")
    _write_and_publish(alert, people, TEXTS)
    shift_into_past(reload(case), timedelta(days=12))
    recorded = case_actions.record_vendor_status(
        reload(case), northwind, vulnerability, actor=coordinator, status="fixed", fixed_in="4.2.1"
    )
    case_actions.approve_vendor_status(reload(case), recorded, actor=coordinator)
    fixed = {
        lang: {"solution": FIXED_SOLUTION[lang] + "\n\n" + TEXTS[lang]["solution"]}
        for lang in TEXTS
    }
    _write_and_publish(Advisory.objects.get(pk=alert.pk), people, fixed)
    return reload(case)


def _write_and_publish(alert: Advisory, people: Cast, texts: dict[str, dict[str, str]]) -> None:
    for language, fields in texts.items():
        text = alert.text(language)
        assert text is not None
        advisory_actions.edit_text(
            alert, language, actor=people.coordinator, expected_version=text.version, **fields
        )
    alert = Advisory.objects.get(pk=alert.pk)
    for text in alert.texts.all():
        advisory_actions.approve_text(
            alert, text.language, actor=people.coordinator, version=text.version
        )
    advisory_actions.set_publication_time(
        Advisory.objects.get(pk=alert.pk), actor=people.coordinator, at=None, now=True
    )
    advisory_actions.publish_if_due(alert.pk)
