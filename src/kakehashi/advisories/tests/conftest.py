"""A coordinated case with two vendors, statuses and a scored vulnerability; the
coordinator opens its advisory."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kakehashi.advisories import actions
from kakehashi.cases import actions as case_actions
from kakehashi.cases.choices import ParticipantRole
from kakehashi.cases.models import Case

MARKER_JA = "埋め込み標識ゼブラ"  # distinctive strings for the leak crawl
MARKER_EN = "zebra-embargo-marker"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(world):
    return world.user("coordinator")


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def case(world, coordinator) -> Case:
    case = case_actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        reception_org=world.organisations["reception"],
        title_en=f"Stored XSS in Example CMS {MARKER_EN}",
        title_ja=f"Example CMS における格納型クロスサイトスクリプティング {MARKER_JA}",
    )
    vendor_a, vendor_b = case_actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        organisations=[world.organisations["vendor-a"], world.organisations["vendor-b"]],
    )
    case_actions.add_product(
        reload(case), vendor_a, actor=coordinator, name="Example CMS", versions="3.2.0 and earlier"
    )
    vulnerability = case_actions.add_vulnerability(
        reload(case),
        actor=coordinator,
        title_en="Stored XSS in the comment form",
        title_ja="コメント欄における格納型クロスサイトスクリプティング",
        description_en="The comment form does not escape its input.",
        description_ja="コメント欄の入力がエスケープされません。",
        cwe_id="CWE-79",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    )
    for vendor, status in ((vendor_a, "fixed"), (vendor_b, "not_affected")):
        recorded = case_actions.record_vendor_status(
            reload(case),
            vendor,
            vulnerability,
            actor=coordinator,
            status=status,
            fixed_in="3.2.1" if status == "fixed" else "",
            justification="component_not_present" if status == "not_affected" else "",
            statement_en=f"Statement of {vendor}",
            statement_ja=f"{vendor} の声明",
        )
        case_actions.approve_vendor_status(reload(case), recorded, actor=coordinator)
    return reload(case)


@pytest.fixture
def advisory(case, coordinator):
    return actions.start_advisory(case, actor=coordinator)


def approve_both(advisory, coordinator):
    for text in advisory.texts.all():
        actions.approve_text(advisory, text.language, actor=coordinator, version=text.version)
    advisory.refresh_from_db()
    return advisory


def later(hours: float = 1):
    return timezone.now() + timedelta(hours=hours)
