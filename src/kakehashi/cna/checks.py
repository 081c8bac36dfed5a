"""Checks a record must pass before it is published, each failure reported by field.

Two layers: the CVE JSON 5.1.1 schema (the official container schemas shipped in
``data/cve-schema``, draft-07), and the CNA Operational Rules that a schema cannot
express (``formats.md`` §3): an English description; no credits and no other
databases' IDs in descriptions; an affected (or unknown) product; a CWE; a public
reference that exists before the record; publication within 72 hours of public
disclosure (a warning from 24 hours).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from kakehashi.cases.models import Case

SCHEMA_DIR = Path(__file__).parent / "data" / "cve-schema" / "5.1.1"
PUBLISHED_SCHEMA = SCHEMA_DIR / "CVE_JSON_cnaPublishedContainer_5.1.1.json"
REJECTED_SCHEMA = SCHEMA_DIR / "CVE_JSON_cnaRejectedContainer_5.1.1.json"
RECORD_SCHEMA = SCHEMA_DIR / "CVE_JSON_bundled_5.1.1.json"

ERROR = "error"
WARNING = "warning"

# Credits belong in ``credits`` (rule 5.2.4), never in the prose.
_CREDIT_PHRASES = re.compile(
    r"\b(reported|discovered|found|identified)\s+by\b|\bthanks?\s+to\b|\bcredit(s|ed)?\b"
    r"|氏が|氏により|氏から|様より|報告者|発見者|謝辞",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Problem:
    field: str  # a JSON path in the container, such as "descriptions/0/value"
    message: str
    severity: str = ERROR


@cache
def validator(path: Path) -> Draft7Validator:
    return Draft7Validator(json.loads(path.read_text(encoding="utf-8")))


def schema_problems(document: dict[str, Any], schema: Path = PUBLISHED_SCHEMA) -> list[Problem]:
    """Every schema error, at the deepest field it concerns, in a stable order."""
    problems = []
    for error in validator(schema).iter_errors(document):
        # For anyOf/oneOf the top error says only "not valid under any of"; the most
        # relevant sub-error names the field that is actually wrong.
        shown = best_match(error.context) if error.context else error
        path = "/".join(str(p) for p in shown.absolute_path) or "(record)"
        problems.append(
            Problem(path, _("Not valid under the CVE schema: %(error)s") % {"error": shown.message})
        )
    return sorted(problems, key=lambda p: (p.field, p.message))


def _advisory_id_pattern() -> re.Pattern[str]:
    prefixes = ["JVN#", "JVNVU#", "JVNTA#", "JVNDB-", *settings.KAKEHASHI_ADVISORY_ID_PREFIXES]
    prefixes.append(settings.KAKEHASHI_CASE_PREFIX)
    alternatives = "|".join(re.escape(p) for p in prefixes if p)
    return re.compile(rf"(?:{alternatives})[-#]?\d", re.IGNORECASE)


def rule_problems(
    container: dict[str, Any], case: Case, now: datetime | None = None
) -> list[Problem]:
    now = now or timezone.now()
    problems: list[Problem] = []
    descriptions = container.get("descriptions", [])
    if not any(
        str(d.get("lang", "")).lower().startswith("en") and str(d.get("value", "")).strip()
        for d in descriptions
    ):
        problems.append(Problem("descriptions", _("An English description is required.")))
    advisory_ids = _advisory_id_pattern()
    for index, description in enumerate(descriptions):
        text = str(description.get("value", ""))
        field = f"descriptions/{index}/value"
        if _CREDIT_PHRASES.search(text):
            problems.append(
                Problem(field, _("Credit people in the credits, not in the description."))
            )
        if advisory_ids.search(text):
            problems.append(
                Problem(
                    field,
                    _("Advisory and case IDs belong in the references, not in the description."),
                )
            )
    problems += _affected_problems(container.get("affected", []))
    if not any(
        d.get("cweId")
        for problem_type in container.get("problemTypes", [])
        for d in problem_type.get("descriptions", [])
    ):
        problems.append(Problem("problemTypes", _("Give the weakness as a CWE ID.")))
    if not container.get("references"):
        problems.append(Problem("references", _("At least one public reference is required.")))
    if case.published_at is None or case.published_at > now:
        problems.append(
            Problem(
                "references",
                _("The advisory is not public yet: the record may be published only after it."),
            )
        )
    problems += _deadline_problems(case, now)
    return problems


def _affected_problems(affected: list[dict[str, Any]]) -> list[Problem]:
    if not affected:
        return [Problem("affected", _("Name at least one affected product."))]
    statuses = set()
    for entry in affected:
        statuses.add(entry.get("defaultStatus", "unknown"))
        statuses.update(v.get("status") for v in entry.get("versions", []))
    if not statuses & {"affected", "unknown"}:
        return [
            Problem(
                "affected",
                _("At least one product must be affected (or unknown), not only unaffected."),
            )
        ]
    return []


def disclosure_instant(case: Case) -> datetime | None:
    """When the vulnerability became public: the advisory, or a P event before it."""
    candidates = [case.published_at]
    public_event = case.events.filter(event="P").order_by("occurred_at").first()
    if public_event is not None:
        candidates.append(public_event.occurred_at)
    known = [c for c in candidates if c is not None]
    return min(known) if known else None


def _deadline_problems(case: Case, now: datetime) -> list[Problem]:
    disclosed = disclosure_instant(case)
    if disclosed is None or disclosed > now:
        return []
    elapsed = now - disclosed
    if elapsed > timedelta(hours=72):
        return [
            Problem(
                "datePublic",
                _("Overdue: the rules require publication within 72 hours of disclosure."),
                WARNING,
            )
        ]
    if elapsed > timedelta(hours=24):
        return [
            Problem(
                "datePublic",
                _("Publish soon: more than 24 hours have passed since disclosure."),
                WARNING,
            )
        ]
    return []


def check_record(
    container: dict[str, Any], case: Case, now: datetime | None = None
) -> list[Problem]:
    """Schema and rules together; publication needs no problem of severity ``error``."""
    return schema_problems(container) + rule_problems(container, case, now)


def blocking(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]
