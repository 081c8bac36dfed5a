"""The CWE catalogue: check CWE IDs and name them, offline.

``data/cwe.json`` is generated from MITRE's CWE list by ``scripts/build_cwe_catalogue.py``
(IDs, names, kinds and statuses only; MITRE's terms of use are in ``data/CWE-TERMS.txt``).
It ships with the code because the product must refuse unknown IDs without reaching MITRE.

IDs are stored and compared in the canonical form ``CWE-79``. Deprecated entries stay
*known*: old reports and JVN/NVD records cite them, so refusing them would block imports;
callers use ``is_deprecated`` to warn instead.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import TypedDict

CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "cwe.json"

# NVD's two placeholders are not MITRE entries but are valid CWE values in NVD, JVN and CVE
# records, so they are accepted as they are. Names as NVD gives them.
NVD_PSEUDO_IDS = {
    "NVD-CWE-noinfo": "Insufficient Information",
    "NVD-CWE-Other": "Other",
}
# JVN iPedia writes the same placeholders as CWE-noinfo and CWE-Other.
_ALIASES = {
    "CWE-NOINFO": "NVD-CWE-noinfo",
    "CWE-OTHER": "NVD-CWE-Other",
    "NVD-CWE-NOINFO": "NVD-CWE-noinfo",
    "NVD-CWE-OTHER": "NVD-CWE-Other",
}
# "79", "CWE-79", "cwe 79", "CWE79"; ASCII digits only (after NFKC below).
_CWE_ID = re.compile(r"(?:CWE[-_ ]?)?([0-9]{1,7})", re.IGNORECASE)


class Entry(TypedDict):
    name: str
    kind: str  # "weakness", "category" or "view"
    status: str  # MITRE's: Stable, Usable, Draft, Incomplete, Obsolete, Deprecated


class Catalogue(TypedDict):
    version: str
    date: str
    source: str
    entries: dict[str, Entry]


@cache
def _catalogue() -> Catalogue:
    # Read on first use, not at import: most requests never touch a CWE.
    with CATALOGUE_PATH.open(encoding="utf-8") as file:
        catalogue: Catalogue = json.load(file)
    return catalogue


def __getattr__(name: str) -> str:
    # CATALOGUE_VERSION is a module attribute for callers, yet computed lazily (PEP 562).
    if name == "CATALOGUE_VERSION":
        return _catalogue()["version"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


CATALOGUE_VERSION: str  # declared for type checkers; provided by __getattr__ above


def normalise_cwe(value: str) -> str:
    """Return the canonical form of a CWE ID ("CWE-79"); raise ValueError if it is not one.

    Only the shape is checked: use ``is_known_cwe`` to know whether MITRE defines the ID.
    """
    # NFKC folds full-width input from Japanese keyboards ("ＣＷＥ－７９") into ASCII.
    text = unicodedata.normalize("NFKC", value).strip()
    if text.upper() in _ALIASES:
        return _ALIASES[text.upper()]
    match = _CWE_ID.fullmatch(text)
    if match is None:
        raise ValueError(f"not a CWE identifier: {value!r}")
    return f"CWE-{int(match[1])}"  # int() drops leading zeros: CWE-079 is CWE-79


def _entry(value: str) -> Entry | None:
    try:
        cwe_id = normalise_cwe(value)
    except ValueError:
        return None
    return _catalogue()["entries"].get(cwe_id.removeprefix("CWE-"))


def is_known_cwe(value: str) -> bool:
    """True for a weakness, category or view in the catalogue, or an NVD placeholder."""
    try:
        cwe_id = normalise_cwe(value)
    except ValueError:
        return False
    return cwe_id in NVD_PSEUDO_IDS or _entry(cwe_id) is not None


def cwe_name(value: str) -> str | None:
    """MITRE's name for the entry (NVD's for a placeholder), or None if unknown."""
    try:
        cwe_id = normalise_cwe(value)
    except ValueError:
        return None
    if cwe_id in NVD_PSEUDO_IDS:
        return NVD_PSEUDO_IDS[cwe_id]
    entry = _entry(cwe_id)
    return entry["name"] if entry else None


def is_deprecated(value: str) -> bool:
    """True when MITRE has deprecated the entry (a duplicate or a mistake: map elsewhere)."""
    entry = _entry(value)
    return entry is not None and entry["status"] == "Deprecated"


def search_cwe(query: str, limit: int = 20) -> list[tuple[str, str]]:
    """(ID, name) pairs whose ID starts with ``query`` or whose name contains it.

    ID matches come first, then name matches, each in numeric order. Deprecated entries are
    left out: a search serves someone choosing a CWE, and those must not be chosen.
    """
    text = unicodedata.normalize("NFKC", query).strip()
    if not text:
        return []
    digits = re.sub(r"^CWE[-_ ]?", "", text, flags=re.IGNORECASE)
    needle = text.casefold()
    by_id: list[tuple[str, str]] = []
    by_name: list[tuple[str, str]] = []
    for number, entry in _catalogue()["entries"].items():
        if entry["status"] == "Deprecated":
            continue
        pair = (f"CWE-{number}", entry["name"])
        if digits.isdecimal() and number.startswith(digits):
            by_id.append(pair)
        elif needle in entry["name"].casefold():
            by_name.append(pair)
    for cwe_id, name in NVD_PSEUDO_IDS.items():
        if cwe_id.casefold().startswith(needle) or needle in name.casefold():
            by_name.append((cwe_id, name))
    # The catalogue is already in numeric order, so each list is too.
    return (by_id + by_name)[:limit]
