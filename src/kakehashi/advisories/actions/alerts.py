"""Alerts (JVNTA#, 注意喚起): issued without a case, or from a case whose exploit is
public, and published at once or at an instant the coordinator chooses.

An alert without a case has no case to draw its facts from, so the coordinator enters
them here: CVE IDs, CWE, CVSS vectors and the affected products. Any change of these
facts is a change of the draft: both languages need approval again (their versions
move on, so an approval given to what was read before cannot cover it).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation
from kakehashi.cases.scoring import score_v3, score_v4
from kakehashi.core import audit
from kakehashi.core.cwe import is_known_cwe, normalise_cwe
from kakehashi.core.workflow import GuardFailed, InvalidInput
from kakehashi.vendors.identifiers import validate_cpe, validate_purl

from ..access import can_coordinate_alert
from ..choices import LANGUAGES, AdvisoryKind, AdvisoryState
from ..models import Advisory, AdvisoryText, AlertProduct
from . import _lock, _require_coordinator, _schedule_if_ready, embargo_end, new_advisory_id

CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,19}$")
MAX_CVE_IDS = 50
MAX_PRODUCTS = 100


def create_alert(
    *, actor: Any, coordinator_org: Organisation, title_ja: str = "", title_en: str = ""
) -> Advisory:
    """Open an alert without a case (a zero-day published without coordination): a
    JVNTA# ID from the configured prefix and an empty draft in both languages."""
    if coordinator_org.kind != OrganisationKind.COORDINATOR or not can_coordinate_alert(
        actor, coordinator_org.pk
    ):
        raise GuardFailed(_("Only a coordinator may issue an alert."))
    with transaction.atomic():
        advisory_id, slug = new_advisory_id(AdvisoryKind.ALERT)
        advisory = Advisory.objects.create(
            coordinator_org=coordinator_org,
            advisory_id=advisory_id,
            slug=slug,
            kind=AdvisoryKind.ALERT,
            created_by=actor,
        )
        titles = {"ja": title_ja.strip(), "en": title_en.strip()}
        AdvisoryText.objects.bulk_create(
            AdvisoryText(advisory=advisory, language=language, title=titles[language])
            for language in LANGUAGES
        )
        audit.record(
            "advisory.started",
            actor=actor,
            subject=advisory,
            summary=f"{advisory_id} (alert without a case)",
        )
    return advisory


def _require_caseless(advisory: Advisory) -> None:
    if advisory.case_id is not None:
        raise GuardFailed(_("This alert takes its facts from its case: change them there."))


def _facts_changed(advisory: Advisory) -> None:
    """Inside the lock: every language needs approval again, and a scheduled
    publication waits for it."""
    AdvisoryText.objects.filter(advisory=advisory).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if advisory.state == AdvisoryState.SCHEDULED:
        Advisory.objects.filter(pk=advisory.pk).update(
            state=AdvisoryState.DRAFT, scheduled_for=None
        )


def _locked_for_change(advisory: Advisory, actor: Any) -> Advisory:
    _require_coordinator(actor, advisory)
    _require_caseless(advisory)
    locked = _lock(advisory)
    if locked.state == AdvisoryState.WITHDRAWN:
        raise GuardFailed(_("A withdrawn advisory cannot be edited."))
    return locked


def parse_cve_ids(text: str) -> list[str]:
    """CVE IDs separated by spaces, commas or new lines, each once, in order."""
    ids = list(dict.fromkeys(t.upper() for t in re.split(r"[\s,、]+", text.strip()) if t))
    wrong = [i for i in ids if not CVE_ID.match(i)]
    if wrong:
        raise InvalidInput(_("“%(id)s” is not a CVE ID (CVE-YYYY-NNNN).") % {"id": wrong[0]})
    if len(ids) > MAX_CVE_IDS:
        raise InvalidInput(_("An alert names at most %(count)d CVE IDs.") % {"count": MAX_CVE_IDS})
    return ids


def _cwe(value: str) -> str:
    if not value.strip():
        return ""
    try:
        cwe = normalise_cwe(value)
    except ValueError:
        cwe = ""
    if not cwe or not is_known_cwe(cwe):
        raise InvalidInput(_("“%(cwe)s” is not a known CWE ID.") % {"cwe": value})
    return cwe


def set_alert_facts(
    advisory: Advisory,
    *,
    actor: Any,
    cve_ids: str,
    cwe_id: str = "",
    cvss_v3_vector: str = "",
    cvss_v4_vector: str = "",
) -> Advisory:
    """The CVE IDs, CWE and CVSS vectors of an alert without a case (all optional);
    each is checked before anything changes."""
    ids = parse_cve_ids(cve_ids)
    cwe = _cwe(cwe_id)
    v3, v4 = cvss_v3_vector.strip(), cvss_v4_vector.strip()
    if v3:
        score_v3(v3)  # raises InvalidInput with the reason
    if v4:
        score_v4(v4)
    with transaction.atomic():
        locked = _locked_for_change(advisory, actor)
        Advisory.objects.filter(pk=advisory.pk).update(
            cve_ids=ids, cwe_id=cwe, cvss_v3_vector=v3, cvss_v4_vector=v4
        )
        _facts_changed(locked)
        audit.record(
            "advisory.facts_changed",
            actor=actor,
            subject=advisory,
            summary=advisory.advisory_id,
            data={"cve_ids": ids, "cwe_id": cwe, "cvss_v3": v3, "cvss_v4": v4},
        )
    advisory.refresh_from_db()
    return advisory


def _product_fields(fields: dict[str, str]) -> dict[str, str]:
    cleaned = {key: (value or "").strip() for key, value in fields.items()}
    if not cleaned["vendor_en"]:
        cleaned["vendor_en"] = cleaned["vendor_ja"]
    if not cleaned["vendor_en"] or not cleaned["name"]:
        raise InvalidInput(_("Give the vendor and the product's name."))
    try:
        if cleaned["cpe"]:
            validate_cpe(cleaned["cpe"])
        if cleaned["purl"]:
            validate_purl(cleaned["purl"])
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from error
    return cleaned


def add_alert_product(
    advisory: Advisory,
    *,
    actor: Any,
    vendor_en: str,
    name: str,
    vendor_ja: str = "",
    versions: str = "",
    fixed_in: str = "",
    cpe: str = "",
    purl: str = "",
) -> AlertProduct:
    """Name an affected product of an alert without a case, entered by hand."""
    fields = _product_fields(
        {
            "vendor_ja": vendor_ja,
            "vendor_en": vendor_en,
            "name": name,
            "versions": versions,
            "fixed_in": fixed_in,
            "cpe": cpe,
            "purl": purl,
        }
    )
    with transaction.atomic():
        locked = _locked_for_change(advisory, actor)
        if locked.alert_products.count() >= MAX_PRODUCTS:
            raise InvalidInput(
                _("An alert names at most %(count)d products.") % {"count": MAX_PRODUCTS}
            )
        product = AlertProduct.objects.create(advisory=advisory, **fields)
        _facts_changed(locked)
        audit.record(
            "advisory.product_added",
            actor=actor,
            subject=advisory,
            summary=f"{advisory.advisory_id}: {product}",
            data=fields,
        )
    return product


def remove_alert_product(advisory: Advisory, product_id: int, *, actor: Any) -> None:
    with transaction.atomic():
        locked = _locked_for_change(advisory, actor)
        product = AlertProduct.objects.filter(advisory=advisory, pk=product_id).first()
        if product is None:
            raise InvalidInput(_("This product is not in the alert."))
        product.delete()
        _facts_changed(locked)
        audit.record(
            "advisory.product_removed",
            actor=actor,
            subject=advisory,
            summary=f"{advisory.advisory_id}: {product}",
        )


def set_publication_time(
    advisory: Advisory, *, actor: Any, at: datetime | None, now: bool = False
) -> Advisory:
    """When an alert goes out once approved: ``now`` (at once), ``at`` a chosen instant,
    or neither (the case's schedule; at once without a case). Never before the end of
    an embargo in force: an alert from a case waits for the embargo to end — recording
    that an exploit is public ends it (``cases.actions.record_case_event``)."""
    _require_coordinator(actor, advisory)
    if advisory.kind != AdvisoryKind.ALERT:
        raise GuardFailed(
            _("Only an alert is published at a chosen time; an advisory follows its case.")
        )
    instant = timezone.now() if now else at
    if instant is not None and not now and instant <= timezone.now():
        raise InvalidInput(_("Choose a time in the future, or publish at once."))
    with transaction.atomic():
        locked = _lock(advisory)
        if locked.state == AdvisoryState.WITHDRAWN:
            raise GuardFailed(_("A withdrawn advisory cannot be edited."))
        ends = embargo_end(locked.case)
        if instant is not None and ends is not None and instant < ends:
            raise GuardFailed(
                _(
                    "The case is under embargo until %(end)s. End the embargo first "
                    "(an exploit made public ends it), or choose a later time."
                )
                % {"end": timezone.localtime(ends).strftime("%Y-%m-%d %H:%M %Z")}
            )
        Advisory.objects.filter(pk=advisory.pk).update(publish_at=instant)
        audit.record(
            "advisory.publication_time",
            actor=actor,
            subject=advisory,
            case_id=advisory.case_id,
            summary=f"{advisory.advisory_id}: "
            + ("now" if now else instant.isoformat() if instant else "the case's schedule"),
        )
        locked.refresh_from_db()
        if locked.state == AdvisoryState.SCHEDULED:
            # Approved already: move the schedule (back through draft, checked again).
            Advisory.objects.filter(pk=advisory.pk).update(state=AdvisoryState.DRAFT)
            locked.state = AdvisoryState.DRAFT
            _schedule_if_ready(locked, actor)
    advisory.refresh_from_db()
    return advisory
