"""A constructed history with known answers: rows written with the instants they would
have had (the clock moved for the test), so every figure can be checked exactly."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from typing import Any

from kakehashi.advisories.models import Advisory
from kakehashi.cases.models import Case, Participant
from kakehashi.core.dates import JST
from kakehashi.core.testing import World
from kakehashi.intake.models import Report
from kakehashi.unreachable.models import UnreachableListing

_numbers = count(1)


def jst(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


def report(world: World, track: str, submitted: datetime, **fields: Any) -> Report:
    number = next(_numbers)
    defaults: dict[str, Any] = {
        "finder_name": "発見者",
        "finder_email": f"finder{number}@example.jp",
        "title": f"report {number}",
        "language": "ja",
    }
    if fields.pop("anonymous", False):
        defaults.update(finder_name="", finder_email="")
    return Report.objects.create(
        tracking_id=f"KHR#{number:08d}",
        track=track,
        reception_org=world.organisations["reception"],
        submitted_at=submitted,
        **{**defaults, **fields},
    )


def case(world: World, created: datetime, **fields: Any) -> Case:
    number = next(_numbers)
    return Case.objects.create(
        reference=f"KH-TEST-{number}",
        title_en=f"case {number}",
        coordinator_org=world.organisations["coordination"],
        created_at=created,
        **fields,
    )


def advisory(
    world: World, kind: str, published: datetime | None, case: Case | None = None
) -> Advisory:
    number = next(_numbers)
    return Advisory.objects.create(
        case=case,
        coordinator_org=world.organisations["coordination"],
        advisory_id=f"JVN#{number:08d}",
        slug=f"JVN{number:08d}",
        kind=kind,
        state="published" if published else "scheduled",
        published_at=published,
    )


def listing(
    world: World, owner: Case, vendor: str, listed: datetime, **fields: Any
) -> UnreachableListing:
    number = next(_numbers)
    participant = Participant.objects.create(
        case=owner, role="vendor", organisation=world.organisations[vendor]
    )
    return UnreachableListing.objects.create(
        case=owner,
        participant=participant,
        number=number,
        kind="organisation",
        developer_name_ja=f"開発者 {number}",
        silent_since=listed,
        listed_at=listed,
        **fields,
    )


def build_history(world: World) -> None:
    """2025 Q4 and 2026 Q1, with the expected figures in test_figures.EXPECTED."""
    # --- Reports -----------------------------------------------------------------------
    # 2025 Q4: two product reports (one anonymous), one website, one vendor self-report.
    accepted_q4 = report(
        world,
        "product",
        jst(2025, 10, 6),
        accepted_at=jst(2025, 10, 8),
        decided_at=jst(2025, 10, 8),
        state="forwarded",
    )
    report(
        world,
        "product",
        jst(2025, 11, 3),
        anonymous=True,
        state="rejected",
        decided_at=jst(2025, 11, 5),
        rejection_reason="out_of_scope",
    )
    site = report(
        world,
        "website",
        jst(2025, 12, 1),
        site_url="https://www.pref.example.lg.jp/events/",
        state="accepted",
        accepted_at=jst(2025, 12, 2),
        decided_at=jst(2025, 12, 2),
        operator_type="local_government",
        operator_notified_at=jst(2025, 12, 3),
        fixed_at=jst(2026, 1, 7),  # five weeks later, in 2026 Q1
        fix_method="application_fixed",
        site_state="fixed",
    )
    self_report = report(
        world,
        "self_report",
        jst(2025, 12, 31, 23, 30),  # still Q4 in Japan (14:30 UTC)
        accepted_at=jst(2026, 1, 5),
        decided_at=jst(2026, 1, 5),
        state="forwarded",
    )
    # 2026 Q1: one product report just after midnight JST on 1 January (still 2025 in UTC).
    report(world, "product", jst(2026, 1, 1, 0, 10), anonymous=True)
    slow_site = report(
        world,
        "website",
        jst(2026, 1, 10),
        state="accepted",
        accepted_at=jst(2026, 1, 12),
        decided_at=jst(2026, 1, 12),
        operator_type="company",
        operator_notified_at=jst(2026, 1, 13),
        fixed_at=jst(2026, 3, 31, 23, 0),  # 77 days, still within 90, still Q1
        fix_method="page_removed",
        site_state="fixed",
    )
    assert site.pk and slow_site.pk
    # --- Cases and advisories ----------------------------------------------------------
    published = case(world, jst(2025, 10, 9), published_at=jst(2025, 11, 20), phase="updating")
    accepted_q4.case = published
    accepted_q4.save(update_fields=["case"])
    advisory(world, "partnership", jst(2025, 11, 20), published)  # 43 days after 受理
    own = case(
        world,
        jst(2026, 1, 6),
        origin="self_report",
        published_at=jst(2026, 3, 2),
        phase="published",
    )
    self_report.case = own
    self_report.save(update_fields=["case"])
    advisory(world, "partnership", jst(2026, 3, 2), own)  # 56 days after 受理
    advisory(world, "alert", jst(2026, 2, 14))  # an alert without a report
    # Closed without publication in Q1; and one still embargoed (scheduled, not public).
    case(
        world,
        jst(2025, 11, 1),
        closed_at=jst(2026, 2, 1),
        closure_reason="not_vulnerability",
        phase="closed",
    )
    embargoed = case(world, jst(2026, 2, 10), phase="schedule_agreed")
    advisory(world, "international", None, embargoed)
    # --- Unreachable developers (both vendors of one silent case) -----------------------
    silent = case(world, jst(2025, 10, 20), phase="contacting")
    listing(
        world,
        silent,
        "vendor-a",
        jst(2025, 11, 10),
        product_listed_at=jst(2026, 2, 10),
        product_name="Tool",
    )
    listing(
        world,
        silent,
        "vendor-b",
        jst(2026, 1, 20),
        removed_at=jst(2026, 3, 1),
        removal_reason="contact_resumed",
    )
