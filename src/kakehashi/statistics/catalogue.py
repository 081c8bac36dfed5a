"""Which figures the statistics have, in which order, and which of them are public."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from kakehashi.advisories.choices import AdvisoryKind
from kakehashi.cases.choices import ClosureReason
from kakehashi.intake.choices import FixMethod, OperatorType, RejectionReason, Track
from kakehashi.unreachable.choices import RemovalReason

from . import figures as f
from .figures import Dataset, Figure, Period, Value
from .quarters import Quarter

SECTIONS: dict[str, str | Promise] = {
    "reports": _("Reports received"),
    "decisions": _("Acceptance (受理) by the reception"),
    "cases": _("Coordination of software products"),
    "advisories": _("Advisories published"),
    "websites": _("Websites"),
    "unreachable": _("Unreachable developers"),
    "desk": _("For the desk only"),
}


def _composed(template: Promise, part: Promise | str) -> str:
    """A label made of a translated template and a translated part, translated when
    shown (not when this module is imported)."""
    return lazy(lambda: str(template) % {"part": str(part)}, str)()


def _catalogue() -> list[Figure]:
    F = Figure
    figures = [
        F("received_total", _("Reports received"), "reports", f._received()),
        F(
            "received_product",
            _("Software products"),
            "reports",
            f._received(Track.PRODUCT),
            indent=True,
        ),
        F("received_website", _("Websites"), "reports", f._received(Track.WEBSITE), indent=True),
        F(
            "received_self_report",
            _("Vendor self-reports (own products, counted separately)"),
            "reports",
            f._received(Track.SELF_REPORT),
            indent=True,
        ),
        F(
            "received_per_business_day",
            _("Reports per business day"),
            "reports",
            f._per_business_day,
        ),
        F(
            "reporter_identified",
            _("From finders who gave a name or an address"),
            "reports",
            f._by_reporter(anonymous=False),
        ),
        F(
            "reporter_anonymous",
            _("From anonymous finders (follow-up link only)"),
            "reports",
            f._by_reporter(anonymous=True),
        ),
        F(
            "accepted_product",
            _("Accepted: software products"),
            "decisions",
            f._accepted(Track.PRODUCT),
        ),
        F("accepted_website", _("Accepted: websites"), "decisions", f._accepted(Track.WEBSITE)),
        F(
            "accepted_self_report",
            _("Accepted: vendor self-reports"),
            "decisions",
            f._accepted(Track.SELF_REPORT),
        ),
        F("not_accepted", _("Not accepted (不受理)"), "decisions", f._not_accepted()),
        F("cases_opened", _("Cases opened"), "cases", f._cases_opened),
        F("cases_published", _("Cases published"), "cases", f._cases_published),
        F(
            "cases_closed_unpublished",
            _("Cases closed without publication"),
            "cases",
            f._cases_closed_unpublished(),
        ),
        F(
            "cases_in_coordination_at_end",
            _("In coordination at the end of the period (not yet published)"),
            "cases",
            f._open_at_end(published=False),
        ),
        F(
            "cases_updating_at_end",
            _("Published and still open at the end of the period"),
            "cases",
            f._open_at_end(published=True),
        ),
        F("advisories_total", _("Advisories published"), "advisories", f._advisories()),
        F(
            "advisories_jvn",
            _("JVN# (coordinated under the partnership)"),
            "advisories",
            f._advisories(AdvisoryKind.PARTNERSHIP),
            indent=True,
        ),
        F(
            "advisories_jvnvu",
            _("JVNVU# (international)"),
            "advisories",
            f._advisories(AdvisoryKind.INTERNATIONAL),
            indent=True,
        ),
        F(
            "advisories_jvnta",
            _("JVNTA# (alerts)"),
            "advisories",
            f._advisories(AdvisoryKind.ALERT),
            indent=True,
        ),
        F(
            "advisories_self_report",
            _("Of which vendor self-reports"),
            "advisories",
            f._advisories(self_report=True),
            indent=True,
        ),
        F(
            "days_to_publication_median",
            _("Median days from acceptance (受理) to publication"),
            "advisories",
            f._median_days,
        ),
        F(
            "published_within_45_days",
            _("Published within 45 days of acceptance"),
            "advisories",
            f._within_target,
        ),
        F("websites_fixed", _("Websites fixed"), "websites", f._fixed()),
        *[
            F(
                f"websites_fixed_{method.value}",
                method.label,
                "websites",
                f._fixed(f._column_is("fix_method", method.value)),
                indent=True,
            )
            for method in FixMethod
        ],
        F(
            "websites_fixed_within_90_days",
            _("Fixed within 90 days of the first contact with the operator"),
            "websites",
            f._fixed(f._fixed_in_time),
        ),
        *[
            F(
                f"websites_fixed_operator_{kind.value}",
                _composed(_("Fixed, operator: %(part)s"), kind.label),
                "websites",
                f._fixed(f._column_is("operator_type", kind.value)),
                indent=True,
            )
            for kind in OperatorType
        ],
        F(
            "websites_fixed_operator_unrecorded",
            _("Fixed, operator type not recorded"),
            "websites",
            f._fixed(lambda r: not r["operator_type"]),
            indent=True,
        ),
        F(
            "unreachable_listed",
            _("Developers newly listed"),
            "unreachable",
            f._listings("listed_at"),
        ),
        F(
            "unreachable_product_listed",
            _("Product information added"),
            "unreachable",
            f._listings("product_listed_at"),
        ),
        F(
            "unreachable_removed",
            _("Removed from the list"),
            "unreachable",
            f._listings("removed_at"),
        ),
        F(
            "unreachable_resumed",
            _("Of which contact resumed"),
            "unreachable",
            f._listings("removed_at", RemovalReason.CONTACT_RESUMED),
            indent=True,
        ),
        F(
            "unreachable_listed_at_end",
            _("On the list at the end of the period"),
            "unreachable",
            f._listed_at_end,
        ),
    ]
    return figures + _desk_only()


def _desk_only() -> list[Figure]:
    """Finer breakdowns for the desk: reasons and backlogs, never public."""
    F = Figure
    return [
        F(
            "reports_undecided_at_end",
            _("Reports awaiting a decision at the end of the period"),
            "desk",
            f._undecided_at_end,
            public=False,
        ),
        *[
            F(
                f"not_accepted_{reason.value}",
                _composed(_("Not accepted: %(part)s"), reason.label),
                "desk",
                f._not_accepted(reason.value),
                public=False,
                indent=True,
            )
            for reason in RejectionReason
        ],
        *[
            F(
                f"cases_closed_unpublished_{reason.value}",
                _composed(_("Closed without publication: %(part)s"), reason.label),
                "desk",
                f._cases_closed_unpublished(reason.value),
                public=False,
                indent=True,
            )
            for reason in ClosureReason
            if reason != ClosureReason.PUBLISHED
        ],
        F(
            "websites_long_open_at_end",
            _("Websites not fixed 90 days after the operator was contacted (at the end)"),
            "desk",
            f._websites_long_open,
            public=False,
        ),
    ]


FIGURES: list[Figure] = _catalogue()
PUBLIC_FIGURES: list[Figure] = [figure for figure in FIGURES if figure.public]


@dataclass(frozen=True)
class Column:
    """One column of a table: a quarter, or everything up to the newest quarter shown."""

    code: str
    label: str
    span: str
    values: dict[str, Value]


def quarter_column(data: Dataset, quarter: Quarter, figures: list[Figure]) -> Column:
    period = Period.of(quarter)
    values = {figure.key: figure.compute(data, period) for figure in figures}
    return Column(quarter.code, quarter.label(), quarter.span(), values)


def cumulative_column(
    data: Dataset, first: Quarter, last: Quarter, figures: list[Figure], label: Any
) -> Column:
    period = Period(first.start, last.end)
    values = {figure.key: figure.compute(data, period) for figure in figures}
    return Column(
        "total", str(label), f"{first.first_day:%Y-%m-%d} – {last.last_day:%Y-%m-%d}", values
    )
