"""The known-vulnerability check: acceptance check (オ) asks whether a report repeats
something already reported, coordinated or published.

:func:`find_similar` asks every registered search provider and ranks what they find.
This module provides two: the desk's own reports and the cases. Other apps add theirs
(published advisories, the imported CVE corpus) with :func:`register_search_provider`
from their ``AppConfig.ready()``; a provider is a plain function
``(report, terms) -> Iterable[Match]`` that reads only what the report's desk may see.

Texts are compared in both languages as they were written (no translation): Japanese
has no word boundaries, so a term matches as a substring, after NFKC folding (full-width
“ＣＭＳ” is “CMS”) and case folding.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import F, Prefetch, Q, Value
from django.db.models.lookups import IContains
from django.urls import reverse
from django.utils.translation import gettext as _

from kakehashi.cases.models import Case, CaseProduct, Vulnerability

from .models import Report

CVE_ID = re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.IGNORECASE)
MAX_WORDS = 8
MIN_WORD_LENGTH = 2
PER_PROVIDER = 50  # rows a provider reads before ranking
MAX_MATCHES = 20
LIKELY = 3  # without a query, only matches at least this strong are shown

# Points per kind of evidence.
SAME_CVE = 5
SAME_PRODUCT = 3
SAME_SITE = 3
NAMES_PRODUCT = 3  # a title or text naming the product is as telling
SAME_VENDOR = 1
SAME_WORD = 1


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold().strip()


@dataclass(frozen=True)
class Terms:
    """What to look for: from the report itself, or from the clerk's query."""

    product: str = ""
    vendor: str = ""
    site: str = ""  # the host of a website report (compared with the desk's reports only)
    cve_ids: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.product or self.vendor or self.site or self.cve_ids or self.words)


def cve_ids_in(*texts: str) -> tuple[str, ...]:
    found = {m.upper() for text in texts for m in CVE_ID.findall(text or "")}
    return tuple(sorted(found))


def terms_for(report: Report, query: str | None = None) -> Terms:
    if query is not None and query.strip():
        folded = fold(query)
        cves = cve_ids_in(query)
        tokens = [t for t in folded.split() if len(t) >= MIN_WORD_LENGTH and t.upper() not in cves]
        if len(tokens) > 1:
            tokens.append(" ".join(tokens))  # the phrase counts once more
        return Terms(cve_ids=cves, words=tuple(dict.fromkeys(tokens))[:MAX_WORDS])
    return Terms(
        product=fold(report.product_name),
        vendor=fold(report.vendor_name),
        site=fold(urlsplit(report.site_url).hostname or "") if report.site_url else "",
        cve_ids=cve_ids_in(report.title, report.description, report.reproduction, report.impact),
    )


@dataclass(frozen=True)
class Match:
    source: str  # "report", "case", or a provider's own ("advisory", "cve")
    key: str  # tracking ID, case reference, advisory or CVE ID
    title: str
    score: int
    reasons: tuple[str, ...]
    status: str = ""
    url: str = ""
    report_id: int | None = None  # a report of the same desk: may be marked as the original


SearchProvider = Callable[[Report, Terms], Iterable[Match]]
_PROVIDERS: dict[str, SearchProvider] = {}


def register_search_provider(name: str, provider: SearchProvider) -> None:
    """Add a source to the known-vulnerability check; the same name replaces it."""
    _PROVIDERS[name] = provider


def search_providers() -> dict[str, SearchProvider]:
    return dict(_PROVIDERS)


def find_similar(report: Report, query: str | None = None) -> list[Match]:
    """Likely duplicates or known vulnerabilities for ``report``, strongest first.

    Without a query the report's own product, vendor, site and CVE IDs are searched and
    only strong matches are returned; with one, its words and CVE IDs, and any match.
    """
    terms = terms_for(report, query)
    if terms.empty:
        return []
    minimum = 1 if query and query.strip() else LIKELY
    matches = [
        match
        for provider in _PROVIDERS.values()
        for match in provider(report, terms)
        if match.score >= minimum
    ]
    matches.sort(key=lambda m: (-m.score, m.source, m.key))
    return matches[:MAX_MATCHES]


def score(
    terms: Terms,
    *,
    products: Iterable[str] = (),
    vendors: Iterable[str] = (),
    sites: Iterable[str] = (),
    texts: Iterable[str] = (),
    cve_ids: Iterable[str] = (),
) -> tuple[int, tuple[str, ...]]:
    """Points and reasons (translated) for one candidate; a provider's helper."""
    products = [fold(p) for p in products if p]
    vendors = [fold(v) for v in vendors if v]
    texts = [fold(t) for t in texts if t]
    everything = [*products, *vendors, *texts]
    total, reasons = 0, list[str]()
    if terms.product and any(terms.product in p or p in terms.product for p in products):
        total, reasons = total + SAME_PRODUCT, [*reasons, _("same product")]
    elif terms.product and any(terms.product in t for t in texts):
        total, reasons = total + NAMES_PRODUCT, [*reasons, _("names the product")]
    if terms.vendor and any(terms.vendor in v or v in terms.vendor for v in vendors):
        total, reasons = total + SAME_VENDOR, [*reasons, _("same vendor")]
    if terms.site and any(terms.site == fold(urlsplit(s).hostname or "") for s in sites if s):
        total, reasons = total + SAME_SITE, [*reasons, _("same website")]
    known_cves = {c.upper() for c in cve_ids if c}
    for cve in terms.cve_ids:
        if cve in known_cves or any(cve.casefold() in t for t in texts):
            total, reasons = total + SAME_CVE, [*reasons, cve]
    for word in terms.words:
        if any(word in text for text in everything):
            total, reasons = total + SAME_WORD, [*reasons, _("“%(word)s”") % {"word": word}]
    return total, tuple(reasons)


def _contains_any(fields: Iterable[str], values: Iterable[str]) -> Q:
    q = Q()
    for value in values:
        for field in fields:
            q |= Q(**{f"{field}__icontains": value})
    return q


# --- The built-in providers -----------------------------------------------------------


def similar_reports(report: Report, terms: Terms) -> list[Match]:
    """Other reports of the same desk (one query)."""
    text_fields = ("title", "description")
    q = _contains_any(
        ("title", "product_name", "vendor_name", "description"), (*terms.words, *terms.cve_ids)
    )
    if terms.product:
        q |= _contains_any(("product_name", *text_fields), [terms.product])
        # The other report names a shorter form of the product ("CMS" ⊂ "CMS Pro").
        q |= IContains(Value(terms.product), F("product_name")) & ~Q(product_name="")
    if terms.vendor:
        q |= Q(vendor_name__icontains=terms.vendor)
    if terms.site:
        q |= Q(site_url__icontains=terms.site)
    candidates = (
        Report.objects.filter(q, reception_org_id=report.reception_org_id)
        .exclude(pk=report.pk)
        .order_by("-submitted_at")[:PER_PROVIDER]
    )
    matches = []
    for other in candidates:
        points, reasons = score(
            terms,
            products=[other.product_name],
            vendors=[other.vendor_name],
            sites=[other.site_url],
            texts=[other.title, other.description],
        )
        matches.append(
            Match(
                source="report",
                key=other.tracking_id,
                title=other.title,
                score=points,
                reasons=reasons,
                status=other.get_state_display(),
                url=reverse("intake:desk_report", kwargs={"report_id": other.pk}),
                report_id=other.pk,
            )
        )
    return matches


def similar_cases(report: Report, terms: Terms) -> list[Match]:
    """Cases this desk forwarded, and published cases of any desk (three queries).

    Other desks' unpublished cases stay out: an embargoed case's existence must not leak.
    """
    phrases = [p for p in (terms.product, *terms.words) if p]
    q = _contains_any(
        ("title_ja", "title_en", "vulnerabilities__title_ja", "vulnerabilities__title_en"),
        [*phrases, *terms.cve_ids],
    )
    if terms.cve_ids:
        q |= Q(vulnerabilities__cve_id__in=terms.cve_ids)
    if phrases:
        q |= _contains_any(["products__name"], phrases)
    if not q:
        return []
    visible = Q(reception_org_id=report.reception_org_id) | Q(published_at__isnull=False)
    candidates = (
        Case.objects.filter(visible)
        .filter(q)
        .exclude(pk=report.case_id or 0)
        .distinct()
        .order_by("-created_at")
        .prefetch_related(
            Prefetch(
                "vulnerabilities",
                Vulnerability.objects.only("case_id", "title_ja", "title_en", "cve_id"),
            ),
            Prefetch("products", CaseProduct.objects.only("case_id", "name")),
        )[:PER_PROVIDER]
    )
    matches = []
    for case in candidates:
        flaws = list(case.vulnerabilities.all())
        points, reasons = score(
            terms,
            products=[p.name for p in case.products.all()],
            texts=[
                case.title_ja,
                case.title_en,
                *(v.title_ja for v in flaws),
                *(v.title_en for v in flaws),
            ],
            cve_ids=[v.cve_id for v in flaws],
        )
        own = case.reception_org_id == report.reception_org_id
        matches.append(
            Match(
                source="case",
                key=case.reference,
                title=case.title(),
                score=points,
                reasons=reasons,
                status=case.get_phase_display(),
                url=reverse("cases:detail", kwargs={"case_id": case.pk}) if own else "",
            )
        )
    return matches


register_search_provider("reports", similar_reports)
register_search_provider("cases", similar_cases)
