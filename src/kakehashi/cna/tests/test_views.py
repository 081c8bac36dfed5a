"""The CNA screens through HTTP: who may post each action (others get 404), what the
pages show, live checks without saving, and refusals that change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kakehashi.cna import actions
from kakehashi.cna.models import CveId, CveRecord

from .conftest import publish_case

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
OTHERS = ["coordinator", "clerk", "translator", "committee", "psirt", "finder", "outsider"]


@pytest.fixture
def record(officer, vulnerability, pool):
    return actions.assign_id(officer, vulnerability)


def _form(record, **changes):
    data = {
        "version": record.version,
        "description_en": "Cross-site scripting in Vendor A Example CMS 3.2.0 and earlier allows "
        "a remote attacker to inject an arbitrary script via a comment.",
        "description_ja": "Vendor A が提供する Example CMS にはクロスサイトスクリプティングの脆弱性が存在します。",
        "references": "https://jvn.example/en/jp/JVN12345678/ | third-party-advisory | JVN",
    }
    return {**data, **changes}


@pytest.mark.parametrize("persona", OTHERS)
def test_only_officers_may_post(client_for, persona, record, vulnerability):
    client = client_for(persona)
    cve_id = record.cve.cve_id
    posts = [
        (reverse("cna:reserve"), {"amount": 1, "year": YEAR}),
        (reverse("cna:add_ids"), {"ids": f"CVE-{YEAR}-7777"}),
        (reverse("cna:release", kwargs={"cve_id": f"CVE-{YEAR}-1002"}), {}),
        (reverse("cna:assign", kwargs={"vulnerability_id": vulnerability.pk}), {}),
        (reverse("cna:save", kwargs={"cve_id": cve_id}), _form(record)),
        (reverse("cna:check", kwargs={"cve_id": cve_id}), _form(record)),
        (reverse("cna:publish", kwargs={"cve_id": cve_id}), {"version": 1}),
        (reverse("cna:reject", kwargs={"cve_id": cve_id}), {"version": 1, "reason": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert CveId.objects.count() == 3
    assert CveRecord.objects.get().version == 1


def test_the_officer_assigns_from_the_case_page(client_for, case, vulnerability, pool):
    client = client_for("cna")
    page = client.get(reverse("cases:detail", kwargs={"case_id": case.pk})).content.decode()
    assign_url = reverse("cna:assign", kwargs={"vulnerability_id": vulnerability.pk})
    assert assign_url in page
    coordinator_page = client_for("coordinator").get(
        reverse("cases:detail", kwargs={"case_id": case.pk})
    )
    assert assign_url not in coordinator_page.content.decode()

    response = client.post(assign_url)
    cve_id = f"CVE-{YEAR}-1001"
    assert response["Location"] == reverse("cna:record", kwargs={"cve_id": cve_id})
    page = client.get(reverse("cases:detail", kwargs={"case_id": case.pk})).content.decode()
    assert reverse("cna:record", kwargs={"cve_id": cve_id}) in page


def test_saving_and_the_live_check(client_for, record, case):
    client = client_for("cna")
    cve_id = record.cve.cve_id
    check = client.post(reverse("cna:check", kwargs={"cve_id": cve_id}), _form(record))
    assert "The advisory is not public yet" in check.content.decode()
    assert CveRecord.objects.get().version == 1  # a check saves nothing

    publish_case(case)
    check = client.post(reverse("cna:check", kwargs={"cve_id": cve_id}), _form(record))
    assert "Every check passes." in check.content.decode()

    saved = client.post(reverse("cna:save", kwargs={"cve_id": cve_id}), _form(record))
    assert saved.status_code == 302
    stored = CveRecord.objects.get()
    assert stored.references == [
        {
            "url": "https://jvn.example/en/jp/JVN12345678/",
            "tags": ["third-party-advisory"],
            "name": "JVN",
        }
    ]
    page = client.get(reverse("cna:record", kwargs={"cve_id": cve_id})).content.decode()
    assert "https://jvn.example/en/jp/JVN12345678/ | third-party-advisory | JVN" in page


def test_a_stale_or_bad_form_changes_nothing(client_for, record):
    client = client_for("cna")
    url = reverse("cna:save", kwargs={"cve_id": record.cve.cve_id})
    bad = client.post(url, _form(record, references="javascript:alert(1)"))
    assert bad.status_code == 400
    assert "is not a web address" in bad.content.decode()
    client.post(url, _form(record))
    stale = client.post(url, _form(record, description_en="Another text."))  # version 1 again
    assert stale.status_code == 400
    assert CveRecord.objects.get().description_en.startswith("Cross-site scripting")


def test_publishing_an_incomplete_record_is_refused_on_the_page(client_for, record):
    client = client_for("cna")
    response = client.post(
        reverse("cna:publish", kwargs={"cve_id": record.cve.cve_id}), {"version": record.version}
    )
    assert response.status_code == 400
    assert "The advisory is not public yet" in response.content.decode()
    assert CveRecord.objects.get().sync_state == "draft"


def test_untrusted_text_is_escaped(client_for, record):
    CveRecord.objects.filter(pk=record.pk).update(description_en="<script>alert(1)</script>")
    page = client_for("cna").get(reverse("cna:record", kwargs={"cve_id": record.cve.cve_id}))
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;" in page.content


def test_the_pool_page_lists_ids_and_adds_by_hand(client_for, pool):
    client = client_for("cna")
    page = client.get(reverse("cna:pool")).content.decode()
    assert f"CVE-{YEAR}-1001" in page
    assert "CVE Services is not configured" in page
    response = client.post(reverse("cna:add_ids"), {"ids": f"CVE-{YEAR}-2001, CVE-{YEAR}-2002"})
    assert response.status_code == 302
    assert CveId.objects.count() == 5
    refused = client.post(reverse("cna:add_ids"), {"ids": "CVE-XX-1"})
    assert refused.status_code == 400
    assert CveId.objects.count() == 5


def test_releasing_a_free_id_by_hand(client_for, pool):
    response = client_for("cna").post(reverse("cna:release", kwargs={"cve_id": pool[0].cve_id}))
    assert response.status_code == 302
    assert CveId.objects.get(pk=pool[0].pk).state == "REJECTED"
