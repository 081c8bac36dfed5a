"""Scenario 6 — a conference talk drives the date: the finder presents in 40 days,
the default target (day zero + 45) falls after it, and the case page warns the
coordinator, who is negotiating with the vendor."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case

from ._base import Cast, case_titled, new_case, reload

TITLE_EN = "OS command injection in the SakuraRouter SR-500 diagnostics page"
TITLE_JA = "SakuraRouter SR-500 の診断画面における OS コマンドインジェクション"


def load(people: Cast) -> Case:
    existing = case_titled(TITLE_EN)
    if existing is not None:
        return existing
    coordinator = people.coordinator
    case = new_case(
        people,
        TITLE_EN,
        TITLE_JA,
        finder_user=people.finder,
        planned_talk_title="ルータ診断機能の落とし穴",
        planned_talk_venue="CODE BLUE",
        planned_talk_date=timezone.localdate() + timedelta(days=40),
    )
    (sakura,) = case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[people.orgs["sakura-network"]]
    )
    case_actions.add_vulnerability(
        reload(case),
        actor=coordinator,
        title_en="OS command injection in the ping tool",
        title_ja="ping 機能における OS コマンドインジェクション",
        cwe_id="CWE-78",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
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
    return reload(case)
