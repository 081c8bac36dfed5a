"""Validators for the product identifiers the registry is searched by: CPE 2.3 and purl."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CPE_PREFIX = "cpe:2.3:"
CPE_COMPONENTS = 13  # cpe, 2.3, part, vendor, product, version, … other
_CPE_SPLIT = re.compile(r"(?<!\\):")  # "\:" is an escaped colon inside a component
_CPE_PARTS = frozenset({"a", "o", "h", "*", "-"})
# pkg:type/namespace…/name[@version][?qualifiers][#subpath]; the type starts with a letter.
_PURL = re.compile(
    r"^pkg:[A-Za-z][A-Za-z0-9.+-]*/(?:[^/@?#\s]+/)*[^/@?#\s]+"
    r"(?:@[^?#\s]+)?(?:\?[^#\s]*)?(?:#\S*)?$"
)


def validate_cpe(value: str) -> None:
    """A CPE 2.3 formatted string: ``cpe:2.3:part:vendor:product:…`` with 13 components."""
    components = _CPE_SPLIT.split(value)
    if (
        not value.startswith(CPE_PREFIX)
        or len(components) != CPE_COMPONENTS
        or any(not c or c.isspace() or " " in c for c in components)
        or components[2] not in _CPE_PARTS
    ):
        raise ValidationError(
            _(
                "Not a CPE 2.3 name. Expected 13 components starting with “cpe:2.3:”, e.g."
                " cpe:2.3:a:example:cms:2.3:*:*:*:*:*:*:*"
            ),
            code="invalid_cpe",
        )


def validate_purl(value: str) -> None:
    """A package URL of the shape ``pkg:type/name`` (namespace, version etc. optional)."""
    if not _PURL.match(value):
        raise ValidationError(
            _("Not a package URL. Expected pkg:type/name, e.g. pkg:npm/example-cms@2.3.0"),
            code="invalid_purl",
        )


def fold(text: str) -> str:
    """The search key of a text: NFKC (full-width → half-width, ｶﾅ → カナ), case-folded,
    whitespace collapsed, so "ＥＸＡＭＰＬＥ  Cms" finds "Example CMS"."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
