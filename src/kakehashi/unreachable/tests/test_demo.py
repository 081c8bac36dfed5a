from __future__ import annotations

import pytest

from kakehashi.committee.models import CommitteeFile
from kakehashi.core import audit
from kakehashi.core.demo import load_demo
from kakehashi.unreachable.demo import load_demo_unreachable
from kakehashi.unreachable.models import UnreachableListing

pytestmark = pytest.mark.django_db


def test_demo_unreachable_developer_loads_idempotently():
    load_demo()
    load_demo_unreachable()
    load_demo_unreachable()
    listing = UnreachableListing.objects.public().get()
    assert listing.developer("en") == "Tsubame project"
    committee_file = CommitteeFile.objects.get()
    assert committee_file.listing == listing
    assert committee_file.is_open
    assert audit.first_problem() is None
