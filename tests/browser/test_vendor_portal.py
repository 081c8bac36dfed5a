"""End to end in the browser: a vendor PSIRT member answers in the portal.

Signs in (password and TOTP), follows "My cases" from the navigation, opens the case,
acknowledges the notice, sets a "not affected" status with its justification and a
statement (then shown awaiting the coordinator's approval), and accepts the embargo it
was invited to. The portal page is read in English (``/en/``), so the test does not
depend on the Japanese catalog.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kakehashi.accounts.models import Organisation, User
from kakehashi.cases import actions
from kakehashi.cases.choices import ParticipantRole
from kakehashi.cases.models import Case, Participant, VendorStatus

pytestmark = pytest.mark.browser


def _field(container, label: str):
    """The control labelled exactly ``label`` (Django's label tag may add a colon)."""
    return container.get_by_label(re.compile(rf"^{re.escape(label)}[:：]?$"))


def _case_for_sakura() -> Case:
    coordinator = User.objects.get(username="coordinator")
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=Organisation.objects.get(slug="coordination"),
        title_en="Command injection in the Sakura router's web UI",
        title_ja="さくらルーターの管理画面における OS コマンドインジェクション",
    )
    (vendor,) = actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        organisations=[Organisation.objects.get(slug="sakura-network")],
    )
    actions.add_vulnerability(
        case, actor=coordinator, title_en="OS command injection", cwe_id="CWE-78"
    )
    actions.add_product(case, vendor, actor=coordinator, name="SR-100")
    actions.propose_embargo(case, actor=coordinator, ends_at=timezone.now() + timedelta(days=45))
    actions.invite_to_embargo(case, [vendor], actor=coordinator)
    return case


def test_a_vendor_member_acknowledges_sets_a_status_and_accepts_the_embargo(
    page: Page, demo_data: None, sign_in: Callable[[Page, str], None]
) -> None:
    case = _case_for_sakura()
    sign_in(page, "psirt")

    page.locator('nav a[href="/ja/portal/"]').click()
    expect(page).to_have_url(re.compile(r"/ja/portal/$"))
    expect(page.get_by_role("link", name=re.compile(re.escape(case.reference)))).to_be_visible()

    page.goto(f"/en/portal/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)

    answer = page.locator("section#answer")
    answer.get_by_role("button", name="Acknowledge the notice").click()
    expect(page.get_by_text("Thank you: the notice is acknowledged.")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge the notice")).to_have_count(0)

    statuses = page.locator("section#statuses")
    _field(statuses, "Vulnerability").select_option(label="#1 OS command injection")
    statuses.get_by_label(re.compile(r"^Product")).select_option(label="SR-100")
    _field(statuses, "Status").select_option("not_affected")
    statuses.get_by_label(re.compile(r"^Justification")).select_option(
        "vulnerable_code_not_in_execute_path"
    )
    _field(statuses, "Statement (English)").fill("SR-100 never passes input to a shell.")
    statuses.get_by_role("button", name="Save the status").click()
    expect(page.get_by_text("The status was recorded; it awaits")).to_be_visible()
    row = page.locator("section#statuses table").first.locator("tbody tr").first
    expect(row).to_contain_text("Not affected")
    expect(row).to_contain_text("SR-100 never passes input to a shell.")
    expect(row).to_contain_text("Awaiting approval")

    schedule = page.locator("section#schedule")
    _field(schedule, "Answer").select_option("accept")
    schedule.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("You accepted the embargo.")).to_be_visible()
    expect(page.locator("section#schedule")).to_contain_text("Signatory")

    vendor = Participant.objects.get(case=case, role="vendor")
    assert vendor.acknowledged_at is not None
    assert vendor.pec_state == "signatory"
    status = VendorStatus.objects.get(vendor=vendor)
    assert (status.status, status.approved_at) == ("not_affected", None)
