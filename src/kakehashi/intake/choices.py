"""Vocabularies of intake: tracks, acceptance checks, reasons, the website line."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Track(models.TextChoices):
    PRODUCT = "product", _("Software product")
    WEBSITE = "website", _("Website (web application)")
    SELF_REPORT = "self_report", _("Vendor self-report (own product)")


class AcceptanceCheck(models.TextChoices):
    """The five checks of the guideline (IV.3(1)2 (ア)–(オ); V.3.2 for websites)."""

    COMPLETE = "complete", _("(a) Every required item is present")
    CONSISTENT = "consistent", _("(b) The report does not contradict itself")
    IN_SCOPE = "in_scope", _("(c) It is within the scope of the guideline")
    IS_VULNERABILITY = "is_vulnerability", _("(d) It is a vulnerability")
    NOT_KNOWN = "not_known", _("(e) It is not already known and published (or fixed)")


class CheckResult(models.TextChoices):
    PASS = "pass", pgettext_lazy("acceptance check", "Passed")
    FAIL = "fail", pgettext_lazy("acceptance check", "Failed")


class RejectionReason(models.TextChoices):
    """不受理: why a report is not accepted (told to the finder with the reason)."""

    INCOMPLETE = "incomplete", _("Required information is missing")
    CONTRADICTORY = "contradictory", _("The report contradicts itself")
    OUT_OF_SCOPE = "out_of_scope", _("Outside the scope of the guideline")
    NOT_VULNERABILITY = "not_vulnerability", _("Not a vulnerability")
    KNOWN = "known", _("Already known and published (or already fixed)")
    ILLEGALLY_OBTAINED = "illegally_obtained", _("The information was clearly obtained illegally")
    NO_ANSWER = "no_answer", _("The finder did not answer our questions")


class ReportClosureReason(models.TextChoices):
    """Why the reception stops handling a report (IV.3(1)7; V.3.4 for websites)."""

    COMPLETED = "completed", _("Handling completed")
    NOT_VULNERABILITY = "not_vulnerability", _("Not vulnerability information")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    LOW_IMPACT = "low_impact", _("Low impact")
    KNOWN_AND_PUBLIC = "known_and_public", _("Already known and published")
    VENDOR_NOTIFIED_ALL_USERS = (
        "vendor_notified_all_users",
        _("The vendor has notified all of its users"),
    )
    OPERATOR_KNOWN_FIXED = "operator_known_fixed", _("The operator already knew and has fixed it")
    MISCONFIGURATION_ALERTED = (
        "misconfiguration_alerted",
        _("A misconfiguration or unpatched product, covered by a general alert"),
    )
    OPERATOR_NO_ANSWER = "operator_no_answer", _("No proper answer from the site operator")
    OPERATOR_DECLINED = "operator_declined", _("The site operator declined to act")
    TRANSFERRED = "transferred", _("Transferred to the software product track")
    DUPLICATE = "duplicate", _("Duplicate of another report")


WEBSITE_CLOSURES = frozenset(
    {
        ReportClosureReason.COMPLETED,
        ReportClosureReason.NOT_VULNERABILITY,
        ReportClosureReason.OUT_OF_SCOPE,
        ReportClosureReason.LOW_IMPACT,
        ReportClosureReason.OPERATOR_KNOWN_FIXED,
        ReportClosureReason.MISCONFIGURATION_ALERTED,
        ReportClosureReason.OPERATOR_NO_ANSWER,
        ReportClosureReason.OPERATOR_DECLINED,
        ReportClosureReason.TRANSFERRED,
        ReportClosureReason.DUPLICATE,
    }
)


class FixMethod(models.TextChoices):
    APPLICATION_FIXED = "application_fixed", _("The web application was fixed")
    PAGE_REMOVED = "page_removed", _("The page was removed")
    AVOIDED_BY_OPERATION = "avoided_by_operation", _("Avoided by how the site is operated")


class OperatorType(models.TextChoices):
    """Who runs a reported website, as IPA's quarterly statistics break them down.
    Only the type is ever counted: the site, its address and its operator never are."""

    COMPANY = "company", _("Company")
    ASSOCIATION = "association", _("Association or foundation")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    GOVERNMENT = "government", _("Central government body")
    EDUCATION = "education", _("Educational or academic institution")
    INDIVIDUAL = "individual", _("Individual")
    OTHER = "other", pgettext_lazy("operator type", "Other")


class SelfCoordination(models.TextChoices):
    """If the finder also told the vendor: who coordinates (IV.2.3)."""

    NOT_TOLD = "not_told", _("I have not told the vendor")
    FINDER = "finder", _("I told the vendor and coordinate with it myself")
    RECEPTION = "reception", _("I told the vendor and leave the coordination to you")


class ScanLabel(models.TextChoices):
    NOT_SCANNED = "not_scanned", _("Not scanned")
    CLEAN = "clean", _("No malware signature found")
    FLAGGED = "flagged", _("Flagged by the scanner")
    ERROR = "error", _("Scan failed")
