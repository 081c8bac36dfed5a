"""Demo reports for ``make run``, filed and handled through the real actions
(idempotent by title): one in each state a visitor should see on the reception
desk and in the finder portal, in both languages."""

from __future__ import annotations

from typing import Any

from kakehashi.accounts.models import Organisation, User

from . import actions
from .models import Report

CHECKS = ("complete", "consistent", "in_scope", "is_vulnerability", "not_known")

REPORTS: list[dict[str, Any]] = [
    {
        "key": "new",
        "track": "product",
        "language": "ja",
        "data": {
            "title": "さくらルータの管理画面における OS コマンドインジェクション",
            "product_name": "Sakura Router SR-200",
            "product_version": "3.1.4",
            "vendor_name": "さくらネットワーク機器株式会社",
            "description": "診断機能の ping 宛先に ; を含めると任意のコマンドが実行されます。",
            "reproduction": "1. 管理画面にログイン 2. 診断 > ping に「127.0.0.1; id」を入力",
            "impact": "管理画面にログインできる攻撃者が root 権限で任意のコマンドを実行できます。",
            "cvss_v3_vector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
            "finder_name": "山田 花子",
            "finder_email": "hanako@demo.kakehashi.invalid",
            "publish_credit": True,
            "credit_name": "Hanako Yamada",
        },
    },
    {
        "key": "needs_info",
        "track": "product",
        "language": "en",
        "data": {
            "title": "Authentication bypass in Northwind NAS firmware update endpoint",
            "product_name": "Northwind NAS",
            "vendor_name": "Northwind Appliances Inc.",
            "description": "The /api/fw endpoint accepts uploads without a session.",
            "finder_name": "Jordan Lee",
            "finder_email": "jordan@demo.kakehashi.invalid",
            "share_identity_with_vendor": True,
            "allow_direct_contact": True,
        },
        "question": "Which firmware versions did you test, and does the upload need to be signed?",
    },
    {
        "key": "forwarded",
        "track": "product",
        "language": "ja",
        "data": {
            "title": "さくらルータのバックアップ取得機能におけるパストラバーサル",
            "product_name": "Sakura Router SR-200",
            "product_version": "3.1.4",
            "vendor_name": "さくらネットワーク機器株式会社",
            "description": "backup?file=../../etc/shadow で任意のファイルを取得できます。",
            "cvss_v3_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            "finder_name": "山田 太郎",
            "finder_email": "finder@demo.kakehashi.invalid",
            "planned_talk_title": "家庭用ルータの脆弱性 10 選",
            "planned_talk_venue": "セキュリティ・キャンプ",
        },
    },
    {
        "key": "rejected",
        "track": "product",
        "language": "en",
        "data": {
            "title": "Weak password policy in a cloud service",
            "product_name": "Example Cloud Console",
            "description": "Passwords of six characters are accepted.",
            "finder_email": "anon@demo.kakehashi.invalid",
        },
        "reject": (
            "out_of_scope",
            "Password policy choices are not vulnerabilities in the sense of the guideline.",
        ),
    },
    {
        "key": "website",
        "track": "website",
        "language": "ja",
        "data": {
            "title": "通販サイトの検索画面における SQL インジェクション",
            "site_url": "https://shop.example.jp/search",
            "description": "検索語に ' を含めるとデータベースのエラーが表示されます。",
            "finder_name": "佐藤 一郎",
            "finder_email": "ichiro@demo.kakehashi.invalid",
        },
    },
]


def load_demo_reports() -> list[Report]:
    clerk = User.objects.get(username="clerk")
    finder = User.objects.get(username="finder")
    reception = Organisation.objects.get(slug="reception")
    coordination = Organisation.objects.get(slug="coordination")
    reports = []
    for spec in REPORTS:
        existing = Report.objects.filter(title=spec["data"]["title"]).first()
        if existing is not None:
            reports.append(existing)
            continue
        owner = finder if spec["key"] in ("forwarded", "needs_info") else None
        report = actions.submit_report(
            track=spec["track"],
            language=spec["language"],
            data=spec["data"],
            finder_user=owner,
            reception_org=reception,
        ).report
        _handle(report, spec, clerk, coordination)
        reports.append(report)
    return reports


def _handle(report: Report, spec: dict[str, Any], clerk: User, coordination: Organisation) -> None:
    key = spec["key"]
    if key == "new":
        return
    actions.acknowledge_report(report, actor=clerk)
    if key == "needs_info":
        actions.ask_finder(report, actor=clerk, question=spec["question"])
        return
    if key == "rejected":
        reason, note = spec["reject"]
        actions.reject_report(report, actor=clerk, reason=reason, note=note)
        return
    for check in CHECKS:
        actions.record_check(report, actor=clerk, check=check, result="pass")
    actions.accept_report(report, actor=clerk)
    if key == "forwarded":
        actions.forward_report(report, actor=clerk, coordinator_org=coordination)
    elif key == "website":
        actions.record_operator_contact(
            report,
            actor=clerk,
            channel="web",
            address="https://shop.example.jp/contact",
            outcome="sent",
        )
