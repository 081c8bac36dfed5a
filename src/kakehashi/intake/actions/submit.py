"""A finder's submission: validated, stored with its files, acknowledged by mail."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation
from kakehashi.cases.priority import priority_for
from kakehashi.cases.scoring import score_v3
from kakehashi.core import audit
from kakehashi.core.workflow import InvalidInput

from .. import files
from ..choices import SelfCoordination, Track
from ..models import Report, ReportAttachment
from ._common import mail_finder

# What a submission may set; everything else belongs to the desk.
REPORT_FIELDS = (
    "title",
    "product_name",
    "product_version",
    "vendor_name",
    "site_url",
    "description",
    "environment",
    "reproduction",
    "impact",
    "cvss_v3_vector",
    "other_organisations_told",
    "self_coordination",
    "planned_talk_title",
    "planned_talk_venue",
    "planned_talk_date",
    "wanted_publication_at",
    "cve_requested",
    "finder_name",
    "finder_email",
    "finder_phone",
    "finder_affiliation",
    "share_identity_with_vendor",
    "allow_direct_contact",
    "publish_credit",
    "credit_name",
    "personal_data_note",
    "encrypted_body",
)
PGP_MESSAGE_BEGIN = "-----BEGIN PGP MESSAGE-----"
PGP_MESSAGE_END = "-----END PGP MESSAGE-----"


@dataclass(frozen=True)
class Submitted:
    report: Report
    follow_up_secret: str  # shown once; only its SHA-256 is stored


def follow_up_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def follow_up_url(report: Report, secret: str) -> str:
    """The finder's secret link: the report's number and the secret, in the path of a
    view that trades it for a session and redirects (so it leaves no Referer)."""
    return f"{settings.SITE_URL}/{report.language}/report/follow-up/{report.pk}-{secret}/"


def default_reception() -> Organisation:
    """The desk that receives reports: the operator's (first) reception organisation."""
    desk = Organisation.objects.filter(kind=OrganisationKind.RECEPTION).order_by("pk").first()
    if desk is None:
        raise InvalidInput(_("This site has no reception desk configured."))
    return desk


def validate_report(track: str, data: dict[str, Any]) -> dict[str, Any]:
    """Per-field refusals as {field: message}; returns the cleaned values."""
    errors: dict[str, str] = {}
    clean = {k: data[k] for k in REPORT_FIELDS if k in data}
    for key, value in list(clean.items()):
        if isinstance(value, str):
            clean[key] = value.strip()
    if track not in Track.values:
        errors["track"] = _("Choose what you are reporting.")
    if not clean.get("title"):
        errors["title"] = _("Give a one-line summary.")
    _check_content(track, clean, errors)
    _check_self_report(track, clean, errors)
    _check_contact(clean, errors)
    _check_lengths(clean, errors)
    if errors:
        raise ReportInvalid(errors)
    return clean


def _check_lengths(clean: dict[str, Any], errors: dict[str, str]) -> None:
    """The database's limits, refused as input errors whoever calls (form, API, job)."""
    for name, value in clean.items():
        limit = getattr(Report._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit and name not in errors:
            errors[name] = _("At most %(n)d characters.") % {"n": limit}


def _check_content(track: str, clean: dict[str, Any], errors: dict[str, str]) -> None:
    encrypted = clean.get("encrypted_body", "")
    if encrypted and not (encrypted.startswith(PGP_MESSAGE_BEGIN) and PGP_MESSAGE_END in encrypted):
        errors["encrypted_body"] = _(
            "Paste the whole ASCII-armoured PGP message, from “-----BEGIN PGP MESSAGE-----” "
            "to its END line."
        )
    if not encrypted and not clean.get("description"):
        errors["description"] = _("Describe the vulnerability (or send it encrypted).")
    if track in (Track.PRODUCT, Track.SELF_REPORT) and not clean.get("product_name"):
        errors["product_name"] = _("Name the product.")
    if track == Track.WEBSITE:
        try:
            URLValidator(schemes=["http", "https"])(clean.get("site_url", ""))
        except ValidationError:
            errors["site_url"] = _(
                "Give the address of the site, starting with http:// or https://."
            )
    else:
        clean["site_url"] = ""
    if clean.get("cvss_v3_vector"):
        try:
            clean["cvss_v3_score"] = score_v3(clean["cvss_v3_vector"])
        except InvalidInput as error:
            errors["cvss_v3_vector"] = str(error)


# A vendor reporting its own product is the vendor: nothing of the reporter is passed
# to it, and there is no finder to credit — whoever sends it (form, API).
NOT_FOR_SELF_REPORTS = (
    "share_identity_with_vendor",
    "allow_direct_contact",
    "publish_credit",
    "credit_name",
    "personal_data_note",
)


def _check_self_report(track: str, clean: dict[str, Any], errors: dict[str, str]) -> None:
    """Only a vendor reporting its own product asks for a publication time and a CVE ID
    (a finder's wishes go through the coordinator); the time must still be ahead."""
    if track != Track.SELF_REPORT:
        clean.pop("wanted_publication_at", None)
        clean.pop("cve_requested", None)
        return
    for name in NOT_FOR_SELF_REPORTS:
        clean.pop(name, None)
    wanted = clean.get("wanted_publication_at")
    if wanted is not None and wanted <= timezone.now():
        errors["wanted_publication_at"] = _("The wanted publication time must be in the future.")
    clean["cve_requested"] = bool(clean.get("cve_requested"))


def _check_contact(clean: dict[str, Any], errors: dict[str, str]) -> None:
    if clean.get("finder_email"):
        try:
            EmailValidator()(clean["finder_email"])
        except ValidationError:
            errors["finder_email"] = _("Enter a valid e-mail address.")
    if clean.get("publish_credit") and not (clean.get("credit_name") or clean.get("finder_name")):
        errors["credit_name"] = _("Give the name to publish, or do not ask for credit.")
    if clean.get("self_coordination", SelfCoordination.NOT_TOLD) not in SelfCoordination.values:
        errors["self_coordination"] = _("Choose one of the options.")


class ReportInvalid(InvalidInput):
    """Several fields refused at once; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def draw_tracking_id() -> str:
    prefix = settings.KAKEHASHI_REPORT_PREFIX
    return f"{prefix}{secrets.randbelow(10**8):08d}"


def submit_report(
    *,
    track: str,
    language: str,
    data: dict[str, Any],
    uploads: list[Any] = (),  # type: ignore[assignment]
    finder_user: Any = None,
    reception_org: Organisation | None = None,
) -> Submitted:
    """File a report. Everything is validated before anything is stored; on any
    refusal nothing is saved and every field's message is returned at once."""
    clean = validate_report(track, data)
    uploads = list(uploads)
    files.check_sizes(uploads)
    desk = reception_org or default_reception()
    secret = secrets.token_urlsafe(32)
    stored = [files.store(upload) for upload in uploads]  # outside the transaction: slow I/O
    try:
        with transaction.atomic():
            report = _create(
                track, language, clean=clean, desk=desk, finder_user=finder_user, secret=secret
            )
            ReportAttachment.objects.bulk_create(
                ReportAttachment(report=report, from_finder=True, **fields) for fields in stored
            )
            audit.record(
                "report.submitted",
                actor=finder_user,
                subject=report,
                summary=f"{report.tracking_id} ({track})",
                data={"attachments": len(stored), "encrypted": bool(report.encrypted_body)},
            )
            mail_finder(report, "report_received", {"follow_up_url": follow_up_url(report, secret)})
    except BaseException:
        files.discard(stored)  # nothing half-saved: no orphan files either
        raise
    return Submitted(report, secret)


def _create(
    track: str,
    language: str,
    *,
    clean: dict[str, Any],
    desk: Organisation,
    finder_user: Any,
    secret: str,
) -> Report:
    score = clean.get("cvss_v3_score")
    priority = priority_for(score, "wide")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Report.objects.create(
                    tracking_id=draw_tracking_id(),
                    track=track,
                    language=language,
                    reception_org=desk,
                    finder_user=finder_user,
                    follow_up_digest=follow_up_digest(secret),
                    priority=priority,
                    priority_rank=priority.rank,
                    **clean,
                )
        except IntegrityError:
            continue  # the random tracking ID was taken: draw another
    raise RuntimeError("could not draw a free tracking ID")
