"""OSV documents for advisories with open-source packages, valid under the OSV schema."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from kakehashi.advisories import actions
from kakehashi.advisories.exports.osv import package_of
from kakehashi.cases import actions as case_actions

from .conftest import approve_both, reload

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "data" / "osv" / "schema.json").read_text(encoding="utf-8")
)


def _errors(document) -> list[str]:
    validator = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        ("pkg:pypi/example-cms@3.2.0", ("PyPI", "example-cms", "pkg:pypi/example-cms")),
        ("pkg:npm/%40scope/lib@1.0.0", ("npm", "@scope/lib", "pkg:npm/%40scope/lib")),
        (
            "pkg:maven/org.example/parser@2.1",
            ("Maven", "org.example:parser", "pkg:maven/org.example/parser"),
        ),
        (
            "pkg:golang/github.com/ex/mod",
            ("Go", "github.com/ex/mod", "pkg:golang/github.com/ex/mod"),
        ),
        ("pkg:github/helix/helix-xml", None),
        ("cpe:2.3:a:x:y", None),
    ],
)
def test_package_urls_map_to_ecosystems(purl, expected):
    assert package_of(purl) == expected


def _published_with_package(case, advisory, coordinator, world):
    vendor_a = case.participants.get(organisation=world.organisations["vendor-a"])
    case_actions.add_product(
        reload(case),
        vendor_a,
        actor=coordinator,
        name="example-cms (PyPI)",
        purl="pkg:pypi/example-cms@3.2.0",
    )
    Vulnerability = type(case.vulnerabilities.get())
    Vulnerability.objects.filter(case=case).update(cve_id="CVE-2026-12345")
    approve_both(advisory, coordinator)
    actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))


def test_an_advisory_with_a_package_has_a_valid_osv_document(case, advisory, coordinator, world):
    _published_with_package(case, advisory, coordinator, world)
    response = Client().get(f"/advisories/{advisory.slug}/osv.json")
    assert response.status_code == 200
    document = response.json()
    assert _errors(document) == []
    assert document["id"] == f"x_{advisory.slug}"
    assert document["aliases"] == ["CVE-2026-12345"]
    (entry,) = document["affected"]
    assert entry["package"] == {
        "ecosystem": "PyPI",
        "name": "example-cms",
        "purl": "pkg:pypi/example-cms",
    }
    assert entry["ranges"][0]["events"] == [{"introduced": "0"}, {"fixed": "3.2.1"}]
    assert document["severity"] == [
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"}
    ]
    everything = Client().get("/advisories/osv.json").json()
    assert [d["id"] for d in everything] == [document["id"]]


def test_a_withdrawn_advisory_says_so(case, advisory, coordinator, world):
    _published_with_package(case, advisory, coordinator, world)
    actions.withdraw(advisory, actor=coordinator, reason_ja="", reason_en="Duplicate")
    document = Client().get(f"/advisories/{advisory.slug}/osv.json").json()
    assert _errors(document) == []
    assert document["withdrawn"].endswith("Z")


def test_no_package_no_osv_and_no_draft(case, advisory, coordinator):
    assert Client().get(f"/advisories/{advisory.slug}/osv.json").status_code == 404  # a draft
    approve_both(advisory, coordinator)
    actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    assert Client().get(f"/advisories/{advisory.slug}/osv.json").status_code == 404  # no purl
    assert Client().get("/advisories/osv.json").json() == []
