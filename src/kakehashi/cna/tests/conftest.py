"""A published case with one vendor, product and scored vulnerability; a CNA officer;
and a fake CVE Services on loopback that the adapter is configured to use."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kakehashi.cases import actions as case_actions
from kakehashi.cases.choices import ParticipantRole
from kakehashi.cases.models import Case, Vulnerability
from kakehashi.cna import actions
from kakehashi.cna.fake import FakeCveServices
from kakehashi.intake.models import Report
from kakehashi.intake.tests.factories import make_report

ORG = "kakehashi-test"
USER = "cna@example.test"
KEY = "fake-api-secret-0123456789"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _cna_identity(settings):
    settings.KAKEHASHI_CNA_SHORT_NAME = ORG
    settings.KAKEHASHI_CNA_ORG_ID = "6a1c3f0e-2b7d-4c59-9e8a-3f4b5c6d7e8f"
    settings.KAKEHASHI_CVE_SERVICES_URL = ""
    settings.KAKEHASHI_CVE_SERVICES_USER = ""
    settings.KAKEHASHI_CVE_SERVICES_KEY = ""


@pytest.fixture
def fake(settings) -> Iterator[FakeCveServices]:
    with FakeCveServices(ORG, USER, KEY) as server:
        settings.KAKEHASHI_CVE_SERVICES_URL = server.url
        settings.KAKEHASHI_CVE_SERVICES_USER = USER
        settings.KAKEHASHI_CVE_SERVICES_KEY = KEY
        yield server


@pytest.fixture
def officer(world):
    return world.user("cna")


@pytest.fixture
def case(world) -> Case:
    coordinator = world.user("coordinator")
    case = case_actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        reception_org=world.organisations["reception"],
        title_en="Stored XSS in Example CMS",
        title_ja="Example CMS における格納型クロスサイトスクリプティング",
    )
    (vendor,) = case_actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        organisations=[world.organisations["vendor-a"]],
    )
    case_actions.add_product(
        Case.objects.get(pk=case.pk),
        vendor,
        actor=coordinator,
        name="Example CMS",
        versions="3.2.0 and earlier",
        cpe="cpe:2.3:a:vendor-a:example_cms:*:*:*:*:*:*:*:*",
        purl="pkg:pypi/example-cms@3.2.0",
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def vulnerability(case, world) -> Vulnerability:
    return case_actions.add_vulnerability(
        case,
        actor=world.user("coordinator"),
        title_en="Stored XSS in the comment form",
        title_ja="コメント欄における格納型クロスサイトスクリプティング",
        cwe_id="CWE-79",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        cvss_v4_vector="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
    )


def publish_case(case: Case, hours_ago: float = 1) -> Case:
    """Mark the advisory public (issue 7 publishes it; here only its instant matters)."""
    Case.objects.filter(pk=case.pk).update(published_at=timezone.now() - timedelta(hours=hours_ago))
    return Case.objects.get(pk=case.pk)


def finder_report(world, case: Case, *, consent: bool, name: str = "Taro Yamada") -> Report:
    report = make_report(world, publish_credit=consent, credit_name=name)
    Report.objects.filter(pk=report.pk).update(case=case)
    return report


@pytest.fixture
def pool(officer):
    return actions.add_ids_by_hand(
        officer, [f"CVE-{timezone.localdate().year}-{n}" for n in (1001, 1002, 1003)]
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run after-commit callbacks (the job enqueues) as a real commit would."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run
