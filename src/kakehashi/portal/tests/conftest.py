"""A case in coordination with vendor A and vendor B, as the portal tests use it."""

from __future__ import annotations

import pytest
from django.utils import translation

from kakehashi.cases import actions
from kakehashi.cases.choices import ParticipantRole


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English; Japanese has its own tests."""
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(world):
    return world.user("coordinator")


@pytest.fixture
def case(world, coordinator):
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_en="Stored XSS in Example CMS",
        title_ja="Example CMS における格納型クロスサイトスクリプティング",
        summary="Desk-only: the finder is nervous about the vendor.",
        finder_name="Alice Finder",
        finder_email="alice@finder.example",
    )
    actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        organisations=[world.organisations["vendor-a"], world.organisations["vendor-b"]],
    )
    return case


@pytest.fixture
def vendor_a(case, world):
    return case.participants.get(organisation=world.organisations["vendor-a"])


@pytest.fixture
def vendor_b(case, world):
    return case.participants.get(organisation=world.organisations["vendor-b"])


@pytest.fixture
def vulnerability(case, coordinator):
    return actions.add_vulnerability(
        case,
        actor=coordinator,
        title_en="Stored XSS in the comment form",
        description_en="Comments are *not* escaped. <script>alert(1)</script>",
        cwe_id="CWE-79",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    )


@pytest.fixture
def product_a(case, vendor_a, coordinator):
    return actions.add_product(case, vendor_a, actor=coordinator, name="Widget A")


@pytest.fixture
def product_b(case, vendor_b, coordinator):
    return actions.add_product(case, vendor_b, actor=coordinator, name="Gadget B")
