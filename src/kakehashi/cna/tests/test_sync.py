"""The CNA against the fake CVE Services on loopback: reserving (whole, partial, over
quota, outage), IDs entered by hand (refused when another CNA owns them), assignment
(never twice), and the sync job publishing, updating and rejecting — idempotently,
retrying outages and parking refusals with the service's message."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kakehashi.cases import actions as case_actions
from kakehashi.cna import actions, secrets, services
from kakehashi.cna.models import CveId, CveRecord, ServiceCredential
from kakehashi.cna.tasks import sync_record
from kakehashi.core.testing import run_pending_jobs
from kakehashi.core.workflow import ConcurrentChange, GuardFailed, InvalidInput

from .conftest import KEY, USER, publish_case

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
ADVISORY = {"url": "https://jvn.example/en/jp/JVN12345678/", "tags": ["third-party-advisory"]}


def test_reserving_adds_the_ids_to_the_pool(officer, fake):
    rows, reservation = actions.reserve_ids(officer, 3, YEAR)
    assert [r.cve_id for r in rows] == [f"CVE-{YEAR}-{n}" for n in (10000, 10001, 10002)]
    assert reservation.partial is False
    assert reservation.remaining_quota == 97
    assert services.client().quota().available == 97
    assert all(r.source == "service" and r.state == "RESERVED" for r in rows)


def test_a_partial_reservation_keeps_what_was_reserved(officer, fake):
    fake.state.id_quota = 2
    rows, reservation = actions.reserve_ids(officer, 5, YEAR)
    assert reservation.partial is True
    assert len(rows) == 2
    assert CveId.objects.count() == 2


def test_over_quota_and_outages_are_refused_and_nothing_is_written(officer, fake):
    fake.state.id_quota = 0
    with pytest.raises(InvalidInput, match="EXCEEDED_ID_QUOTA"):
        actions.reserve_ids(officer, 1, YEAR)
    fake.state.id_quota = 10
    fake.fail_next(503)
    with pytest.raises(InvalidInput, match="503"):
        actions.reserve_ids(officer, 1, YEAR)
    assert CveId.objects.count() == 0


@pytest.mark.parametrize(("amount", "year"), [(0, YEAR), (101, YEAR), (1, 1998), (1, YEAR + 2)])
def test_reservation_bounds_are_checked_before_calling(officer, fake, amount, year):
    with pytest.raises(InvalidInput):
        actions.reserve_ids(officer, amount, year)
    assert fake.state.requests == []


def test_ids_entered_by_hand_are_checked_against_the_service(officer, fake):
    fake.add_foreign_id(f"CVE-{YEAR}-55555", "othercna")
    with pytest.raises(InvalidInput, match="belongs to another CNA"):
        actions.add_ids_by_hand(officer, [f"CVE-{YEAR}-55555"])
    with pytest.raises(InvalidInput, match="unknown at CVE Services"):
        actions.add_ids_by_hand(officer, [f"CVE-{YEAR}-66666"])
    assert CveId.objects.count() == 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["CVE-26-1"], "is not a CVE ID"),
        (["cve-2026-123"], "is not a CVE ID"),
        (["CVE-2026-1001", "CVE-2026-1001"], "twice"),
        ([" "], "at least one"),
    ],
)
def test_malformed_ids_by_hand_are_refused(officer, values, message):
    with pytest.raises(InvalidInput, match=message):
        actions.add_ids_by_hand(officer, values)


def test_only_cna_officers_manage_the_pool(world):
    for persona in ("coordinator", "psirt", "clerk", "outsider"):
        with pytest.raises(GuardFailed):
            actions.add_ids_by_hand(world.user(persona), [f"CVE-{YEAR}-1001"])


def test_an_id_is_never_assigned_twice(officer, vulnerability, pool, case, world):
    record = actions.assign_id(officer, vulnerability)
    with pytest.raises(InvalidInput, match="already has"):
        actions.assign_id(officer, vulnerability)
    other = case_actions.add_vulnerability(
        case, actor=world.user("coordinator"), title_en="Second flaw"
    )
    with pytest.raises(InvalidInput, match="is not free"):
        actions.assign_id(officer, other, record.cve)
    second = actions.assign_id(officer, other)
    assert second.cve.cve_id != record.cve.cve_id
    with pytest.raises(GuardFailed):
        actions.release_id(officer, record.cve)


def test_an_empty_pool_says_to_reserve_more(officer, vulnerability):
    with pytest.raises(InvalidInput, match="reserve more"):
        actions.assign_id(officer, vulnerability)


def _ready_record(officer, vulnerability, case):
    record = actions.assign_id(officer, vulnerability)
    record = actions.edit_record(
        officer,
        record,
        description_en="Cross-site scripting in Vendor A Example CMS 3.2.0 and earlier "
        "allows a remote attacker to inject an arbitrary script via a comment.",
        description_ja="Vendor A が提供する Example CMS にはクロスサイトスクリプティングの脆弱性が存在します。",
        references=[ADVISORY],
        cna_tags=[],
        expected_version=record.version,
    )
    publish_case(case)
    return CveRecord.objects.get(pk=record.pk)


@pytest.fixture
def ready(officer, vulnerability, case, fake):
    """A complete record of a published case, its ID reserved at the fake service."""
    actions.reserve_ids(officer, 2, YEAR)
    return _ready_record(officer, vulnerability, case)


def test_publish_update_and_the_states_in_between(committed, officer, ready, fake):
    record = committed(actions.publish_record, officer, ready)
    assert record.sync_state == "queued"
    run_pending_jobs()
    record.refresh_from_db()
    assert record.sync_state == "published"
    assert record.published_at is not None
    remote = fake.state.records[record.cve.cve_id]
    assert remote["cveMetadata"]["state"] == "PUBLISHED"
    assert remote["containers"]["cna"]["descriptions"][1]["lang"] == "ja"
    assert CveId.objects.get(pk=record.cve_id).state == "PUBLISHED"

    record = actions.edit_record(
        officer,
        record,
        description_en=record.description_en + " Version 3.2.1 fixes it.",
        description_ja=record.description_ja,
        references=[
            ADVISORY,
            {"url": "https://vendor-a.example/psirt/1", "tags": ["vendor-advisory"]},
        ],
        cna_tags=[],
        expected_version=record.version,
    )
    record = committed(actions.publish_record, officer, record)
    assert record.sync_state == "update_pending"
    run_pending_jobs()
    record.refresh_from_db()
    assert record.sync_state == "published"
    assert fake.state.records[record.cve.cve_id]["cveMetadata"]["serial"] == 2
    assert len(fake.state.records[record.cve.cve_id]["containers"]["cna"]["references"]) == 2


def test_a_duplicated_job_publishes_once(committed, officer, ready, fake):
    record = committed(actions.publish_record, officer, ready)
    sync_record.enqueue(record.pk, record.version)  # a duplicate of the queued job
    run_pending_jobs()
    published = [r for r in fake.state.requests if r[0] in ("POST", "PUT") and "/cve/" in r[1]]
    assert published == [("POST", f"/api/cve/{record.cve.cve_id}/cna")]


def test_a_lost_answer_is_recovered_as_an_update(committed, officer, ready, fake):
    record = committed(actions.publish_record, officer, ready)
    fake.state.records[record.cve.cve_id] = {"cveMetadata": {"serial": 1}, "containers": {}}
    run_pending_jobs()
    record.refresh_from_db()
    assert record.sync_state == "published"
    assert fake.state.requests[-1] == ("PUT", f"/api/cve/{record.cve.cve_id}/cna")


def test_an_outage_is_retried_with_backoff(committed, officer, ready, fake):
    record = committed(actions.publish_record, officer, ready)
    fake.fail_next(503)
    (failed,) = run_pending_jobs()
    assert failed.status == "FAILED"
    record.refresh_from_db()
    assert record.sync_state == "queued"
    assert "503" in record.last_error
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_pending_jobs()
    record.refresh_from_db()
    assert record.sync_state == "published"
    assert record.last_error == ""


def test_a_refusal_is_parked_with_the_services_message(committed, officer, ready, fake):
    record = committed(actions.publish_record, officer, ready)
    fake.fail_next(400, "INVALID_JSON_SCHEMA")
    run_pending_jobs()
    record.refresh_from_db()
    assert record.sync_state == "failed"
    assert "INVALID_JSON_SCHEMA" in record.last_error
    assert not DBTaskResult.objects.filter(status="READY").exists()  # not retried


def test_rejecting_an_assigned_record(committed, officer, ready, fake):
    record = ready
    with pytest.raises(InvalidInput, match="reason"):
        actions.reject_record(officer, record, "  ")
    record = committed(actions.reject_record, officer, record, "This is not a vulnerability.")
    run_pending_jobs()
    record.refresh_from_db()
    assert record.sync_state == "rejected"
    remote = fake.state.records[record.cve.cve_id]
    assert remote["cveMetadata"]["state"] == "REJECTED"
    assert remote["containers"]["cna"]["rejectedReasons"][0]["lang"] == "en"
    with pytest.raises(GuardFailed):
        actions.edit_record(
            officer,
            record,
            description_en="x",
            description_ja="",
            references=[],
            cna_tags=[],
            expected_version=record.version,
        )


def test_releasing_an_unused_id_rejects_it_at_the_service(officer, fake, ready):
    cve = CveId.objects.filter(vulnerability__isnull=True).get()
    actions.release_id(officer, cve)
    assert fake.state.ids[cve.cve_id]["state"] == "REJECTED"
    assert CveId.objects.get(pk=cve.pk).state == "REJECTED"


@pytest.fixture
def assigned(officer, vulnerability, pool):
    return actions.assign_id(officer, vulnerability)


def test_stale_edits_conflict(officer, vulnerability, pool):
    record = actions.assign_id(officer, vulnerability)
    kwargs = {"description_en": "x", "description_ja": "", "references": [], "cna_tags": []}
    actions.edit_record(officer, record, expected_version=1, **kwargs)
    with pytest.raises(ConcurrentChange):
        actions.edit_record(officer, record, expected_version=1, **kwargs)


@pytest.mark.parametrize(
    ("references", "tags", "message"),
    [
        ([{"url": "javascript:alert(1)"}], [], "not a web address"),
        ([{"url": "https://a.example/", "tags": ["bogus"]}], [], "Unknown reference tag"),
        ([], ["hot"], "Unknown record tag"),
    ],
)
def test_bad_references_and_tags_are_refused(officer, assigned, references, tags, message):
    record = assigned
    with pytest.raises(InvalidInput, match=message):
        actions.edit_record(
            officer,
            record,
            description_en="x",
            description_ja="",
            references=references,
            cna_tags=tags,
            expected_version=record.version,
        )
    assert CveRecord.objects.get(pk=record.pk).version == 1


def test_the_stored_credential_is_encrypted_and_used(officer, settings, fake):
    settings.KAKEHASHI_CVE_SERVICES_USER = ""
    settings.KAKEHASHI_CVE_SERVICES_KEY = ""
    with pytest.raises(services.NotConfigured):
        services.client()
    actions.set_credential(officer, USER, KEY)
    stored = ServiceCredential.objects.get()
    assert KEY.encode() not in bytes(stored.encrypted_key)
    assert services.client().quota().id_quota == 100
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(services.NotConfigured, match="cannot be decrypted"):
        services.client()
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(bytes(stored.encrypted_key))


def test_wrong_credentials_are_a_refusal_not_an_outage(officer, settings, fake):
    settings.KAKEHASHI_CVE_SERVICES_KEY = "wrong"
    with pytest.raises(services.ServiceError) as refused:
        services.client().quota()
    assert refused.value.status == 401
    assert refused.value.retryable is False
