"""Who may be credited publicly for a case: only finders who asked for it, under the
name they chose (IV.2.5 (ク)). Advisories and CVE records take their credits here."""

from __future__ import annotations

from kakehashi.cases.models import Case

from .models import Report


def public_credits(case: Case) -> list[str]:
    """The names to print for the finders of ``case``'s reports, in report order,
    without duplicates; empty names and reports without consent give nothing."""
    names: list[str] = []
    rows = (
        Report.objects.filter(case=case, publish_credit=True)
        .order_by("submitted_at", "pk")
        .values_list("credit_name", flat=True)
    )
    for raw in rows:
        name = raw.strip()
        if name and name not in names:
            names.append(name)
    return names
