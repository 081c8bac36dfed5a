"""The advisories API: published advisories for every token; drafts for the desk only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kakehashi.accounts import actions as account_actions
from kakehashi.advisories import actions

from .conftest import MARKER_EN, approve_both

pytestmark = pytest.mark.django_db


def _get(world, persona, path):
    _token, secret = account_actions.create_api_token(
        world.user(persona), name="t", scopes=["read"]
    )
    return Client().get(f"/api/v1/advisories{path}", headers={"Authorization": f"Bearer {secret}"})


def test_drafts_stay_off_the_list_and_appear_once_published(world, advisory, coordinator):
    assert _get(world, "psirt", "").json() == []
    assert _get(world, "psirt", f"/{advisory.slug}").status_code == 404
    approve_both(advisory, coordinator)
    actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    (row,) = _get(world, "psirt", "").json()
    assert row["id"] == advisory.advisory_id
    assert MARKER_EN in row["title_en"]
    detail = _get(world, "outsider", f"/{advisory.slug}").json()
    assert detail["content"]["vendors"][0]["statuses"]
    assert _get(world, "psirt", "?cwe=CWE-89").json() == []
    assert len(_get(world, "psirt", "?q=example%20cms").json()) == 1
    assert len(_get(world, "psirt", "?q=cms%20example").json()) == 1  # every word, any order
    assert _get(world, "psirt", "?q=example%20nothing").json() == []
    assert len(_get(world, "psirt", "?kind=partnership").json()) == 1
    assert _get(world, "psirt", "?kind=alert").json() == []
    assert _get(world, "psirt", "?kind=bogus").status_code in (400, 422)


@pytest.mark.parametrize(
    ("persona", "status"), [("coordinator", 200), ("psirt", 404), ("outsider", 404)]
)
def test_a_draft_is_the_desks(world, advisory, persona, status):
    response = _get(world, persona, f"/drafts/{advisory.pk}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["problems"]  # not approved yet
