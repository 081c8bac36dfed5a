"""Scenario 3 — an unreachable developer: every channel tried months ago, listed as
DID# with the product's name, and before the publication committee, where two members
have judged the criteria so far."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case
from kakehashi.committee import actions as committee_actions
from kakehashi.unreachable import actions as unreachable_actions

from ._base import Cast, case_titled, new_case, reload

TITLE_EN = "Path traversal in the Tsubame file sharing utility"
TITLE_JA = "Tsubame ファイル共有ユーティリティにおけるパストラバーサル"
ATTEMPTS = (
    (200, "email", "tsubame@example.invalid"),
    (190, "web", "https://tsubame.example.invalid/contact"),
    (185, "post", "1-2-3 Nishi-Shinjuku, Tokyo"),
)


def load(people: Cast) -> Case:
    existing = case_titled(TITLE_EN)
    if existing is not None:
        return existing
    coordinator = people.coordinator
    case = new_case(people, TITLE_EN, TITLE_JA)
    case_actions.add_vulnerability(
        case,
        actor=coordinator,
        title_en="Path traversal in the download handler",
        title_ja="ダウンロード処理におけるパストラバーサル",
        cwe_id="CWE-22",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
    )
    (vendor,) = case_actions.add_participants(
        reload(case),
        actor=coordinator,
        role="vendor",
        name="Tsubame project",
        email="tsubame@example.invalid",
    )
    for days_ago, channel, address in ATTEMPTS:
        case_actions.record_contact_attempt(
            reload(case),
            vendor,
            actor=coordinator,
            channel=channel,
            address=address,
            attempted_at=timezone.now() - timedelta(days=days_ago),
            outcome="no_answer",
        )
    listing = unreachable_actions.list_unreachable(
        reload(case),
        vendor,
        actor=coordinator,
        kind="individual",
        developer_name_ja="Tsubame プロジェクト",
        developer_name_en="Tsubame project",
        related_information="https://tsubame.example.invalid/",
        remarks_ja="ファイル共有ユーティリティ「Tsubame」の開発者",
        remarks_en="Developer of the Tsubame file sharing utility",
    )
    committee_file = committee_actions.declare_coordination_impossible(
        listing,
        actor=coordinator,
        statement="No answer by e-mail, web form or post for more than six months.",
    )
    committee_actions.record_draft(
        committee_file,
        actor=coordinator,
        text_ja="Tsubame ファイル共有ユーティリティにはパストラバーサルの脆弱性が存在します。",
        text_en="The Tsubame file sharing utility contains a path traversal vulnerability.",
    )
    for member, criterion, reasoning in (
        (
            people.committee,
            "a",
            "E-mail, web form and post were tried; none answered in six months.",
        ),
        (people.committee, "b", "The finder's proof of concept reproduces on the latest release."),
        (
            people.committee2,
            "c",
            "The utility has no update channel; users cannot learn of it otherwise.",
        ),
    ):
        committee_actions.assess_criterion(
            committee_file, actor=member, criterion=criterion, met=True, reasoning=reasoning
        )
    return reload(case)
