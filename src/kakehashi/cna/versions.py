"""Affected versions as CVE records express them: ranges with ``lessThan`` /
``lessThanOrEqual`` and a ``versionType`` where the case says enough, the vendor's own
words otherwise.

A product's "affected versions" text is read when it has a common shape — "3.2.0 and
earlier", "3.2.0 以前", "<= 3.2.0", "before 3.2.1", "3.2.1 未満", "2.0 through 2.4" — and a
fixed version from an approved "fixed" status closes the range (``lessThan`` the fix).
Anything else ("v6 R4 and earlier", "all versions") is kept as the text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# purl type → the CVE record's versionType (its scheme for comparing versions).
VERSION_TYPES = {
    "pypi": "python",
    "npm": "semver",
    "cargo": "semver",
    "golang": "semver",
    "nuget": "semver",
    "composer": "semver",
    "gem": "semver",
    "maven": "maven",
    "deb": "deb",
    "rpm": "rpm",
}
DEFAULT_VERSION_TYPE = "custom"

_VERSION = r"v?(?P<{name}>[0-9][\w.+~-]*)"
_PATTERNS = [
    (
        re.compile(
            rf"^{_VERSION.format(name='end')}\s+(?:and|or)\s+(?:earlier|prior|older)$", re.I
        ),
        True,
    ),
    (re.compile(rf"^{_VERSION.format(name='end')}\s*以前(?:のバージョン)?$"), True),
    (re.compile(rf"^(?:<=|≤|up to|through)\s*{_VERSION.format(name='end')}$", re.I), True),
    (re.compile(rf"^{_VERSION.format(name='end')}\s*(?:未満|より前)(?:のバージョン)?$"), False),
    (re.compile(rf"^(?:<|before|prior to)\s*{_VERSION.format(name='end')}$", re.I), False),
]
_BETWEEN = re.compile(
    rf"^{_VERSION.format(name='start')}\s*(?:through|to|-|–|〜|～|から)\s*"
    rf"{_VERSION.format(name='end')}(?:\s*まで)?$",
    re.I,
)


@dataclass(frozen=True)
class VersionRange:
    start: str  # "0" when the text gives no lower bound
    end: str
    inclusive: bool


def parse_range(text: str) -> VersionRange | None:
    text = " ".join(text.split())
    match = _BETWEEN.match(text)
    if match:
        return VersionRange(match["start"], match["end"], inclusive=True)
    for pattern, inclusive in _PATTERNS:
        match = pattern.match(text)
        if match:
            return VersionRange("0", match["end"], inclusive)
    return None


def version_type(purl: str) -> str:
    kind = purl[4:].split("/", 1)[0].lower() if purl.startswith("pkg:") else ""
    return VERSION_TYPES.get(kind, DEFAULT_VERSION_TYPE)


def affected_versions(text: str, fixed_in: str, purl: str, status: str) -> list[dict[str, str]]:
    """The ``versions`` of one affected entry (``status``: affected / unknown)."""
    text, fixed_in = text.strip(), fixed_in.strip()
    kind = version_type(purl)
    parsed = parse_range(text) if text else None
    if fixed_in:
        start = parsed.start if parsed else "0"
        return [{"version": start, "lessThan": fixed_in, "status": "affected", "versionType": kind}]
    if parsed is not None:
        bound = "lessThanOrEqual" if parsed.inclusive else "lessThan"
        return [{"version": parsed.start, bound: parsed.end, "status": status, "versionType": kind}]
    if text:
        return [{"version": text[:1024], "status": status}]
    return []
