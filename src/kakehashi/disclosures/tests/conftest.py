"""A case in coordination with vendor A, one vulnerability, and the keys a recipient
may bring (usable, signing-only, expired), made once per session with real GnuPG."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from kakehashi.cases import actions as case_actions
from kakehashi.core.tests.test_pgp import GpgKey, _fresh_home, _make_key, _stop


@pytest.fixture(autouse=True)
def _english():
    """Refusal messages are matched in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(world):
    return world.user("coordinator")


@pytest.fixture
def case(world, coordinator):
    case = case_actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        reception_org=world.organisations["reception"],
        origin="manual",
        title_en="SQL injection in Example SCADA",
        title_ja="Example SCADA における SQL インジェクション",
    )
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-a"]]
    )
    case_actions.add_vulnerability(
        case,
        actor=coordinator,
        title_en="SQL injection in the historian",
        title_ja="ヒストリアンにおける SQL インジェクション",
        description_en="A crafted tag name runs SQL in the historian database.",
        description_ja="細工されたタグ名により、ヒストリアンのデータベースで SQL が実行されます。",
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def vendor(case):
    return case.participants.get(role="vendor")


@pytest.fixture
def fixed(case, vendor, coordinator):
    """Vendor A reports the fix (VEX status "fixed")."""
    case_actions.record_vendor_status(
        case,
        vendor,
        case.vulnerabilities.get(),
        actor=coordinator,
        status="fixed",
        fixed_in="4.2.1",
        statement_en="Update to 4.2.1.",
        statement_ja="4.2.1 に更新してください。",
    )
    case.refresh_from_db()
    return case


@pytest.fixture(scope="session")
def recipient_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, GpgKey]]:
    home = _fresh_home(tmp_path_factory.mktemp("disclosure-pgp"))
    try:
        yield {
            "platform": _make_key(
                home, "Kakehashi <security@kakehashi.test>", "future-default", "default", "0"
            ),
            "good": _make_key(
                home, "Grid Operator CSIRT <csirt@grid.test>", "future-default", "default", "0"
            ),
            "signing_only": _make_key(home, "Signer <sign@grid.test>", "ed25519", "sign", "0"),
            "expired": _make_key(
                home,
                "Past <past@grid.test>",
                "future-default",
                "default",
                "1y",
                "--faked-system-time",
                "20200101T000000",
            ),
        }
    finally:
        _stop(home)
