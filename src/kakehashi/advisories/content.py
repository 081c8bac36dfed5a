"""What an advisory says, assembled from its case: the draft's starting texts per
language, and the frozen content of a published revision.

The revision content is plain JSON (``AdvisoryRevision.content``): every public page,
feed and export is rendered from it alone, so what was published stays what it was.
Vendor rows come only from statuses the coordinator approved; publication is refused
while a statement awaits approval (:func:`publication_problems`).
"""

from __future__ import annotations

from typing import Any

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError
from django.utils import translation
from django.utils.translation import gettext as _

from kakehashi.cases.models import Case, CaseProduct, Participant, VendorStatus, Vulnerability
from kakehashi.core.cwe import cwe_name
from kakehashi.intake.credits import public_credits
from kakehashi.translation.choices import SourceKind
from kakehashi.translation.sources import reviewed_translations

from .choices import LANGUAGES, AdvisoryKind
from .models import Advisory, AdvisoryText, AlertProduct, VendorReview

TEXT_FIELDS = (
    "title",
    "overview",
    "affected",
    "description",
    "impact",
    "solution",
    "references",
    "notes",
)

# CVSS v3.1 base metrics in the order of the JVN analysis table.
CVSS3_METRICS = ("AV", "AC", "PR", "UI", "S", "C", "I", "A")


def _vendors(case: Case) -> list[Participant]:
    return list(Participant.objects.vendors().filter(case=case).select_related("organisation"))


def _vulnerabilities(case: Case) -> list[Vulnerability]:
    return list(Vulnerability.objects.filter(case=case).order_by("number"))


def _products(case: Case) -> list[CaseProduct]:
    return list(
        CaseProduct.objects.filter(case=case)
        .select_related("vendor__organisation")
        .order_by("vendor_id", "name")
    )


# --- the first draft -------------------------------------------------------------------


def draft_texts(case: Case, kind: str = "") -> dict[str, dict[str, str]]:
    """Starting texts per language, for the coordinator to edit. An alert (JVNTA#)
    says why it is urgent and leads with workarounds: its fix may not exist yet."""
    vulnerabilities = _vulnerabilities(case)
    products = _products(case)
    unreachable = kind != AdvisoryKind.ALERT and _published_for_unreachable(case)
    texts: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        # A description written in the other language only: its reviewed translation.
        translated = reviewed_translations(case, SourceKind.VULNERABILITY, language)
        with translation.override(language):
            title = case.title(language)
            affected = "\n".join(
                f"- {p.vendor.display_name(language)} {p.name} {p.versions}".rstrip()
                for p in products
            )
            description = "\n\n".join(
                _vulnerability_paragraph(v, language, translated.get(v.pk, ""))
                for v in vulnerabilities
            )
            texts[language] = {
                "title": title,
                "overview": _("%(title)s. Affected products and their fixes are listed below.")
                % {"title": title}
                if title
                else "",
                "affected": affected,
                "description": description,
                "impact": "",
                "solution": _(
                    "Update the software to the version that fixes the vulnerability, following "
                    "the information from the developer."
                ),
                "references": "",
                "notes": "",
            }
            if kind == AdvisoryKind.ALERT:
                texts[language].update(_alert_texts(case, title))
            elif unreachable:
                texts[language].update(_unreachable_texts(texts[language]["overview"]))
    return texts


def _published_for_unreachable(case: Case) -> bool:
    """The publication committee decided to publish because the developer could not be
    reached (guideline IV.3(2)): the advisory must say so and cannot point to a fix."""
    from kakehashi.committee.choices import Ground, Outcome
    from kakehashi.committee.models import CommitteeFile

    return CommitteeFile.objects.filter(
        case=case, ground=Ground.UNREACHABLE, decision__outcome=Outcome.PUBLISH
    ).exists()


def _unreachable_texts(overview: str) -> dict[str, str]:
    """An unreachable developer's advisory (in the active language)."""
    why = _(
        "The developer of the product could not be reached. Following the decision of the "
        "publication committee, this advisory is published without the developer's "
        "confirmation."
    )
    return {
        "overview": f"{overview}\n\n{why}" if overview else why,
        "solution": _(
            "**Stop using the product**\n\nNo fix is known from the developer. Stop using "
            "the product, or move to another product with the same function."
        ),
    }


def _alert_texts(case: Case, title: str) -> dict[str, str]:
    """An urgent alert's overview and solution (in the active language)."""
    if "A" in case.pxa:
        urgency = _("Attacks exploiting this vulnerability have been observed.")
    elif "X" in case.pxa:
        urgency = _("Exploit code for this vulnerability is public.")
    else:
        urgency = ""
    overview = " ".join(p for p in (f"{title}." if title else "", urgency) if p)
    return {
        "overview": overview
        + ("\n\n" if overview else "")
        + _("Apply the workarounds below at once, and update as soon as a fix is released."),
        "solution": _(
            "**Workarounds**\n\nUntil a fix is available, apply the following "
            "workarounds:\n\n- \n\n**Update**\n\nWhen the developer releases a fix, "
            "update to the fixed version."
        ),
    }


def _vulnerability_paragraph(
    vulnerability: Vulnerability, language: str, translated: str = ""
) -> str:
    """The vulnerability in ``language``: its own text, else the reviewed translation
    of the other language's, else (for the coordinator to translate) the other's."""
    title = vulnerability.title(language)
    text = vulnerability.description_ja if language == "ja" else vulnerability.description_en
    text = (
        text
        or translated
        or (vulnerability.description_en if language == "ja" else vulnerability.description_ja)
    )
    cwe = ""
    if vulnerability.cwe_id:
        name = cwe_name(vulnerability.cwe_id) or ""
        cwe = f" ({vulnerability.cwe_id}{': ' + name if name else ''})"
    return f"**{title}**{cwe}\n\n{text}".strip()


# --- checks before publication --------------------------------------------------------


def publication_problems(advisory: Advisory) -> list[str]:
    """Why ``advisory`` may not be published now (empty: it may)."""
    problems: list[str] = []
    texts = {t.language: t for t in advisory.texts.all()}
    for language in LANGUAGES:
        text = texts.get(language)
        if advisory.waived_language == language:
            continue
        label = _("Japanese") if language == "ja" else _("English")
        if text is None or not text.title.strip():
            problems.append(_("The %(language)s text has no title.") % {"language": label})
        elif not text.approved:
            problems.append(
                _("The %(language)s text is not approved in its current version.")
                % {"language": label}
            )
    if advisory.case is not None:
        problems += _case_problems(advisory.case)
    else:
        problems += _alert_problems(advisory)
    if not problems:
        problems += _export_problems(advisory, texts)
    return problems


def _export_problems(advisory: Advisory, texts: dict[str, AdvisoryText]) -> list[str]:
    """What the exports of the advisory, as it would be published now, would get wrong."""
    from django.utils import timezone

    from .exports.checks import export_problems
    from .models import AdvisoryRevision

    now = timezone.now().isoformat()
    current = advisory.current_revision
    history = [
        *(current.content["history"] if current is not None else []),
        {"number": (current.number if current else 0) + 1, "at": now, "note_ja": "", "note_en": ""},
    ]
    content = revision_content(advisory, texts, history)
    first = advisory.published_at.isoformat() if advisory.published_at else now
    content.update(published_at=first, updated_at=now, revision=history[-1]["number"])
    revision = AdvisoryRevision(advisory=advisory, number=history[-1]["number"], content=content)
    return export_problems(revision)


def _case_problems(case: Case) -> list[str]:
    problems = []
    pending = (
        VendorStatus.objects.filter(case=case, approved_at__isnull=True, vendor__removed_at=None)
        .select_related("vendor__organisation", "vulnerability")
        .order_by("vendor_id")
    )
    for status in pending:
        problems.append(
            _("%(vendor)s's statement on #%(number)d awaits approval.")
            % {"vendor": status.vendor.display_name(), "number": status.vulnerability.number}
        )
    for vulnerability in _vulnerabilities(case):
        for vector, parse in (
            (vulnerability.cvss_v3_vector, CVSS3),
            (vulnerability.cvss_v4_vector, CVSS4),
        ):
            if not vector:
                continue
            try:
                parse(vector)
            except CVSSError:
                problems.append(
                    _("Vulnerability #%(number)d has an invalid CVSS vector.")
                    % {"number": vulnerability.number}
                )
    return problems


def _alert_problems(advisory: Advisory) -> list[str]:
    """The hand-entered facts of an alert without a case, checked again."""
    problems = []
    for vector, parse in ((advisory.cvss_v3_vector, CVSS3), (advisory.cvss_v4_vector, CVSS4)):
        if not vector:
            continue
        try:
            parse(vector)
        except CVSSError:
            problems.append(_("The alert has an invalid CVSS vector."))
    return problems


# --- the frozen content ----------------------------------------------------------------


def _cvss3(vector: str) -> dict[str, Any] | None:
    if not vector:
        return None
    parsed = CVSS3(vector)
    metrics = dict(part.split(":") for part in vector.split("/")[1:])
    return {
        "vector": vector,
        "score": float(parsed.base_score),
        "severity": str(parsed.severities()[0]),
        "metrics": {key: metrics.get(key, "") for key in CVSS3_METRICS},
    }


def _cvss4(vector: str) -> dict[str, Any] | None:
    if not vector:
        return None
    parsed = CVSS4(vector)
    return {"vector": vector, "score": float(parsed.base_score), "severity": str(parsed.severity)}


def _vendor_rows(
    case: Case, vendors: list[Participant], advisory: Advisory
) -> list[dict[str, Any]]:
    # The URL and instant each vendor gave for its own advisory (VendorReview).
    own = {
        review.participant_id: review
        for review in VendorReview.objects.filter(advisory=advisory).exclude(vendor_advisory_url="")
    }
    # A statement given in one language only: its reviewed translation for the other.
    translated = {
        language: reviewed_translations(case, SourceKind.VENDOR_STATEMENT, language)
        for language in LANGUAGES
    }
    statuses: dict[int, list[dict[str, Any]]] = {}
    for status in (
        VendorStatus.objects.filter(case=case, approved_at__isnull=False)
        .select_related("vulnerability", "product")
        .order_by("vendor_id", "vulnerability__number", "product__name")
    ):
        statuses.setdefault(status.vendor_id, []).append(
            {
                "vulnerability": status.vulnerability.number,
                "product": status.product.name if status.product else "",
                "status": status.status,
                "justification": status.justification,
                # Why the vendor disputes the report: published with its status.
                "reason": status.reason if status.status == "disputed" else "",
                "statement_ja": status.statement_ja or translated["ja"].get(status.pk, ""),
                "statement_en": status.statement_en or translated["en"].get(status.pk, ""),
                "fixed_in": status.fixed_in,
                "updated_at": status.updated_at.isoformat(),
            }
        )
    return [
        {
            "name_ja": vendor.display_name("ja"),
            "name_en": vendor.display_name("en"),
            "notified_at": vendor.notified_at.isoformat() if vendor.notified_at else None,
            "statuses": statuses.get(vendor.pk, []),
            "advisory_url": own[vendor.pk].vendor_advisory_url if vendor.pk in own else "",
        }
        for vendor in vendors
    ]


def revision_content(
    advisory: Advisory, texts: dict[str, AdvisoryText], history: list[dict[str, Any]]
) -> dict[str, Any]:
    """Everything a public surface shows of this revision."""
    case = advisory.case
    if case is None:
        return _caseless_content(advisory, texts, history)
    vulnerabilities = _vulnerabilities(case)
    products = _products(case)
    vendors = _vendors(case)
    return {
        **_common(advisory, texts, history),
        "vulnerabilities": [
            {
                "number": v.number,
                "title_ja": v.title_ja,
                "title_en": v.title_en,
                "cwe_id": v.cwe_id,
                "cwe_name": (cwe_name(v.cwe_id) or "") if v.cwe_id else "",
                "cve_id": v.cve_id,
                "cvss_v3": _cvss3(v.cvss_v3_vector),
                "cvss_v4": _cvss4(v.cvss_v4_vector),
            }
            for v in vulnerabilities
        ],
        "products": [
            {
                "vendor_ja": p.vendor.display_name("ja"),
                "vendor_en": p.vendor.display_name("en"),
                "name": p.name,
                "versions": p.versions,
                "cpe": p.cpe,
                "purl": p.purl,
            }
            for p in products
        ],
        "vendors": _vendor_rows(case, vendors, advisory),
        "credits": public_credits(case),
        "cve_ids": [v.cve_id for v in vulnerabilities if v.cve_id],
    }


def _common(
    advisory: Advisory, texts: dict[str, AdvisoryText], history: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": advisory.advisory_id,
        "slug": advisory.slug,
        "kind": advisory.kind,
        "critical": advisory.critical,
        "waived_language": advisory.waived_language,
        "texts": {
            language: {field: getattr(text, field) for field in TEXT_FIELDS}
            for language, text in texts.items()
            if language != advisory.waived_language
        },
        "history": history,
    }


def _caseless_content(
    advisory: Advisory, texts: dict[str, AdvisoryText], history: list[dict[str, Any]]
) -> dict[str, Any]:
    """The content of an alert without a case, from its hand-entered facts, in the
    shape every export reads: one vulnerability per CVE ID (one without an ID when
    none is known but something is said about it), every listed product affected —
    or fixed in the version given — and one vendor row per vendor."""
    products = list(AlertProduct.objects.filter(advisory=advisory))
    title = {lang: text.title for lang, text in texts.items()}
    cve_ids = list(advisory.cve_ids)
    facts = products or advisory.cwe_id or advisory.cvss_v3_vector or advisory.cvss_v4_vector
    numbered = cve_ids or ([""] if facts else [])
    vulnerabilities = [
        {
            "number": number,
            "title_ja": title.get("ja", ""),
            "title_en": title.get("en", ""),
            "cwe_id": advisory.cwe_id,
            "cwe_name": (cwe_name(advisory.cwe_id) or "") if advisory.cwe_id else "",
            "cve_id": cve_id,
            "cvss_v3": _cvss3(advisory.cvss_v3_vector),
            "cvss_v4": _cvss4(advisory.cvss_v4_vector),
        }
        for number, cve_id in enumerate(numbered, start=1)
    ]
    vendors: dict[str, dict[str, Any]] = {}
    for product in products:
        row = vendors.setdefault(
            product.vendor_en,
            {
                "name_ja": product.vendor_ja or product.vendor_en,
                "name_en": product.vendor_en,
                "notified_at": None,
                "statuses": [],
                "advisory_url": "",
            },
        )
        row["statuses"] += [
            {
                "vulnerability": vulnerability["number"],
                "product": product.name,
                "status": "fixed" if product.fixed_in else "affected",
                "justification": "",
                "statement_ja": "",
                "statement_en": "",
                "fixed_in": product.fixed_in,
                "updated_at": advisory.created_at.isoformat(),
            }
            for vulnerability in vulnerabilities
        ]
    return {
        **_common(advisory, texts, history),
        "vulnerabilities": vulnerabilities,
        "products": [
            {
                "vendor_ja": p.vendor_ja or p.vendor_en,
                "vendor_en": p.vendor_en,
                "name": p.name,
                "versions": p.versions,
                "cpe": p.cpe,
                "purl": p.purl,
            }
            for p in products
        ],
        "vendors": list(vendors.values()),
        "credits": [],
        "cve_ids": cve_ids,
    }
