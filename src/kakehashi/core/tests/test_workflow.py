"""The workflow gate, exercised on a toy machine over User.language (ja ⇄ en)."""

import pytest
from django.db import models

from kakehashi.accounts.models import User
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import (
    ConcurrentChange,
    GuardFailed,
    NotPermitted,
    Transition,
    TransitionNotAllowed,
    Workflow,
    apply_transition,
)


class Lang(models.TextChoices):
    JA = "ja", "Japanese"
    EN = "en", "English"


TOY = Workflow(
    name="toy",
    label="language",
    states=Lang,
    transitions=[
        Transition("ja", "to_en", "en", frozenset({"coordinator"})),
        Transition("en", "to_ja", "ja", frozenset({"coordinator", "clerk"})),
    ],
    event_labels={"to_en": "switch to English", "to_ja": "switch to Japanese"},
)


@pytest.fixture
def user(db):
    return User.objects.create_user(username="u", language="ja")


def test_an_allowed_transition_changes_state_and_writes_history_and_audit(user):
    seen = []
    apply_transition(
        TOY,
        user,
        "language",
        "to_en",
        actor=None,
        roles={"coordinator"},
        history=lambda old, new: seen.append((old, new)),
    )
    user.refresh_from_db()
    assert user.language == "en"
    assert seen == [("ja", "en")]
    event = AuditEvent.objects.get(action="toy.to_en")
    assert event.data == {"from": "ja", "to": "en", "event": "to_en"}


def test_a_refused_event_names_the_current_state_and_what_is_allowed(user):
    with pytest.raises(TransitionNotAllowed) as refused:
        apply_transition(TOY, user, "language", "to_ja", actor=None, roles={"coordinator"})
    message = str(refused.value)
    assert "Japanese" in message and "switch to English" in message
    user.refresh_from_db()
    assert user.language == "ja"
    assert not AuditEvent.objects.filter(action__startswith="toy.").exists()


def test_a_role_not_in_the_table_is_refused(user):
    with pytest.raises(NotPermitted):
        apply_transition(TOY, user, "language", "to_en", actor=None, roles={"clerk"})
    user.refresh_from_db()
    assert user.language == "ja"


def test_a_failing_guard_refuses_with_its_message(user):
    with pytest.raises(GuardFailed, match="embargo is active"):
        apply_transition(
            TOY,
            user,
            "language",
            "to_en",
            actor=None,
            roles={"coordinator"},
            guards=[lambda: None, lambda: "embargo is active"],
        )
    user.refresh_from_db()
    assert user.language == "ja"


def test_of_two_concurrent_changes_exactly_one_wins(user):
    stale = User.objects.get(pk=user.pk)
    apply_transition(TOY, user, "language", "to_en", actor=None, roles={"coordinator"})
    with pytest.raises(ConcurrentChange):
        apply_transition(TOY, stale, "language", "to_en", actor=None, roles={"coordinator"})
    assert AuditEvent.objects.filter(action="toy.to_en").count() == 1


def test_events_from_lists_only_what_the_roles_may_fire():
    assert TOY.events_from("en", {"clerk"}) == ["to_ja"]
    assert TOY.events_from("ja", {"clerk"}) == []
    assert TOY.events_from("ja") == ["to_en"]


def test_a_table_with_unknown_states_or_duplicates_is_rejected_at_import():
    with pytest.raises(ValueError, match="unknown state"):
        Workflow("bad", "bad", Lang, [Transition("ja", "x", "fr")])
    with pytest.raises(ValueError, match="duplicate"):
        Workflow("bad", "bad", Lang, [Transition("ja", "x", "en"), Transition("ja", "x", "ja")])
