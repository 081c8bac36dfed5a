"""The audit log: a contiguous hash chain, verified by ``kakehashi audit verify``.

Tampering is done "behind the application's back": raw SQL after switching off the
append-only triggers, as an operator with database access could. Every test runs in
the test transaction, so the triggers come back when it rolls back (and the
``tamperable`` fixture puts them back itself, to be safe).
"""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from kakehashi.accounts import actions
from kakehashi.accounts.models import ApiToken
from kakehashi.core import audit
from kakehashi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

_triggers = importlib.import_module("kakehashi.core.migrations.0002_audit_append_only")


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _record_events(count: int) -> list[AuditEvent]:
    return [audit.record("test.event", summary=f"event {n}") for n in range(1, count + 1)]


@pytest.fixture
def tamperable():
    """Switch the append-only triggers off for this test, and back on afterwards.

    Both vendors have transactional DDL, so the test's rollback would restore them anyway.
    """
    if connection.vendor == "postgresql":
        _sql("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
    else:
        for statement in _triggers.SQLITE_DROP:
            _sql(statement)
    yield
    if connection.vendor == "postgresql":
        _sql("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
    else:
        for statement in _triggers.SQLITE_CREATE:
            _sql(statement)


def _verify() -> tuple[str, str]:
    """Run ``audit verify``; return (stdout, stderr) or raise CommandError."""
    out, err = StringIO(), StringIO()
    call_command("audit", "verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _verify_fails() -> str:
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert failure.value.returncode == 2
    return err.getvalue()


def _first_bad_row(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("first bad row:")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_record_builds_a_contiguous_chain_from_genesis():
    events = _record_events(3)

    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert len({e.hash for e in events}) == 3
    stored = list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert stored == [(e.seq, e.prev_hash, e.hash) for e in events]


def test_record_names_the_actor_and_subject_and_keeps_json_data(world):
    psirt = world.user("psirt")
    event = audit.record(
        "test.subject", actor=psirt, subject=psirt, summary="x" * 3000, data={"n": 1}
    )
    event.refresh_from_db()

    assert event.actor_id == psirt.pk
    assert event.actor_label == "psirt"
    assert (event.subject_type, event.subject_id) == ("accounts.user", str(psirt.pk))
    assert len(event.summary) == 2000
    assert event.data == {"n": 1}
    assert audit.first_problem() is None


def test_record_by_the_system_is_labelled_system():
    event = audit.record("test.system")
    assert event.actor_id is None
    assert event.actor_label == "system"


def test_verify_exits_zero_on_an_intact_chain():
    events = _record_events(3)

    out, err = _verify()

    assert "audit chain intact: 3 events" in out
    assert events[-1].hash in out
    assert err == ""


def test_verify_accepts_an_empty_log():
    out, _err = _verify()
    assert "audit chain intact: 0 events" in out


def test_head_prints_the_last_sequence_number_and_hash():
    events = _record_events(2)
    out = StringIO()
    call_command("audit", "head", stdout=out)
    assert out.getvalue().strip() == f"2 {events[-1].hash}"


def test_verify_names_a_row_whose_summary_was_edited(tamperable):
    events = _record_events(4)
    _sql("UPDATE core_auditevent SET summary = %s WHERE seq = 2", ["nothing happened"])

    first = _first_bad_row(_verify_fails())

    assert f"id={events[1].pk} seq=2" in first
    assert "content does not match its hash" in first


def test_verify_names_the_row_after_a_deleted_one(tamperable):
    events = _record_events(4)
    _sql("DELETE FROM core_auditevent WHERE seq = 2")

    first = _first_bad_row(_verify_fails())

    assert f"id={events[2].pk} seq=3" in first
    assert "sequence gap" in first


def test_verify_cannot_see_a_cut_tail_so_the_head_must_be_kept_elsewhere(tamperable):
    # Cutting the tail leaves a valid, shorter chain: only a copy of the head catches it.
    events = _record_events(3)
    _sql("DELETE FROM core_auditevent WHERE seq = 3")

    out, _err = _verify()

    assert "audit chain intact: 2 events" in out
    assert events[-1].hash not in out


def test_verify_names_a_forged_row_inserted_with_renumbered_seqs(tamperable):
    events = _record_events(3)
    # Make room at seq 2, one row at a time from the top so seq stays unique.
    for event in reversed(events[1:]):
        _sql("UPDATE core_auditevent SET seq = seq + 1 WHERE id = %s", [event.pk])
    forged = AuditEvent(
        seq=2,
        at=events[1].at,
        actor_label="system",
        action="test.event",
        summary="forged",
        data={},
        prev_hash=events[0].hash,
        hash="f" * 64,  # the forger does not have the key
    )
    forged.save(force_insert=True)

    stderr = _verify_fails()

    first = _first_bad_row(stderr)
    assert f"id={forged.pk} seq=2" in first
    assert "content does not match its hash" in first


def test_verify_names_the_first_row_of_a_swapped_pair(tamperable):
    events = _record_events(4)
    second, third = events[1], events[2]
    _sql("UPDATE core_auditevent SET seq = 1000 WHERE id = %s", [second.pk])
    _sql("UPDATE core_auditevent SET seq = 2 WHERE id = %s", [third.pk])
    _sql("UPDATE core_auditevent SET seq = 3 WHERE id = %s", [second.pk])

    first = _first_bad_row(_verify_fails())

    assert f"id={third.pk} seq=2" in first


def test_verify_all_lists_every_problem(tamperable):
    events = _record_events(4)
    _sql("UPDATE core_auditevent SET summary = 'edited' WHERE seq IN (2, 4)")

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--all", stdout=StringIO(), stderr=err)

    assert f"first bad row: row id={events[1].pk} seq=2" in err.getvalue()
    assert f"also: row id={events[3].pk} seq=4" in err.getvalue()


def test_a_failed_verify_leaves_no_server_side_cursor_open(tamperable):
    if connection.vendor != "postgresql":
        pytest.skip("server-side cursors exist on PostgreSQL only")
    _record_events(3)
    _sql("UPDATE core_auditevent SET summary = 'edited' WHERE seq = 1")

    _verify_fails()

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        assert cursor.fetchone()[0] == 0


def test_verify_fails_when_checked_with_another_key(settings):
    _record_events(2)
    settings.KAKEHASHI_AUDIT_KEY = "not-the-key-the-chain-was-written-with"

    first = _first_bad_row(_verify_fails())

    assert "seq=1" in first


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET summary = 'rewritten' WHERE seq = 1",
        "DELETE FROM core_auditevent WHERE seq = 1",
    ],
    ids=["update", "delete"],
)
def test_triggers_refuse_raw_update_and_delete(statement):
    _record_events(1)

    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(statement)

    assert AuditEvent.objects.get(seq=1).summary == "event 1"


def test_triggers_refuse_orm_update_and_delete():
    _record_events(1)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(summary="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).delete()

    assert AuditEvent.objects.filter(seq=1, summary="event 1").exists()


def test_triggers_refuse_truncate_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE has no trigger on SQLite (and no TRUNCATE statement)")
    _record_events(1)

    with pytest.raises(DatabaseError), transaction.atomic():
        _sql("TRUNCATE core_auditevent")

    assert AuditEvent.objects.count() == 1


def test_an_action_that_fails_after_recording_rolls_back_its_event(world, monkeypatch):
    real_record = audit.record

    def record_then_fail(*args, **kwargs):
        real_record(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions.audit, "record", record_then_fail)

    with pytest.raises(RuntimeError):
        actions.create_api_token(world.user("psirt"), name="ci", scopes=["read"])

    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_action_records_exactly_one_event_in_its_transaction(world):
    token, _secret = actions.create_api_token(world.user("psirt"), name="ci", scopes=["read"])

    events = list(AuditEvent.objects.all())

    assert [e.action for e in events] == ["accounts.token_created"]
    assert events[0].subject_id == str(token.pk)
    assert events[0].actor_id == world.user("psirt").pk
