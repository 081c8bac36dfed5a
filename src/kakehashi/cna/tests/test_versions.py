"""Affected versions read from the case's words into CVE version ranges."""

from __future__ import annotations

import pytest

from kakehashi.cna.checks import schema_problems
from kakehashi.cna.versions import VersionRange, affected_versions, parse_range, version_type


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.2.0 and earlier", VersionRange("0", "3.2.0", True)),
        ("v3.2.0 or earlier", VersionRange("0", "3.2.0", True)),
        ("3.2.0 以前", VersionRange("0", "3.2.0", True)),
        ("<= 1.4.2", VersionRange("0", "1.4.2", True)),
        ("before 3.2.1", VersionRange("0", "3.2.1", False)),
        ("3.2.1 未満", VersionRange("0", "3.2.1", False)),
        ("2.0 through 2.4.1", VersionRange("2.0", "2.4.1", True)),
        ("2.0 から 2.4.1 まで", VersionRange("2.0", "2.4.1", True)),
        ("v6 R4 and earlier", None),  # JPCERT/CC-style prose stays prose
        ("all versions", None),
        ("", None),
    ],
)
def test_common_shapes_become_ranges(text, expected):
    assert parse_range(text) == expected


@pytest.mark.parametrize(
    ("purl", "kind"),
    [
        ("pkg:pypi/x@1", "python"),
        ("pkg:npm/x", "semver"),
        ("pkg:maven/g/a", "maven"),
        ("", "custom"),
    ],
)
def test_version_types_follow_the_package_ecosystem(purl, kind):
    assert version_type(purl) == kind


@pytest.mark.parametrize(
    ("text", "fixed_in", "expected"),
    [
        (
            "3.2.0 and earlier",
            "3.2.1",
            [{"version": "0", "lessThan": "3.2.1", "status": "affected", "versionType": "semver"}],
        ),
        (
            "2.0 through 2.4",
            "2.5",
            [{"version": "2.0", "lessThan": "2.5", "status": "affected", "versionType": "semver"}],
        ),
        ("v6 R4 and earlier", "", [{"version": "v6 R4 and earlier", "status": "affected"}]),
        ("", "", []),
    ],
)
def test_every_shape_is_valid_under_the_schema(text, fixed_in, expected):
    versions = affected_versions(text, fixed_in, "pkg:npm/x", "affected")
    assert versions == expected
    container = {
        "providerMetadata": {"orgId": "6a1c3f0e-2b7d-4c59-9e8a-3f4b5c6d7e8f"},
        "descriptions": [{"lang": "en", "value": "x"}],
        "affected": [
            {
                "vendor": "v",
                "product": "p",
                "defaultStatus": "unknown",
                **({"versions": versions} if versions else {}),
            }
        ],
        "references": [{"url": "https://example.org/"}],
    }
    assert schema_problems(container) == []
