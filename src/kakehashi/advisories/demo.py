"""Demo advisories for ``make run``, made through the real actions (idempotent by the
cases' titles): a published advisory with two vendors — one with a fix, one not
affected — and a CVE ID from the CNA's pool, so every public output has something to
show; and a case under embargo whose approved draft is scheduled for the embargo's
end, with one vendor's confirmation and advisory URL recorded; and a published alert
(JVNTA#) without a case, in both languages, with workarounds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kakehashi.accounts.models import Organisation, User
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case, Participant, Vulnerability
from kakehashi.cna import actions as cna_actions
from kakehashi.cna.models import CveId

from . import actions
from .models import Advisory

PUBLISHED_TITLE = "Path traversal in the Sakura router's firmware update page"
SCHEDULED_TITLE = "Cross-site request forgery in the Sakura switch management console"
ALERT_TITLE = "Attacks exploiting an authentication bypass in the Momiji VPN gateway"
# A CVE ID "reserved outside Kakehashi" and entered by hand in the CNA's pool.
DEMO_CVE_NUMBER = 31337


def _reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _new_case(
    title_en: str, title_ja: str, coordinator: User, org: dict[str, Organisation]
) -> Case | None:
    if Case.objects.filter(title_en=title_en).exists():
        return None
    return case_actions.create_case(
        actor=coordinator,
        coordinator_org=org["coordination"],
        reception_org=org["reception"],
        origin="report",
        title_en=title_en,
        title_ja=title_ja,
        finder_user=User.objects.get(username="finder"),
    )


def _status(
    case: Case, vendor: Participant, vulnerability: Vulnerability, coordinator: User, **fields: Any
) -> None:
    recorded = case_actions.record_vendor_status(
        _reload(case), vendor, vulnerability, actor=coordinator, **fields
    )
    case_actions.approve_vendor_status(_reload(case), recorded, actor=coordinator)


def _contacted(case: Case, vendor: Participant, coordinator: User, address: str) -> None:
    case_actions.record_contact_attempt(
        _reload(case),
        vendor,
        actor=coordinator,
        channel="email",
        address=address,
        details_included=True,
        outcome="acknowledged",
    )


def _approve_both(advisory: Advisory, coordinator: User) -> None:
    for text in advisory.texts.all():
        actions.approve_text(advisory, text.language, actor=coordinator, version=text.version)


def load_demo_advisories() -> list[Advisory]:
    coordinator = User.objects.get(username="coordinator")
    org = {o.slug: o for o in Organisation.objects.all()}
    _published(coordinator, org)
    _scheduled(coordinator, org)
    _alert(coordinator, org)
    return list(
        Advisory.objects.filter(case__title_en__in=[PUBLISHED_TITLE, SCHEDULED_TITLE])
    ) + list(Advisory.objects.filter(case=None, texts__title=ALERT_TITLE))


ALERT_TEXTS = {
    "ja": {
        "title": "Momiji VPN ゲートウェイの認証回避の脆弱性を悪用する攻撃について",
        "overview": (
            "Momiji Networks 株式会社が提供する Momiji VPN ゲートウェイには、認証回避の脆弱性が"
            "存在します。この脆弱性を悪用する攻撃が観測されています。開発者による修正版の提供前"
            "ですが、下記の回避策を直ちに適用することを推奨します。"
        ),
        "affected": "- Momiji VPN ゲートウェイ 5.1.2 およびそれ以前のバージョン",
        "description": (
            "Momiji VPN ゲートウェイの管理用 Web インタフェースには、特定のリクエストに対して"
            "認証を行わない問題（CWE-288）があります。"
        ),
        "impact": (
            "遠隔の第三者によって、認証を経ずに管理機能を操作され、設定の改ざんや任意のコマンドの"
            "実行が行われる可能性があります。"
        ),
        "solution": (
            "**回避策を適用する**\n\n開発者が修正版を提供するまで、次の回避策を適用してください。"
            "\n\n- 管理用 Web インタフェースへのアクセスを、信頼できるネットワークからに限定する"
            "\n- 管理用 Web インタフェースをインターネットに公開しない"
            "\n- 機器のログを確認し、不審なアクセスの有無を調査する"
            "\n\n**アップデートする**\n\n修正版が提供され次第、最新版へアップデートしてください。"
        ),
        "references": "",
        "notes": "",
    },
    "en": {
        "title": ALERT_TITLE,
        "overview": (
            "The Momiji VPN gateway provided by Momiji Networks, Inc. contains an "
            "authentication bypass vulnerability. Attacks exploiting it have been observed. "
            "No fix is available yet: apply the workarounds below at once."
        ),
        "affected": "- Momiji VPN gateway 5.1.2 and earlier",
        "description": (
            "The management web interface of the Momiji VPN gateway does not authenticate "
            "certain requests (CWE-288)."
        ),
        "impact": (
            "A remote attacker may operate the management functions without authentication, "
            "alter the settings or execute arbitrary commands."
        ),
        "solution": (
            "**Apply the workarounds**\n\nUntil the developer releases a fix, apply the "
            "following workarounds:\n\n- Allow access to the management web interface only "
            "from trusted networks\n- Do not expose the management web interface to the "
            "internet\n- Check the device's logs for suspicious access"
            "\n\n**Update**\n\nUpdate to the fixed version as soon as it is released."
        ),
        "references": "",
        "notes": "",
    },
}


def _alert(coordinator: User, org: dict[str, Organisation]) -> None:
    """A published alert without a case: a zero-day under attack, workarounds only."""
    if Advisory.objects.filter(case=None, texts__title=ALERT_TITLE).exists():
        return
    alert = actions.create_alert(actor=coordinator, coordinator_org=org["coordination"])
    for language, fields in ALERT_TEXTS.items():
        text = alert.text(language)
        assert text is not None
        actions.edit_text(
            alert, language, actor=coordinator, expected_version=text.version, **fields
        )
    year = timezone.localdate().year
    actions.set_alert_facts(
        alert,
        actor=coordinator,
        cve_ids=f"CVE-{year}-31338",
        cwe_id="CWE-288",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    actions.add_alert_product(
        alert,
        actor=coordinator,
        vendor_ja="Momiji Networks 株式会社",
        vendor_en="Momiji Networks, Inc.",
        name="Momiji VPN gateway",
        versions="5.1.2 and earlier",
        cpe="cpe:2.3:o:momiji:vpn_gateway_firmware:*:*:*:*:*:*:*:*",
    )
    actions.set_critical(alert, actor=coordinator, critical=True)
    _approve_both(Advisory.objects.get(pk=alert.pk), coordinator)
    actions.publish_if_due(alert.pk)


def _published(coordinator: User, org: dict[str, Organisation]) -> None:
    case = _new_case(
        PUBLISHED_TITLE,
        "Sakura ルータのファームウェア更新画面におけるパストラバーサル",
        coordinator,
        org,
    )
    if case is None:
        return
    sakura, helix = case_actions.add_participants(
        case,
        actor=coordinator,
        role="vendor",
        organisations=[org["sakura-network"], org["helix-oss"]],
    )
    # No contact attempt is recorded here: it would set the case's target date
    # (day zero + 45 days) and the advisory would wait for it instead of going out now.
    case_actions.add_product(
        _reload(case), sakura, actor=coordinator, name="Sakura SR-200", versions="2.4.0 and earlier"
    )
    vulnerability = case_actions.add_vulnerability(
        _reload(case),
        actor=coordinator,
        title_en="Path traversal in the firmware update page",
        title_ja="ファームウェア更新画面におけるパストラバーサル",
        description_en="A logged-in user can read any file through the update page.",
        description_ja="ログインしたユーザが、更新画面を通じて任意のファイルを読み取れます。",
        cwe_id="CWE-22",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
    )
    _status(
        case,
        sakura,
        vulnerability,
        coordinator,
        status="fixed",
        fixed_in="2.4.1",
        statement_ja="ファームウェア 2.4.1 で修正しました。",
        statement_en="Fixed in firmware 2.4.1.",
    )
    _status(
        case,
        helix,
        vulnerability,
        coordinator,
        status="not_affected",
        justification="component_not_present",
        statement_ja="当該コンポーネントを含む製品はありません。",
        statement_en="None of our products include the component.",
    )
    officer = User.objects.get(username="cna")
    cve_value = f"CVE-{timezone.localdate().year}-{DEMO_CVE_NUMBER}"
    cve = CveId.objects.filter(cve_id=cve_value).first()
    if cve is None:
        (cve,) = cna_actions.add_ids_by_hand(officer, [cve_value])
    cna_actions.assign_id(officer, vulnerability, cve)
    advisory = actions.start_advisory(_reload(case), actor=coordinator)
    _approve_both(advisory, coordinator)
    actions.publish_if_due(advisory.pk)


def _scheduled(coordinator: User, org: dict[str, Organisation]) -> None:
    case = _new_case(
        SCHEDULED_TITLE,
        "Sakura スイッチの管理画面におけるクロスサイトリクエストフォージェリ",
        coordinator,
        org,
    )
    if case is None:
        return
    (sakura,) = case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[org["sakura-network"]]
    )
    _contacted(case, sakura, coordinator, "psirt@sakura.example")
    case_actions.add_product(
        _reload(case), sakura, actor=coordinator, name="Sakura SW-48", versions="1.8 series"
    )
    vulnerability = case_actions.add_vulnerability(
        _reload(case),
        actor=coordinator,
        title_en="Cross-site request forgery in the management console",
        title_ja="管理画面におけるクロスサイトリクエストフォージェリ",
        description_en="The console accepts changes without a CSRF token.",
        description_ja="管理画面が CSRF トークンなしで設定変更を受け付けます。",
        cwe_id="CWE-352",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N",
    )
    _status(
        case,
        sakura,
        vulnerability,
        coordinator,
        status="fixed",
        fixed_in="1.8.7",
        statement_ja="ファームウェア 1.8.7 で修正します。",
        statement_en="Fixed in firmware 1.8.7.",
    )
    proposal = case_actions.propose_embargo(
        _reload(case), actor=coordinator, ends_at=timezone.now() + timedelta(days=21)
    )
    case_actions.accept_embargo(_reload(case), proposal, actor=coordinator)
    psirt = User.objects.get(username="psirt")
    case_actions.invite_to_embargo(_reload(case), [sakura], actor=coordinator)
    case_actions.answer_embargo(_reload(case), sakura, actor=psirt, answer="accept")
    advisory = actions.start_advisory(_reload(case), actor=coordinator)
    actions.review_draft(
        advisory,
        Participant.objects.get(pk=sakura.pk),
        actor=psirt,
        state="confirmed",
        read_versions=actions.draft_versions(advisory),
        vendor_advisory_url="https://sakura.example/security/sa-2026-07",
        vendor_published_at=timezone.now() + timedelta(days=21),
    )
    _approve_both(advisory, coordinator)
