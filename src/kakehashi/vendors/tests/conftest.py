"""The registry as the coordinator persona keeps it: vendor A and vendor B registered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from kakehashi.accounts.choices import Role
from kakehashi.accounts.models import Membership, User
from kakehashi.core.tests.test_pgp import GpgKey, _fresh_home, _make_key, _stop
from kakehashi.vendors import actions


@pytest.fixture(autouse=True)
def _english():
    """Refusal messages are matched in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(world):
    return world.user("coordinator")


@pytest.fixture
def profile_a(world, coordinator):
    return actions.register_vendor(coordinator, world.organisations["vendor-a"])


@pytest.fixture
def profile_b(world, coordinator):
    return actions.register_vendor(coordinator, world.organisations["vendor-b"])


@pytest.fixture
def other_vendor_admin(world):
    """An administrator of vendor B (the world's vendor B persona is a PSIRT member)."""
    user = User.objects.create_user("vendor-b-admin", "admin@b.test", "x")
    Membership.objects.create(
        user=user, organisation=world.organisations["vendor-b"], role=Role.VENDOR_ADMIN
    )
    return user


@pytest.fixture(scope="session")
def vendor_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, GpgKey]]:
    """Three keys only (ed25519 is fast): usable, signing-only and expired."""
    home = _fresh_home(tmp_path_factory.mktemp("vendor-pgp"))
    try:
        yield {
            "good": _make_key(home, "Vendor A <psirt@a.test>", "future-default", "default", "0"),
            "signing_only": _make_key(home, "Signer <sign@a.test>", "ed25519", "sign", "0"),
            "expired": _make_key(
                home,
                "Past <past@a.test>",
                "future-default",
                "default",
                "1y",
                "--faked-system-time",
                "20200101T000000",
            ),
        }
    finally:
        _stop(home)
