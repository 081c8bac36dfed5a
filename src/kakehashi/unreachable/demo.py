"""Demo data: a developer nobody could reach, listed publicly and before the committee.

Made through the real actions, idempotent by title. The contact attempts are dated in
the past (as a coordinator records attempts made earlier), so the waiting periods are
proved by the records themselves. ``core.demo.load_demo`` is to call it after the
cases and reports (one line, left to the merge so the demo test counts change once).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kakehashi.accounts.models import Organisation, User
from kakehashi.cases import actions as case_actions
from kakehashi.cases.choices import ContactChannel, ContactOutcome, ParticipantRole
from kakehashi.cases.models import Case

from . import actions

TITLE_EN = "Path traversal in the Tsubame file sharing add-on"


def load_demo_unreachable() -> Case:
    existing = Case.objects.filter(title_en=TITLE_EN).first()
    if existing is not None:
        return existing
    coordinator = User.objects.get(username="coordinator")
    org = {o.slug: o for o in Organisation.objects.all()}
    case = case_actions.create_case(
        actor=coordinator,
        coordinator_org=org["coordination"],
        reception_org=org["reception"],
        origin="report",
        title_en=TITLE_EN,
        title_ja="Tsubame ファイル共有アドオンにおけるパストラバーサル",
    )
    case_actions.add_vulnerability(
        case,
        actor=coordinator,
        title_en="Path traversal in the download handler",
        title_ja="ダウンロード処理におけるパストラバーサル",
        cwe_id="CWE-22",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
    )
    (vendor,) = case_actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        name="Tsubame project",
        email="tsubame@example.invalid",
    )
    now = timezone.now()
    for days_ago, channel, address in (
        (200, ContactChannel.EMAIL, "tsubame@example.invalid"),
        (190, ContactChannel.WEB, "https://tsubame.example.invalid/contact"),
        (185, ContactChannel.POST, "1-2-3 Nishi-Shinjuku, Tokyo"),
    ):
        case.refresh_from_db()
        case_actions.record_contact_attempt(
            case,
            vendor,
            actor=coordinator,
            channel=channel,
            address=address,
            attempted_at=now - timedelta(days=days_ago),
            outcome=ContactOutcome.NO_ANSWER,
        )
    case.refresh_from_db()
    listing = actions.list_unreachable(
        case,
        vendor,
        actor=coordinator,
        kind="individual",
        developer_name_ja="Tsubame プロジェクト",
        developer_name_en="Tsubame project",
        related_information="https://tsubame.example.invalid/",
        remarks_ja="ファイル共有アドオン「Tsubame」の開発者",
        remarks_en="Developer of the Tsubame file sharing add-on",
    )
    from kakehashi.committee.actions import declare_coordination_impossible, record_draft

    committee_file = declare_coordination_impossible(
        listing,
        actor=coordinator,
        statement="No answer by e-mail, web form or post for more than six months.",
    )
    record_draft(
        committee_file,
        actor=coordinator,
        text_ja="Tsubame ファイル共有アドオンにはパストラバーサルの脆弱性が存在します。",
        text_en="The Tsubame file sharing add-on contains a path traversal vulnerability.",
    )
    return case
