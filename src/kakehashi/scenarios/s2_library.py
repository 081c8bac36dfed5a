"""Scenario 2 — a library shipped by many vendors (JVNVU#), mid-way.

The embargo was proposed, accepted and revised once when a large vendor needed more
time; thirty vendors take part with statuses of every kind (one disputes, several stay
unknown); two never answered the invitation (pocket veto) and get no details; the
coordinator's message to every vendor is translated into English and reviewed; the
draft advisory is in review."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kakehashi.accounts import actions as account_actions
from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation
from kakehashi.advisories import actions as advisory_actions
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case, Participant, Vulnerability
from kakehashi.translation import actions as translation_actions

from ._base import Cast, case_titled, new_case, reload, shift_into_past

TITLE_EN = "Stack overflow in the Helix XML parser shipped by several vendors"
TITLE_JA = "複数の製品に同梱される Helix XML パーサにおけるスタックオーバーフロー"
DOWNSTREAM = 27  # with Helix, Sakura and Northwind: thirty vendors
POCKET_VETOES = 2
# (status, how many) for the downstream vendors that answered, in order.
STATUS_MIX = [("fixed", 6), ("affected", 4), ("not_affected", 5), ("under_investigation", 4)]
DISPUTE_REASON = "Our build disables entity expansion; we do not consider it a vulnerability."
MESSAGE_JA = (
    "各製品開発者の皆様へ。本脆弱性の公表日は調整中です。"
    "回避策がある場合は、このスレッドでお知らせください。"
)
MESSAGE_EN = [
    "To every vendor.",
    "The publication date of this vulnerability is being coordinated.",
    "If you know a workaround, please tell us in this thread.",
]


def load(people: Cast) -> Case:
    existing = case_titled(TITLE_EN)
    if existing is not None:
        return existing
    case = new_case(people, TITLE_EN, TITLE_JA)
    coordinator = people.coordinator
    named = [people.orgs["helix-oss"], people.orgs["sakura-network"], people.orgs["northwind"]]
    vendors = case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=named + _downstream()
    )
    vulnerability = case_actions.add_vulnerability(
        reload(case),
        actor=coordinator,
        title_en="Stack-based buffer overflow in entity expansion",
        title_ja="エンティティ展開処理におけるスタックベースのバッファオーバーフロー",
        cwe_id="CWE-121",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    for vendor in vendors:
        case_actions.record_contact_attempt(
            reload(case),
            vendor,
            actor=coordinator,
            channel="email",
            address=f"security@{vendor.organisation.slug}.example",  # type: ignore[union-attr]
            details_included=vendor in vendors[:3],
            outcome="acknowledged",
        )
    _embargo(case, vendors, people)
    _statuses(case, vendors, vulnerability, people)
    _translated_message(case, people)
    shift_into_past(reload(case), timedelta(days=20))
    advisory_actions.start_advisory(reload(case), actor=coordinator)  # the draft in review
    return reload(case)


def _downstream() -> list[Organisation]:
    found = []
    for number in range(1, DOWNSTREAM + 1):
        slug = f"downstream-{number:02d}"
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            organisation = account_actions.create_organisation(
                None,
                kind=OrganisationKind.VENDOR,
                slug=slug,
                name_en=f"Downstream Appliance Maker {number:02d}",
                name_ja=f"組込み機器メーカー {number:02d}",
            )
        found.append(organisation)
    return found


def _embargo(case: Case, vendors: list[Participant], people: Cast) -> None:
    coordinator = people.coordinator
    first = case_actions.propose_embargo(
        reload(case), actor=coordinator, ends_at=timezone.now() + timedelta(days=40)
    )
    case_actions.accept_embargo(reload(case), first, actor=coordinator)
    vetoing = vendors[-POCKET_VETOES:]
    case_actions.invite_to_embargo(reload(case), vendors, actor=coordinator)
    for vendor in vendors[:-POCKET_VETOES]:
        actor = (
            people.psirt if vendor.organisation == people.orgs["sakura-network"] else coordinator
        )
        case_actions.answer_embargo(
            reload(case), vendor, actor=actor, answer="accept", note="Accepted by e-mail."
        )
    # The two who never answered: their deadline passes, the invitation lapses (pocket veto).
    Participant.objects.filter(pk__in=[v.pk for v in vetoing]).update(
        pec_deadline=timezone.now() - timedelta(minutes=1)
    )
    case_actions.time_out_invitations()
    revised = case_actions.propose_embargo(
        reload(case),
        actor=coordinator,
        ends_at=timezone.now() + timedelta(days=55),
        note="A large appliance maker needs two more weeks to ship its fix.",
    )
    case_actions.accept_embargo(reload(case), revised, actor=coordinator)
    for vendor in vendors[:-POCKET_VETOES]:
        current = Participant.objects.get(pk=vendor.pk)
        if current.pec_state == "lapsed":
            actor = (
                people.psirt
                if vendor.organisation == people.orgs["sakura-network"]
                else coordinator
            )
            case_actions.answer_embargo(
                reload(case), current, actor=actor, answer="accept", note="Accepted by e-mail."
            )


def _statuses(
    case: Case, vendors: list[Participant], vulnerability: Vulnerability, people: Cast
) -> None:
    helix, sakura, northwind = vendors[:3]
    plan = [
        (helix, people.coordinator, "fixed", {"fixed_in": "3.2.1"}),
        (sakura, people.psirt, "under_investigation", {}),
        (northwind, people.coordinator, "disputed", {"reason": DISPUTE_REASON}),
    ]
    answering = iter(vendors[3:-POCKET_VETOES])
    for status, count in STATUS_MIX:
        for _ in range(count):
            extra = {"fixed_in": "1.0.1"} if status == "fixed" else {}
            if status == "not_affected":
                extra = {"justification": "component_not_present"}
            plan.append((next(answering), people.coordinator, status, extra))
    # The rest of the answering vendors stay ``unknown``: nothing recorded.
    for vendor, actor, status, given in plan:
        fields: dict[str, Any] = given
        recorded = case_actions.record_vendor_status(
            reload(case), vendor, vulnerability, actor=actor, status=status, **fields
        )
        case_actions.approve_vendor_status(reload(case), recorded, actor=people.coordinator)


def _translated_message(case: Case, people: Cast) -> None:
    from kakehashi.messaging import actions as messaging_actions
    from kakehashi.messaging.access import access_thread

    _viewer, ref = access_thread(people.coordinator, case.pk, "general")
    message = messaging_actions.post_message(ref, actor=people.coordinator, body=MESSAGE_JA)
    translator = people.translator
    task = translation_actions.request_translation(
        people.coordinator,
        reload(case),
        kind="message",
        source_id=message.pk,
        target_language="en",
        assignee=translator,
    )
    task = translation_actions.start_task(task, translator)
    task = translation_actions.save_translation(task, translator, MESSAGE_EN, version=task.version)
    task = translation_actions.submit_task(task, translator, version=task.version)
    translation_actions.review_task(
        task, people.coordinator, note="Checked against the glossary.", version=task.version
    )
