"""The portal page in Japanese. These tests need the portal's strings in the ja
catalog (``locale/pending/portal.json``, merged by the lead): until then they are
skipped, not failed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from kakehashi.cases import actions

pytestmark = pytest.mark.django_db


def _catalog_has_the_portal() -> bool:
    with translation.override("ja"):
        return translation.gettext("Your statuses") != "Your statuses"


needs_catalog = pytest.mark.skipif(
    not _catalog_has_the_portal(), reason="the ja catalog lacks locale/pending/portal.json"
)


@needs_catalog
def test_the_portal_page_reads_in_japanese(client_for, case, vulnerability, vendor_a, world):
    actions.record_vendor_status(
        case, vendor_a, vulnerability, actor=world.user("psirt"), status="affected"
    )
    with translation.override("ja"):
        url = reverse("portal:case", kwargs={"case_id": case.pk})
    page = client_for("psirt").get(url).content.decode()
    for text in ("担当案件", "公表スケジュール", "貴社のステータス", "承認待ち", "脆弱性検証"):
        assert text in page
    assert case.title_ja in page


@needs_catalog
def test_a_refusal_reads_in_japanese(client_for, case, vulnerability):
    with translation.override("ja"):
        url = reverse("portal:verification", kwargs={"case_id": case.pk})
    response = client_for("psirt").post(
        url, {"verification-result": "not_reproducible", "verification-version": 0}
    )
    assert response.status_code == 400
    assert "備考欄に結果の説明を記入してください。" in response.content.decode()
