"""The alert panels of the advisory editor: the facts and products of an alert without
a case, and when an alert goes out."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms

from ..choices import AdvisoryKind
from ..forms import AlertFactsForm, AlertProductForm, PublicationTimeForm
from ..models import Advisory


def _timing_initial(advisory: Advisory) -> dict[str, Any]:
    if advisory.publish_at is None:
        return {"when": "schedule" if advisory.case_id else "now"}
    return {"when": "at", "at": advisory.publish_at}


def alert_context(
    advisory: Advisory, bound: dict[str, django_forms.Form] | None = None
) -> dict[str, Any]:
    bound = bound or {}
    if advisory.kind != AdvisoryKind.ALERT:
        return {"is_alert": False}
    context: dict[str, Any] = {
        "is_alert": True,
        "timing_form": bound.get("timing")
        or PublicationTimeForm(initial=_timing_initial(advisory)),
    }
    if advisory.case_id is None:
        context.update(
            facts_form=bound.get("facts")
            or AlertFactsForm(
                initial={
                    "cve_ids": " ".join(advisory.cve_ids),
                    "cwe_id": advisory.cwe_id,
                    "cvss_v3_vector": advisory.cvss_v3_vector,
                    "cvss_v4_vector": advisory.cvss_v4_vector,
                }
            ),
            product_form=bound.get("product") or AlertProductForm(),
            alert_products=list(advisory.alert_products.all()),
        )
    return context
