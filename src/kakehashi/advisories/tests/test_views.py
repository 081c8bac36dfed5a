"""The advisory pages through HTTP: the desk's editor and preview, the public list,
pages and feed — and a crawl proving nothing of a draft is public before its instant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation

from kakehashi.advisories import actions
from kakehashi.advisories.models import Advisory

from .conftest import MARKER_EN, MARKER_JA, approve_both

pytestmark = pytest.mark.django_db


def _publish(advisory):
    # Publication clears the public cache after commit (the feed is cached too).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))


def _public_urls(slug: str) -> list[str]:
    urls = []
    for language in ("ja", "en"):
        with translation.override(language):
            urls += [
                reverse("core:home"),
                reverse("advisories:list"),
                reverse("advisories:list") + f"?q={MARKER_EN}",
                reverse("advisories:list") + f"?q={MARKER_JA}",
                reverse("advisories:page", kwargs={"slug": slug}),
                reverse("feeds:advisories"),
                reverse("vendors:public_list"),
            ]
    urls += [reverse("exports:jvnrss"), reverse("exports:jvnrss_en")]
    urls += [reverse(f"exports:{name}", kwargs={"slug": slug}) for name in ("vuldef", "vuldef_en")]
    return urls


def _crawl(urls: list[str]) -> dict[str, tuple[int, str]]:
    client = Client()
    return {url: (r.status_code, r.content.decode()) for url in urls for r in [client.get(url)]}


def test_nothing_leaks_before_the_instant_and_everything_appears_after(advisory, coordinator):
    approve_both(advisory, coordinator)
    urls = _public_urls(advisory.slug)
    for url, (status, body) in _crawl(urls).items():
        assert advisory.advisory_id not in body, url
        if "?q=" in url:  # the query is echoed in the form; the results must be empty
            assert f"/advisories/{advisory.slug}/" not in body, url
        else:
            assert MARKER_EN not in body and MARKER_JA not in body, url
        if "/advisories/JVN" in url:
            assert status == 404
    _publish(advisory)
    after = _crawl(urls)
    page_ja = after[f"/ja/advisories/{advisory.slug}/"]
    page_en = after[f"/en/advisories/{advisory.slug}/"]
    assert page_ja[0] == 200 and MARKER_JA in page_ja[1]
    assert page_en[0] == 200 and MARKER_EN in page_en[1]
    assert MARKER_EN in after["/en/feeds/advisories.atom"][1]
    assert MARKER_JA in after["/ja/feeds/advisories.atom"][1]
    assert MARKER_EN in after[f"/en/advisories/?q={MARKER_EN}"][1]
    assert MARKER_JA in after[f"/ja/advisories/?q={MARKER_JA}"][1]
    assert MARKER_JA in after["/feeds/jvnrss.xml"][1]
    assert MARKER_EN in after["/feeds/jvnrss.en.xml"][1]
    assert MARKER_JA in after[f"/advisories/{advisory.slug}/vuldef.xml"][1]
    assert MARKER_EN in after[f"/advisories/{advisory.slug}/vuldef.en.xml"][1]


def test_the_page_links_its_languages_and_shows_the_sections(advisory, coordinator):
    approve_both(advisory, coordinator)
    _publish(advisory)
    body = Client().get(f"/ja/advisories/{advisory.slug}/").content.decode()
    assert f'hreflang="en" href="/en/advisories/{advisory.slug}/"' in body
    assert "Vendor A（日本語）" in body
    assert "CWE-79" in body
    assert (
        "攻撃元区分" in body or "Attack vector" in body
    )  # the metric table (ja needs the catalog)
    english = Client().get(f"/en/advisories/{advisory.slug}/").content.decode()
    assert "Attack vector" in english and "Network" in english
    assert "Fixed" in english and "Component not present" in english


def test_untrusted_markdown_is_sanitised(advisory, coordinator):
    en = advisory.text("en")
    actions.edit_text(
        advisory,
        "en",
        actor=coordinator,
        expected_version=en.version,
        impact="<script>alert(1)</script> **bold** [x](javascript:alert(1))",
    )
    approve_both(Advisory.objects.get(pk=advisory.pk), coordinator)
    _publish(advisory)
    body = Client().get(f"/en/advisories/{advisory.slug}/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert 'href="javascript' not in body
    assert "<strong>bold</strong>" in body


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"cwe": "CWE-79"}, True),
        ({"cwe": "89"}, False),
        ({"severity": "Medium"}, True),
        ({"severity": "Critical"}, False),
        ({"vendor": "vendor a"}, True),
        ({"product": "example cms"}, True),
        ({"product": "other product"}, False),
    ],
)
def test_filters(advisory, coordinator, params, found):
    approve_both(advisory, coordinator)
    _publish(advisory)
    body = Client().get("/en/advisories/", params).content.decode()
    assert (advisory.advisory_id in body) is found


def test_a_bad_filter_is_refused_visibly(advisory, coordinator):
    response = Client().get("/en/advisories/", {"cwe": "<x>"})
    assert response.status_code == 200
    assert (
        "&lt;x&gt;" in response.content.decode()
        or "Enter a valid value" in response.content.decode()
    )


def test_withdrawal_leaves_a_tombstone(advisory, coordinator):
    approve_both(advisory, coordinator)
    _publish(advisory)
    actions.withdraw(advisory, actor=coordinator, reason_ja="重複のため", reason_en="A duplicate.")
    body = Client().get(f"/en/advisories/{advisory.slug}/").content.decode()
    assert "This advisory was withdrawn." in body and "A duplicate." in body


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("admin", 200),
        ("psirt", 404),
        ("finder", 404),
        ("outsider", 404),
        ("clerk", 404),
    ],
)
def test_the_editor_and_preview_are_the_coordinations(client_for, advisory, persona, status):
    client = client_for(persona)
    assert (
        client.get(reverse("advisories:editor", kwargs={"advisory_id": advisory.pk})).status_code
        == status
    )
    preview = client.get(
        reverse("advisories:preview", kwargs={"advisory_id": advisory.pk, "language": "ja"})
    )
    assert preview.status_code == status
    if status == 200:
        assert "EMBARGOED" in preview.content.decode()
        assert preview["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in preview["Cache-Control"]


def test_the_desk_flow_through_http(client_for, case, advisory):
    client = client_for("coordinator")
    page = client.get(reverse("cases:detail", kwargs={"case_id": case.pk})).content.decode()
    assert reverse("advisories:editor", kwargs={"advisory_id": advisory.pk}) in page
    en = advisory.text("en")
    data = {
        f"en-{k}": getattr(en, k)
        for k in ("title", "overview", "affected", "description", "solution")
    }
    data.update({"en-version": en.version, "en-impact": "A script runs in the victim's browser."})
    saved = client.post(
        reverse("advisories:save", kwargs={"advisory_id": advisory.pk, "language": "en"}), data
    )
    assert saved.status_code == 302
    stale = client.post(
        reverse("advisories:save", kwargs={"advisory_id": advisory.pk, "language": "en"}), data
    )
    assert stale.status_code == 400
    for language in ("ja", "en"):
        version = Advisory.objects.get(pk=advisory.pk).text(language).version
        client.post(
            reverse(
                "advisories:approve", kwargs={"advisory_id": advisory.pk, "language": language}
            ),
            {"version": version},
        )
    assert Advisory.objects.get(pk=advisory.pk).state == "scheduled"
    denied = client_for("psirt").post(
        reverse("advisories:approve", kwargs={"advisory_id": advisory.pk, "language": "en"}),
        {"version": 1},
    )
    assert denied.status_code == 404


def test_starting_from_the_case_page(client_for, case):
    client = client_for("coordinator")
    response = client.post(reverse("advisories:start", kwargs={"case_id": case.pk}))
    advisory = Advisory.objects.get(case=case)
    assert response["Location"] == reverse("advisories:editor", kwargs={"advisory_id": advisory.pk})
    assert (
        client_for("cna").post(reverse("advisories:start", kwargs={"case_id": case.pk})).status_code
        == 404
    )


def test_the_kind_is_chosen_at_the_start_and_the_critical_flag_toggles(client_for, case):
    client = client_for("coordinator")
    client.post(reverse("advisories:start", kwargs={"case_id": case.pk}), {"kind": "alert"})
    advisory = Advisory.objects.get(case=case)
    assert advisory.advisory_id.startswith("JVNTA#")
    url = reverse("advisories:critical", kwargs={"advisory_id": advisory.pk})
    assert client_for("psirt").post(url, {"critical": "1"}).status_code == 404
    client.post(url, {"critical": "1"})
    assert Advisory.objects.get(pk=advisory.pk).critical is True
    client.post(url, {"critical": "0"})
    assert Advisory.objects.get(pk=advisory.pk).critical is False


def test_an_unknown_kind_is_refused(client_for, case):
    response = client_for("coordinator").post(
        reverse("advisories:start", kwargs={"case_id": case.pk}), {"kind": "bogus"}
    )
    assert response.status_code == 302
    assert not Advisory.objects.filter(case=case).exists()
