"""SSVC decisions for the coordinator: COORD_TRIAGE 1.0.0 and COORD_PUBLISH 1.0.0.

CERT/CC publishes both tables as data (github.com/CERTCC/SSVC). We encode them here as
short rules and grids instead of reading the CSV at runtime: the rules are easier to review
than 219 rows, and the exhaustive test in ``tests/test_ssvc.py`` checks every official row
(copied under ``data/ssvc/``) against these functions. See
``shared/reference/vince-vultron-ssvc.md`` §6 for where the compact form comes from.

Values are the official SSVC value keys (``Y``, ``NC``, ``UU`` …), so they are short, stable
and can be stored as they are. Store the table name (``TRIAGE_TABLE``/``PUBLISH_TABLE``)
with every decision, because a later SSVC version may map the same inputs differently.

The PyPI package ``ssvc`` is not CERT/CC's and gets these tables wrong; CERT/CC's own
``certcc-ssvc`` drags in pandas, scikit-learn and mkdocs. Hence this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

TRIAGE_TABLE = "COORD_TRIAGE 1.0.0"
PUBLISH_TABLE = "COORD_PUBLISH 1.0.0"

# --- Decision points (official keys and value keys) -----------------------------------


class ReportPublic(models.TextChoices):  # RP 1.0.0
    YES = "Y", _("Yes")
    NO = "N", _("No")


class SupplierContacted(models.TextChoices):  # SCON 1.0.0: a good-faith contact by the reporter
    YES = "Y", _("Yes")
    NO = "N", _("No")


class ReportCredibility(models.TextChoices):  # RC 1.0.0
    CREDIBLE = "C", _("Credible")
    NOT_CREDIBLE = "NC", _("Not credible")


class SupplierCardinality(models.TextChoices):  # SC 1.0.0
    ONE = "O", pgettext_lazy("SSVC supplier cardinality", "One")
    MULTIPLE = "M", pgettext_lazy("SSVC supplier cardinality", "Multiple")


class SupplierEngagement(models.TextChoices):  # SE 1.0.0
    ACTIVE = "A", pgettext_lazy("SSVC supplier engagement", "Active")
    UNRESPONSIVE = "U", _("Unresponsive")


class Utility(models.TextChoices):  # U 1.0.1
    LABORIOUS = "L", _("Laborious")
    EFFICIENT = "E", _("Efficient")
    SUPER_EFFECTIVE = "S", _("Super effective")


class PublicSafetyImpact(models.TextChoices):  # PSI 2.0.1
    MINIMAL = "M", _("Minimal")
    SIGNIFICANT = "S", _("Significant")


class SafetyImpact(models.TextChoices):  # SI 2.0.1: only an input to PublicSafetyImpact
    NEGLIGIBLE = "N", _("Negligible")
    MARGINAL = "M", _("Marginal")
    CRITICAL = "R", _("Critical")
    CATASTROPHIC = "C", _("Catastrophic")


class SupplierInvolvement(models.TextChoices):  # SINV 1.0.0
    FIX_READY = "FR", _("Fix ready")
    COOPERATIVE = "C", _("Cooperative")
    UNCOOPERATIVE_UNRESPONSIVE = "UU", _("Uncooperative/unresponsive")


class Exploitation(models.TextChoices):  # E 1.1.0
    NONE = "N", pgettext_lazy("SSVC exploitation", "None")
    PUBLIC_POC = "P", _("Public PoC")
    ACTIVE = "A", pgettext_lazy("SSVC exploitation", "Active")


class PublicValueAdded(models.TextChoices):  # PVA 1.0.0
    LIMITED = "L", _("Limited")
    AMPLIATIVE = "A", _("Ampliative")
    PRECEDENCE = "P", _("Precedence")


class TriageOutcome(models.TextChoices):  # COORDINATE 1.0.1
    DECLINE = "D", pgettext_lazy("SSVC triage outcome", "Decline")
    TRACK = "T", pgettext_lazy("SSVC triage outcome", "Track")
    COORDINATE = "C", pgettext_lazy("SSVC triage outcome", "Coordinate")


class PublishOutcome(models.TextChoices):  # PUBLISH 1.0.0
    DO_NOT_PUBLISH = "N", _("Do not publish")
    PUBLISH = "P", _("Publish")


# The official decision-point keys, used in vectors (``RP:N``). ``O`` marks the outcome.
DECISION_POINT_KEYS: dict[type[models.TextChoices], str] = {
    ReportPublic: "RP",
    SupplierContacted: "SCON",
    ReportCredibility: "RC",
    SupplierCardinality: "SC",
    SupplierEngagement: "SE",
    Utility: "U",
    PublicSafetyImpact: "PSI",
    SupplierInvolvement: "SINV",
    Exploitation: "E",
    PublicValueAdded: "PVA",
}
OUTCOME_KEY = "O"


class DecisionInput(NamedTuple):
    """One input of a table, in table order; enough to generate a form field."""

    name: str
    choices: type[models.TextChoices]
    label: StrOrPromise

    @property
    def key(self) -> str:
        return DECISION_POINT_KEYS[self.choices]


TRIAGE_INPUTS: tuple[DecisionInput, ...] = (
    DecisionInput("report_public", ReportPublic, _("Report public")),
    DecisionInput("supplier_contacted", SupplierContacted, _("Supplier contacted")),
    DecisionInput("report_credibility", ReportCredibility, _("Report credibility")),
    DecisionInput("supplier_cardinality", SupplierCardinality, _("Supplier cardinality")),
    DecisionInput("supplier_engagement", SupplierEngagement, _("Supplier engagement")),
    DecisionInput("utility", Utility, _("Utility")),
    DecisionInput("public_safety_impact", PublicSafetyImpact, _("Public safety impact")),
)
PUBLISH_INPUTS: tuple[DecisionInput, ...] = (
    DecisionInput("supplier_involvement", SupplierInvolvement, _("Supplier involvement")),
    DecisionInput("exploitation", Exploitation, _("Exploitation")),
    DecisionInput("public_value_added", PublicValueAdded, _("Public value added")),
)


def _coerce[C: models.TextChoices](choices: type[C], value: str, name: str) -> C:
    """``choices(value)`` with an error that names the argument and the allowed codes."""
    try:
        return choices(value)
    except ValueError:
        allowed = ", ".join(choices.values)
        raise ValueError(
            f"{name}={value!r} is not a {choices.__name__} code; expected one of: {allowed}"
        ) from None


# --- COORD_TRIAGE 1.0.0 ---------------------------------------------------------------

# Used only when the report is not public and the reporter did contact the supplier.
# Rows: (RC, SC, SE). Columns: Utility × Public Safety Impact, in _TRIAGE_COLUMNS order.
_TRIAGE_COLUMNS = tuple((u, psi) for u in ("L", "E", "S") for psi in ("M", "S"))
_TRIAGE_GRID: dict[tuple[str, str, str], tuple[str, ...]] = {
    #                 L/M L/S E/M E/S S/M S/S
    ("C", "O", "A"): ("D", "D", "D", "T", "D", "T"),
    ("C", "O", "U"): ("T", "C", "C", "C", "C", "C"),
    ("C", "M", "A"): ("D", "T", "D", "T", "C", "C"),
    ("C", "M", "U"): ("C", "C", "C", "C", "C", "C"),
    ("NC", "O", "A"): ("D", "D", "D", "T", "D", "T"),
    ("NC", "O", "U"): ("D", "D", "D", "T", "D", "T"),
    ("NC", "M", "A"): ("D", "T", "D", "T", "T", "C"),
    ("NC", "M", "U"): ("D", "T", "D", "T", "T", "C"),
}


def coordinator_triage(
    *,
    report_public: str,
    supplier_contacted: str,
    report_credibility: str,
    supplier_cardinality: str,
    supplier_engagement: str,
    utility: str,
    public_safety_impact: str,
) -> TriageOutcome:
    """Decline, track or coordinate a report (COORD_TRIAGE 1.0.0; value codes in, code out)."""
    rp = _coerce(ReportPublic, report_public, "report_public")
    scon = _coerce(SupplierContacted, supplier_contacted, "supplier_contacted")
    rc = _coerce(ReportCredibility, report_credibility, "report_credibility")
    sc = _coerce(SupplierCardinality, supplier_cardinality, "supplier_cardinality")
    se = _coerce(SupplierEngagement, supplier_engagement, "supplier_engagement")
    u = _coerce(Utility, utility, "utility")
    psi = _coerce(PublicSafetyImpact, public_safety_impact, "public_safety_impact")

    if rp == ReportPublic.YES or scon == SupplierContacted.NO:
        # Already public, or the supplier was never told: the coordinator steps in only for a
        # multi-supplier, super-effective, safety-significant vulnerability. RC and SE are moot.
        serious = (
            sc == SupplierCardinality.MULTIPLE
            and u == Utility.SUPER_EFFECTIVE
            and psi == PublicSafetyImpact.SIGNIFICANT
        )
        return TriageOutcome.COORDINATE if serious else TriageOutcome.DECLINE
    outcome = _TRIAGE_GRID[(rc, sc, se)][_TRIAGE_COLUMNS.index((u, psi))]
    return TriageOutcome(outcome)


# --- COORD_PUBLISH 1.0.0 --------------------------------------------------------------

# Rows: Supplier Involvement. Columns: Exploitation × Public Value Added (_PUBLISH_COLUMNS).
_PUBLISH_COLUMNS = tuple((e, pva) for e in ("N", "P", "A") for pva in ("L", "A", "P"))
_PUBLISH_GRID: dict[str, tuple[str, ...]] = {
    #       E=none:  L    A    P   public PoC: L   A    P   active: L    A    P
    "FR": ("N", "N", "P", "N", "N", "P", "N", "P", "P"),
    "C": ("N", "N", "P", "N", "N", "P", "N", "P", "P"),
    "UU": ("N", "N", "P", "N", "P", "P", "P", "P", "P"),
}


def coordinator_publish(
    *, supplier_involvement: str, exploitation: str, public_value_added: str
) -> PublishOutcome:
    """Should the coordinator publish its own advisory? (COORD_PUBLISH 1.0.0)"""
    sinv = _coerce(SupplierInvolvement, supplier_involvement, "supplier_involvement")
    e = _coerce(Exploitation, exploitation, "exploitation")
    pva = _coerce(PublicValueAdded, public_value_added, "public_value_added")
    return PublishOutcome(_PUBLISH_GRID[sinv][_PUBLISH_COLUMNS.index((e, pva))])


# --- Derived decision points (SSVC helper tables utility 1.0.0, public_safety_impact 1.0.0)


def utility_from(automatable: bool, value_density_concentrated: bool) -> Utility:
    """Utility from Automatable (A 2.0.0) and Value Density (VD 1.0.0)."""
    if not isinstance(automatable, bool) or not isinstance(value_density_concentrated, bool):
        # None ("not assessed yet") must not silently become "no" and so "laborious".
        raise ValueError("utility_from needs True or False for both automatable and value density")
    if automatable and value_density_concentrated:
        return Utility.SUPER_EFFECTIVE
    if automatable or value_density_concentrated:
        return Utility.EFFICIENT
    return Utility.LABORIOUS


def public_safety_impact_from(safety_impact: str) -> PublicSafetyImpact:
    """Public Safety Impact from a Safety Impact code: anything above negligible is significant."""
    si = _coerce(SafetyImpact, safety_impact, "safety_impact")
    if si == SafetyImpact.NEGLIGIBLE:
        return PublicSafetyImpact.MINIMAL
    return PublicSafetyImpact.SIGNIFICANT


# --- Vector ---------------------------------------------------------------------------

_TABLES: dict[str, tuple[tuple[DecisionInput, ...], type[models.TextChoices]]] = {
    TRIAGE_TABLE: (TRIAGE_INPUTS, TriageOutcome),
    PUBLISH_TABLE: (PUBLISH_INPUTS, PublishOutcome),
}


def ssvc_vector(table: str, inputs: Mapping[str, str], outcome: str) -> str:
    """One decision as a compact, human-readable string, for audit logs and exports.

    Format: ``<TABLE>v<version>/`` then ``<point key>:<value code>/`` for every input in
    table order (``TRIAGE_INPUTS``/``PUBLISH_INPUTS``), then ``O:<outcome code>/``::

        COORD_TRIAGEv1.0.0/RP:N/SCON:Y/RC:C/SC:M/SE:U/U:S/PSI:S/O:C/
        COORD_PUBLISHv1.0.0/SINV:UU/E:A/PVA:L/O:P/

    ``table`` is ``TRIAGE_TABLE`` or ``PUBLISH_TABLE``; ``inputs`` maps field names to codes
    (extra keys, as in a form's ``cleaned_data``, are ignored). It follows the style of the
    SSVC v2 vector but carries no timestamp: the decision's own row records when. The outcome
    is written as given, not recomputed, so a stored decision's vector stays what was decided.
    """
    try:
        spec, outcome_choices = _TABLES[table]
    except KeyError:
        known = ", ".join(_TABLES)
        raise ValueError(f"unknown SSVC table {table!r}; expected one of: {known}") from None
    name, version = table.split(" ")
    parts = [f"{name}v{version}"]
    for field in spec:
        if field.name not in inputs:
            raise ValueError(f"{table} vector needs a value for {field.name}")
        parts.append(f"{field.key}:{_coerce(field.choices, inputs[field.name], field.name)}")
    parts.append(f"{OUTCOME_KEY}:{_coerce(outcome_choices, outcome, 'outcome')}")
    return "/".join(parts) + "/"
