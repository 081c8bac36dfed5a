"""A silent vendor on a frozen clock, shared by the listing's and the committee's tests.

``at(instant)`` freezes ``django.utils.timezone.now``; every step of the scenario runs
at the instant the guideline's timeline puts it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

from kakehashi.cases import actions as case_actions
from kakehashi.cases.choices import ContactChannel, ContactOutcome, ParticipantRole

T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # the first (unanswered) notice


def day(n: int, hours: int = 0) -> datetime:
    return T0 + timedelta(days=n, hours=hours)


@contextmanager
def at(instant: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield


def silent_case(world: Any) -> tuple[Any, Any]:
    """A case whose vendor A was notified by e-mail on day 0 and never answered."""
    coordinator = world.user("coordinator")
    with at(T0 - timedelta(days=1)):
        case = case_actions.create_case(
            actor=coordinator,
            coordinator_org=world.organisations["coordination"],
            reception_org=world.organisations["reception"],
            origin="report",
            title_en="Stored XSS in Example CMS",
            title_ja="Example CMS における格納型クロスサイトスクリプティング",
        )
        case_actions.add_participants(
            case,
            actor=coordinator,
            role=ParticipantRole.VENDOR,
            organisations=[world.organisations["vendor-a"]],
        )
        case_actions.add_vulnerability(
            case, actor=coordinator, title_en="Stored XSS in the comment form", cwe_id="CWE-79"
        )
    vendor = case.participants.get(organisation=world.organisations["vendor-a"])
    contact(case, vendor, T0, ContactChannel.EMAIL, actor=coordinator)
    return case, vendor


def contact(
    case: Any,
    vendor: Any,
    when: datetime,
    channel: str,
    *,
    actor: Any,
    address: str = "contact@vendor-a.example",
    outcome: str = ContactOutcome.NO_ANSWER,
) -> Any:
    case.refresh_from_db()
    with at(when):
        return case_actions.record_contact_attempt(
            case,
            vendor,
            actor=actor,
            channel=channel,
            address=address,
            attempted_at=when,
            outcome=outcome,
        )


def listed(world: Any, case: Any, vendor: Any, when: datetime | None = None) -> Any:
    from kakehashi.unreachable import actions

    case.refresh_from_db()
    with at(when or day(30)):
        return actions.list_unreachable(
            case,
            vendor,
            actor=world.user("coordinator"),
            kind="organisation",
            developer_name_ja="株式会社ベンダーA",
            developer_name_en="Vendor A Ltd.",
            related_information="https://vendor-a.example/",
            remarks_ja="",
            remarks_en="",
        )
