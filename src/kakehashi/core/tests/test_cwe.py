"""The shipped CWE catalogue and the helpers that read it (no database, no network)."""

from __future__ import annotations

import json

import pytest

from kakehashi.core import cwe


@pytest.mark.parametrize("value", ["CWE-79", "CWE-89", "CWE-787", "CWE-20"])
def test_common_weaknesses_are_known(value: str) -> None:
    assert cwe.is_known_cwe(value)


def test_names_are_mitres() -> None:
    assert cwe.cwe_name("CWE-79") == (
        "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"
    )
    assert cwe.cwe_name("89") == (
        "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')"
    )
    assert cwe.cwe_name("CWE-20") == "Improper Input Validation"


@pytest.mark.parametrize("value", ["CWE-16", "CWE-264", "CWE-19"])
def test_categories_that_jvn_cites_are_known(value: str) -> None:
    assert cwe.is_known_cwe(value)


def test_views_are_known() -> None:
    assert cwe.cwe_name("CWE-1003") == (
        "Weaknesses for Simplified Mapping of Published Vulnerabilities"
    )


@pytest.mark.parametrize(
    ("value", "canonical", "name"),
    [
        ("NVD-CWE-noinfo", "NVD-CWE-noinfo", "Insufficient Information"),
        ("NVD-CWE-Other", "NVD-CWE-Other", "Other"),
        ("nvd-cwe-other", "NVD-CWE-Other", "Other"),
        ("CWE-Other", "NVD-CWE-Other", "Other"),  # JVN iPedia's spelling
        ("CWE-noinfo", "NVD-CWE-noinfo", "Insufficient Information"),
    ],
)
def test_nvd_placeholders_are_accepted(value: str, canonical: str, name: str) -> None:
    assert cwe.normalise_cwe(value) == canonical
    assert cwe.is_known_cwe(value)
    assert cwe.cwe_name(value) == name
    assert not cwe.is_deprecated(value)


@pytest.mark.parametrize(
    "value", ["CWE-999999", "999999", "CWE-0", "abc", "", "   ", "CWE-", "CWE-79a", "CWE--79"]
)
def test_unknown_or_malformed_ids_are_refused(value: str) -> None:
    assert not cwe.is_known_cwe(value)
    assert cwe.cwe_name(value) is None
    assert not cwe.is_deprecated(value)


@pytest.mark.parametrize(
    "value", ["79", "CWE-79", "cwe-79", " CWE-79 ", "CWE79", "CWE 79", "CWE-079", "ＣＷＥ－７９"]
)
def test_spellings_normalise_to_the_canonical_id(value: str) -> None:
    assert cwe.normalise_cwe(value) == "CWE-79"


@pytest.mark.parametrize("value", ["abc", "", "CWE-", "CWE-7 9", "٧٩"])
def test_normalise_rejects_what_is_not_a_cwe_id(value: str) -> None:
    with pytest.raises(ValueError, match="not a CWE identifier"):
        cwe.normalise_cwe(value)


def test_deprecated_entries_are_known_but_flagged() -> None:
    # CWE-1187 was deprecated as a duplicate of CWE-908; old records still cite it.
    assert cwe.is_known_cwe("CWE-1187")
    assert cwe.is_deprecated("CWE-1187")
    assert not cwe.is_deprecated("CWE-79")
    assert not cwe.is_deprecated("CWE-16")  # obsolete is not deprecated


def test_search_by_name_ignores_case() -> None:
    results = cwe.search_cwe("cross-site scripting")
    assert ("CWE-79", cwe.cwe_name("CWE-79")) in results
    assert all("cross-site scripting" in name.lower() for _, name in results)


def test_search_by_id_prefix_comes_first_in_numeric_order() -> None:
    results = cwe.search_cwe("CWE-78", limit=5)
    assert [cwe_id for cwe_id, _ in results][:2] == ["CWE-78", "CWE-780"]
    assert len(results) == 5
    assert cwe.search_cwe("78") == cwe.search_cwe("cwe-78")


def test_search_leaves_out_deprecated_entries() -> None:
    assert "CWE-1187" not in [cwe_id for cwe_id, _ in cwe.search_cwe("1187")]


def test_search_finds_nvd_placeholders_and_ignores_blank_queries() -> None:
    assert ("NVD-CWE-noinfo", "Insufficient Information") in cwe.search_cwe("insufficient info")
    assert cwe.search_cwe("  ") == []


def test_catalogue_is_complete_and_versioned() -> None:
    catalogue = json.loads(cwe.CATALOGUE_PATH.read_text(encoding="utf-8"))
    kinds = [entry["kind"] for entry in catalogue["entries"].values()]
    assert kinds.count("weakness") > 900
    assert kinds.count("category") > 300
    assert kinds.count("view") > 40
    assert catalogue["version"] == cwe.CATALOGUE_VERSION
    assert cwe.CATALOGUE_VERSION.startswith("4.")
    assert (cwe.CATALOGUE_PATH.parent / "CWE-TERMS.txt").is_file()
