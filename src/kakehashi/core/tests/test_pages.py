"""Site-wide pages and protections: health check, public cache, errors, CSP, CSRF, body limit."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kakehashi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These pages' refusals are matched in English; Japanese has its own tests."""
    with translation.override("en"):
        yield


# Per-response randomness: masked CSRF tokens and CSP nonces.
PER_RESPONSE = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def test_healthz_answers_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_home_is_served_from_the_cache_to_the_second_anonymous_visitor(
    django_assert_num_queries,
):
    first = Client().get("/en/")
    with django_assert_num_queries(0):
        second = Client().get("/en/")

    assert first.status_code == second.status_code == 200
    assert "core/home.html" in [t.name for t in first.templates]
    assert second.templates == []  # nothing was rendered
    assert second.content == first.content
    assert "Content-Security-Policy" in second


def test_home_is_cached_per_language():
    english = Client().get("/en/")
    japanese = Client().get("/ja/")

    assert "core/home.html" in [t.name for t in japanese.templates]
    assert b'<html lang="en">' in english.content
    assert b'<html lang="ja">' in japanese.content


def test_home_is_never_cached_for_a_signed_in_user(client_for):
    Client().get("/en/")  # an anonymous visitor fills the cache first
    client = client_for("psirt")

    first = client.get("/en/")
    second = client.get("/en/")

    for response in (first, second):
        assert "core/home.html" in [t.name for t in response.templates]
        assert reverse("core:dashboard").encode() in response.content
    assert b"Sign in" not in second.content


def test_signing_in_does_not_leak_into_the_anonymous_cache(client_for):
    client_for("psirt").get("/en/")

    anonymous = Client().get("/en/")

    assert reverse("core:dashboard").encode() not in anonymous.content
    assert b"psirt" not in anonymous.content


def test_missing_page_is_a_plain_translated_404():
    english = Client().get("/en/no-such-page/")
    japanese = Client().get("/ja/no-such-page/")

    assert english.status_code == japanese.status_code == 404
    assert b"Not found" in english.content
    assert b'<html lang="ja">' in japanese.content
    for response in (english, japanese):
        assert b"Traceback" not in response.content
        assert b"urlpatterns" not in response.content.lower()
        assert b"Page not found at" not in response.content


def _normalised(response, path: str) -> str:
    """The body without per-response randomness or the requested path (language links)."""
    body = PER_RESPONSE.sub("", response.content.decode())
    return body.replace(path.split("/", 2)[2], "REQUESTED-PATH")  # without /<language>/


def test_a_hidden_organisation_looks_exactly_like_a_missing_one(world, client_for):
    client = client_for("psirt")
    hidden = reverse(
        "accounts:organisation", kwargs={"organisation_id": world.organisations["vendor-b"].pk}
    )
    missing = reverse("accounts:organisation", kwargs={"organisation_id": 999_999})

    hidden_response = client.get(hidden)
    missing_response = client.get(missing)

    assert hidden_response.status_code == missing_response.status_code == 404
    assert _normalised(hidden_response, hidden) == _normalised(missing_response, missing)
    assert b"Vendor B" not in hidden_response.content


def test_pages_carry_a_csp_that_forbids_inline_script():
    response = Client().get("/en/")

    policy = _directives(response["Content-Security-Policy"])
    assert "'self'" in policy["script-src"]
    assert any(source.startswith("'nonce-") for source in policy["script-src"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy.get("style-src", [])
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_pages_contain_no_inline_script(client_for):
    for response in (Client().get("/en/"), client_for("coordinator").get("/en/dashboard/")):
        scripts = re.findall(rb"<script\b([^>]*)>", response.content)
        assert scripts
        for attributes in scripts:
            assert b"src=" in attributes or b"nonce=" in attributes, attributes


def _preferences_post(display_name: str) -> dict[str, str]:
    return {"display_name": display_name, "language": "en", "timezone": "Asia/Tokyo"}


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("psirt"))

    response = client.post(reverse("accounts:preferences"), _preferences_post("Mallory"))

    assert response.status_code == 403
    assert b"The form expired" in response.content
    world.user("psirt").refresh_from_db()
    assert world.user("psirt").display_name == ""
    assert not AuditEvent.objects.filter(action="accounts.preferences_updated").exists()


def test_a_post_with_its_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("psirt"))
    client.get(reverse("accounts:preferences"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        reverse("accounts:preferences"),
        {**_preferences_post("Suzuki"), "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    world.user("psirt").refresh_from_db()
    assert world.user("psirt").display_name == "Suzuki"


@pytest.mark.parametrize("enforce_csrf_checks", [False, True], ids=["view", "csrf-middleware"])
def test_an_oversized_body_is_refused_and_changes_nothing(world, enforce_csrf_checks):
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(world.user("psirt"))
    client.get(reverse("accounts:preferences"))  # the CSRF cookie, so the body is read
    form = _preferences_post("x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    form["csrfmiddlewaretoken"] = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(reverse("accounts:preferences"), form)

    assert response.status_code in {400, 413}
    assert b"Bad request" in response.content
    world.user("psirt").refresh_from_db()
    assert world.user("psirt").display_name == ""
    assert not AuditEvent.objects.exists()
