"""How a revision reads on a page: the sections in the reader's language (the other
one where a language was waived), sanitised Markdown, the vendor table, the CVSS
analysis with its metric labels, and the links between the languages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kakehashi.cases.choices import VexJustification, VexStatus
from kakehashi.core.markdown import render_markdown

from .content import TEXT_FIELDS
from .models import Advisory

SECTION_TITLES = {
    "overview": _("Overview"),
    "affected": _("Affected products"),
    "description": _("Description"),
    "impact": _("Impact"),
    "solution": _("Solution"),
    "references": _("References"),
    "notes": _("Coordinator's notes"),
}

CVSS3_LABELS = {
    "AV": (
        _("Attack vector"),
        {"N": _("Network"), "A": _("Adjacent"), "L": _("Local"), "P": _("Physical")},
    ),
    "AC": (_("Attack complexity"), {"L": _("Low"), "H": _("High")}),
    "PR": (
        _("Privileges required"),
        {"N": pgettext_lazy("CVSS: not required", "None"), "L": _("Low"), "H": _("High")},
    ),
    "UI": (
        _("User interaction"),
        {"N": pgettext_lazy("CVSS: not required", "None"), "R": _("Required")},
    ),
    "S": (_("Scope"), {"U": _("Unchanged"), "C": _("Changed")}),
    "C": (_("Confidentiality impact"), {"N": _("None"), "L": _("Low"), "H": _("High")}),
    "I": (_("Integrity impact"), {"N": _("None"), "L": _("Low"), "H": _("High")}),
    "A": (_("Availability impact"), {"N": _("None"), "L": _("Low"), "H": _("High")}),
}

SEVERITY_LABELS = {
    "None": pgettext_lazy("CVSS severity", "None"),
    "Low": pgettext_lazy("CVSS severity", "Low"),
    "Medium": pgettext_lazy("CVSS severity", "Medium"),
    "High": pgettext_lazy("CVSS severity", "High"),
    "Critical": pgettext_lazy("CVSS severity", "Critical"),
}


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def page_context(advisory: Advisory, content: dict[str, Any], language: str) -> dict[str, Any]:
    texts = content["texts"]
    shown = language if language in texts else next(iter(texts))
    text = texts[shown]
    sections = [
        {"key": key, "title": SECTION_TITLES[key], "html": render_markdown(text[key])}
        for key in TEXT_FIELDS
        if key != "title" and text.get(key, "").strip()
    ]
    name_key = "name_ja" if language == "ja" else "name_en"
    statement_key = "statement_ja" if language == "ja" else "statement_en"
    other_statement = "statement_en" if language == "ja" else "statement_ja"
    vendors = [
        {
            "name": vendor[name_key] or vendor["name_en"] or vendor["name_ja"],
            "advisory_url": vendor.get("advisory_url", ""),
            "statuses": [
                {
                    **status,
                    "status_label": _label(VexStatus, status["status"]),
                    "justification_label": _label(VexJustification, status["justification"])
                    if status["justification"]
                    else "",
                    "statement": status[statement_key] or status[other_statement],
                }
                for status in vendor["statuses"]
            ],
        }
        for vendor in content["vendors"]
    ]
    analysis = []
    for vulnerability in content["vulnerabilities"]:
        v3 = vulnerability.get("cvss_v3")
        rows = []
        if v3:
            rows = [
                {"name": CVSS3_LABELS[key][0], "value": CVSS3_LABELS[key][1].get(value, value)}
                for key, value in v3["metrics"].items()
                if key in CVSS3_LABELS
            ]
        analysis.append(
            {
                **vulnerability,
                "title": vulnerability["title_ja" if language == "ja" else "title_en"]
                or vulnerability["title_en"]
                or vulnerability["title_ja"],
                "v3_rows": rows,
                "v3_severity": SEVERITY_LABELS.get(v3["severity"], v3["severity"]) if v3 else "",
            }
        )
    history = [
        {
            "number": entry["number"],
            "at": datetime.fromisoformat(entry["at"]),
            "note": entry["note_ja" if language == "ja" else "note_en"]
            or entry["note_en"]
            or entry["note_ja"],
        }
        for entry in content["history"]
    ]
    return {
        "advisory": advisory,
        "content": content,
        "title": text["title"],
        "shown_language": shown,
        "language_missing": shown != language,
        "sections": sections,
        "vendors": vendors,
        "analysis": analysis,
        "history": history,
        "credits": content["credits"],
        "cve_ids": content["cve_ids"],
        "vendor_links": [v for v in vendors if v["advisory_url"]],
        "published_at": datetime.fromisoformat(content["published_at"]),
        "updated_at": datetime.fromisoformat(content["updated_at"]),
        "withdrawn": advisory.state == "withdrawn",
        "withdrawal_reason": (
            advisory.withdrawal_reason_ja if language == "ja" else advisory.withdrawal_reason_en
        )
        or advisory.withdrawal_reason_en
        or advisory.withdrawal_reason_ja,
    }
