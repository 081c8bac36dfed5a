"""Finding the vendors a case touches: by vendor name (Japanese or English), product
name, CPE 2.3 prefix, purl prefix or technology keyword.

A query starting with ``cpe:`` or ``pkg:`` is an identifier prefix (``cpe:2.3:a:example``
finds every product of that vendor); anything else is folded (NFKC, case-folded) and
looked for in names and keywords. The number of queries does not depend on the registry's
size: names are folded in Python (SQLite's LIKE folds ASCII only), the rest in the
database against folded columns kept by the models.
"""

from __future__ import annotations

from dataclasses import dataclass

from kakehashi.accounts.models import Organisation

from .identifiers import fold
from .models import Product, VendorGroup, VendorProfile

FIELDS = ("name_ja", "name_en", "product", "cpe", "purl", "keywords")
MAX_RESULTS = 200


@dataclass(frozen=True)
class Match:
    organisation: Organisation
    field: str  # one of FIELDS
    product: Product | None = None


def find_vendors(query: str, limit: int = MAX_RESULTS) -> list[Match]:
    query = query.strip()
    if not query:
        return []
    lowered = query.lower()
    if lowered.startswith("cpe:"):
        return _by_identifier("cpe", lowered, limit)
    if lowered.startswith("pkg:"):
        return _by_identifier("purl", query, limit)
    return _by_text(fold(query), limit)


def _by_identifier(field: str, prefix: str, limit: int) -> list[Match]:
    products = Product.objects.filter(**{f"{field}__istartswith": prefix}).select_related(
        "profile__organisation"
    )[:limit]
    return [Match(p.profile.organisation, field, p) for p in products]


def _by_text(needle: str, limit: int) -> list[Match]:
    matches: list[Match] = []
    name_hits: list[tuple[int, str]] = []
    names = VendorProfile.objects.values_list(
        "organisation_id", "organisation__name_ja", "organisation__name_en"
    )
    for organisation_id, name_ja, name_en in names:
        if needle in fold(name_ja):
            name_hits.append((organisation_id, "name_ja"))
        elif needle in fold(name_en):
            name_hits.append((organisation_id, "name_en"))
    organisations = Organisation.objects.in_bulk([pk for pk, _ in name_hits[:limit]])
    matches += [Match(organisations[pk], field) for pk, field in name_hits[:limit]]
    products = Product.objects.filter(search_text__contains=needle).select_related(
        "profile__organisation"
    )[:limit]
    matches += [Match(p.profile.organisation, "product", p) for p in products]
    profiles = VendorProfile.objects.filter(search_keywords__contains=needle).select_related(
        "organisation"
    )[:limit]
    matches += [Match(p.organisation, "keywords") for p in profiles]
    return matches[:limit]


def find_groups(query: str, limit: int = MAX_RESULTS) -> list[VendorGroup]:
    """Vendor groups whose names or description hold ``query`` (folded), with members."""
    needle = fold(query.strip())
    if not needle or needle.startswith(("cpe:", "pkg:")):
        return []
    return list(
        VendorGroup.objects.filter(search_text__contains=needle).prefetch_related(
            "members__organisation"
        )[:limit]
    )
