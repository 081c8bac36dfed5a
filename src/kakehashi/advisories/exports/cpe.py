"""CPE 2.3 formatted strings to CPE 2.2 URIs, as JVNRSS and VULDEF carry them.

Follows NISTIR 7695 (CPE Naming 2.3): the formatted string is unbound to its
well-formed name (§6.2.3) and the name is bound to a URI (§6.1.2). ANY ("*") becomes an
empty component, NA ("-") stays "-", quoted and special characters are percent-encoded
(lower-case hex, "-" "." "_" kept), the 2.3-only attributes (sw_edition, target_sw,
target_hw, other) are packed into the edition component as ``~ed~sw~tsw~thw~o``, and
trailing empty components are dropped.
"""

from __future__ import annotations

import re

_SPLIT = re.compile(r"(?<!\\):")
_COMPONENTS = 13  # "cpe", "2.3", part, vendor, product, version, update, edition, …
_ANY = object()  # the logical value ANY ("*")
_NA = object()  # the logical value NA ("-")
# Characters a URI keeps as they are; every other printable character is %-encoded.
_KEPT = frozenset("-._")


def cpe22_uri(name: str) -> str | None:
    """The CPE 2.2 URI of ``name`` (a 2.3 formatted string, or already a 2.2 URI);
    None when ``name`` is neither."""
    if name.startswith("cpe:/"):
        return name if name.isascii() and " " not in name else None
    if not name.startswith("cpe:2.3:") or not name.isascii():
        return None
    components = _SPLIT.split(name)
    if len(components) != _COMPONENTS:
        return None
    try:
        values = [_unbind(component) for component in components[2:]]
    except ValueError:
        return None
    part, vendor, product, version, update, edition, language = values[:7]
    extended = values[7:]  # sw_edition, target_sw, target_hw, other
    if part not in ("a", "o", "h", _ANY):
        return None
    if all(value is _ANY for value in extended):
        packed = _bind(edition)
    else:
        packed = "~" + "~".join(_bind(value) for value in (edition, *extended))
    bound = [_bind(v) for v in (part, vendor, product, version, update)]
    return ("cpe:/" + ":".join([*bound, packed, _bind(language)])).rstrip(":")


def _unbind(component: str) -> object | str:
    """One formatted-string component as a WFN value: ANY, NA, or a string in which
    every character but letters, digits and "_" is quoted with a backslash, and
    unquoted "*" / "?" are the wildcards."""
    if component == "*":
        return _ANY
    if component == "-":
        return _NA
    if not component or any(c.isspace() for c in component):
        raise ValueError(component)
    out: list[str] = []
    index = 0
    while index < len(component):
        char = component[index]
        if char == "\\":
            if index + 1 == len(component):
                raise ValueError(component)  # a lone trailing backslash
            out.append("\\" + component[index + 1])
            index += 2
            continue
        if char.isalnum() or char == "_" or char in "*?":
            out.append(char)
        else:
            out.append("\\" + char)
        index += 1
    return "".join(out)


def _bind(value: object | str) -> str:
    if value is _ANY:
        return ""
    if value is _NA:
        return "-"
    assert isinstance(value, str)
    out: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            quoted = value[index + 1]
            out.append(quoted if quoted in _KEPT else f"%{ord(quoted):02x}")
            index += 2
            continue
        if char == "?":
            out.append("%01")  # the single-character wildcard
        elif char == "*":
            out.append("%02")  # the multi-character wildcard
        else:
            out.append(char)
        index += 1
    return "".join(out)
