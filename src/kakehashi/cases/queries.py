"""The data of the coordinator desk's pages, each read with a fixed number of queries.

The case page must stay fast for a case with a thousand vendors: participants are
paginated, their counts per state come from one aggregate query, and the status
matrix covers only the vendors on the current page. Nothing here loops over queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import Organisation, User
from kakehashi.core.cwe import cwe_name

from .actions import MANUAL_PHASE_EVENTS
from .choices import ParticipantRole, ProposalStatus
from .models import (
    Case,
    CaseProduct,
    ContactAttempt,
    Decision,
    Embargo,
    EmbargoProposal,
    Participant,
    VendorStatus,
    Vulnerability,
)
from .workflow import (
    CS_EVENT_LABELS,
    EM,
    PHASE,
    RM,
    EMState,
    PECState,
    Phase,
    RMState,
    embargo_viable,
)

PAGE_SIZE = 50
DUE_SOON_DAYS = 7
# Phases in which a target publication date is no longer a deadline.
DONE_PHASES = (Phase.PUBLISHED, Phase.UPDATING, Phase.CLOSED)

# The fix path of a vendor (Vultron vfd), in words.
FIX_PATH_LABELS: dict[str, Promise] = {
    "vfd": _("Unaware"),
    "Vfd": _("Aware"),
    "VFd": _("Fix ready"),
    "VFD": _("Fix deployed"),
}


# --- The case list --------------------------------------------------------------------


# Other apps' names for a case in the search box (the unreachable listing's DID number …):
# each app registers a matcher from its AppConfig.ready(), so this module imports none of
# them. A matcher gets the user and the typed text and returns a condition on the cases,
# filtered by what that user may see of the app's rows, or None when the text is not its.
CaseMatcher = Callable[[Any, str], "Q | None"]
_MATCHERS: dict[str, CaseMatcher] = {}


def register_case_matcher(name: str, matcher: CaseMatcher) -> None:
    """Let the desk's search find cases by another app's name for them."""
    _MATCHERS[name] = matcher


def case_by_other_name(user: Any, text: str) -> int | None:
    """The id of the one case another app's name points to (a DID number …), among
    the cases that name is visible for to ``user``; None when no app knows the text."""
    for matcher in _MATCHERS.values():
        condition = matcher(user, text)
        if condition is not None:
            return Case.objects.filter(condition).values_list("pk", flat=True).first()
    return None


def _search(user: Any, text: str) -> Q:
    found = Q(reference__icontains=text) | Q(title_ja__icontains=text) | Q(title_en__icontains=text)
    for matcher in _MATCHERS.values():
        extra = matcher(user, text)
        if extra is not None:
            found |= extra
    return found


def filter_cases(user: Any, filters: dict[str, Any]) -> QuerySet[Case]:
    """The user's desk cases narrowed by the list's filters, in queue order."""
    cases = Case.objects.for_desk(user)
    now = timezone.now()
    if filters.get("phase"):
        cases = cases.filter(phase=filters["phase"])
    if filters.get("priority"):
        cases = cases.filter(priority=filters["priority"])
    if filters.get("due_soon"):
        cases = cases.filter(
            target_publication_at__gte=now,
            target_publication_at__lte=now + timedelta(days=DUE_SOON_DAYS),
        ).exclude(phase__in=DONE_PHASES)
    if filters.get("overdue"):
        cases = cases.filter(target_publication_at__lt=now).exclude(phase__in=DONE_PHASES)
    if filters.get("owner") == "me":
        cases = cases.filter(owner=user)
    if filters.get("vendor"):
        # Which vendors take part is the coordinators' knowledge, not the reception's.
        if not user.is_superuser:
            cases = cases.filter(coordinator_org__in=coordination_org_ids(user))
        name = filters["vendor"]
        cases = cases.filter(
            Exists(
                Participant.objects.vendors().filter(
                    Q(organisation__name_en__icontains=name)
                    | Q(organisation__name_ja__icontains=name),
                    case=OuterRef("pk"),
                )
            )
        )
    if filters.get("q"):
        cases = cases.filter(_search(user, filters["q"]))
    return cases.order_by(
        "priority_rank", F("target_publication_at").asc(nulls_last=True), "-created_at"
    )


def coordination_org_ids(user: Any) -> set[int]:
    """The coordinator organisations the user is a member of."""
    return {
        m.organisation_id
        for m in user.memberships_cached()
        if m.organisation.kind == OrganisationKind.COORDINATOR
    }


def vendor_counts(cases: list[Case]) -> dict[int, int]:
    """Current vendors per case, for one page of the list (one query)."""
    rows = (
        Participant.objects.vendors()
        .filter(case_id__in=[c.pk for c in cases])
        .values("case_id")
        .annotate(n=Count("pk"))
    )
    return {row["case_id"]: row["n"] for row in rows}


# --- Participants ---------------------------------------------------------------------


def state_filters() -> list[tuple[str, list[tuple[str, str]]]]:
    """The participants table's filter choices, grouped: ``("rm:S", "Start")`` …"""
    return [
        (
            str(_("Role")),
            [(f"role:{v}", str(label)) for v, label in ParticipantRole.choices],
        ),
        (
            str(_("Report management")),
            [(f"rm:{v}", str(label)) for v, label in RMState.choices],
        ),
        (str(_("Fix path")), [(f"vfd:{v}", str(label)) for v, label in FIX_PATH_LABELS.items()]),
        (
            str(_("Embargo consent")),
            [(f"pec:{v}", str(label)) for v, label in PECState.choices],
        ),
    ]


_FILTER_FIELDS = {"role": "role", "rm": "rm_state", "vfd": "vfd", "pec": "pec_state"}


def parse_state_filter(value: str) -> tuple[str, str] | None:
    """``"rm:S"`` → ``("rm_state", "S")``; anything unknown → None (no filter)."""
    for _group, choices in state_filters():
        if value in {v for v, _label in choices}:
            kind, state = value.split(":", 1)
            return _FILTER_FIELDS[kind], state
    return None


@dataclass
class StateCount:
    filter: str
    label: str
    count: int


@dataclass
class ParticipantSummary:
    total: int
    vendors: int
    by_group: list[tuple[str, list[StateCount]]]
    pec: dict[str, int]


def participant_summary(case: Case) -> ParticipantSummary:
    """How many current participants are in each state: one query, grouped by every
    combination of role and states (a few dozen rows even for a thousand vendors)."""
    counts: dict[str, int] = {}
    total = 0
    combinations = (
        case.participants.current()
        .values_list("role", "rm_state", "vfd", "pec_state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for role, rm_state, vfd, pec_state, n in combinations:
        total += n
        for key in (f"role:{role}", f"rm:{rm_state}", f"vfd:{vfd}", f"pec:{pec_state}"):
            counts[key] = counts.get(key, 0) + n
    by_group = [
        (group, [StateCount(v, label, counts[v]) for v, label in choices if counts.get(v)])
        for group, choices in state_filters()
    ]
    return ParticipantSummary(
        total=total,
        vendors=counts.get(f"role:{ParticipantRole.VENDOR}", 0),
        by_group=by_group,
        pec={state: counts.get(f"pec:{state}", 0) for state in PECState.values},
    )


def participant_page(case: Case, state_filter: str, number: Any) -> Page[Any]:
    """One page of current participants, with their last contact attempt (2 queries)."""
    latest = ContactAttempt.objects.filter(participant=OuterRef("pk")).order_by(
        "-attempted_at", "-pk"
    )
    participants = (
        case.participants.current()
        .select_related("organisation", "user")
        .annotate(
            last_contact_at=Subquery(latest.values("attempted_at")[:1]),
            last_contact_outcome=Subquery(latest.values("outcome")[:1]),
        )
        .order_by("role", "pk")
    )
    parsed = parse_state_filter(state_filter)
    if parsed is not None:
        participants = participants.filter(**{parsed[0]: parsed[1]})
    return Paginator(participants, PAGE_SIZE).get_page(number)


@dataclass
class ParticipantRow:
    """A participant as its table row shows it, labels resolved once per page."""

    participant: Participant
    role: str
    rm: str
    fix_path: str
    pec: str
    rm_events: list[tuple[str, str]]


def participant_rows(
    participants: list[Participant], rm_events: dict[str, list[tuple[str, str]]]
) -> list[ParticipantRow]:
    roles = {value: str(label) for value, label in ParticipantRole.choices}
    rm = {value: str(label) for value, label in RMState.choices}
    pec = {value: str(label) for value, label in PECState.choices}
    fix_paths = {value: str(label) for value, label in FIX_PATH_LABELS.items()}
    return [
        ParticipantRow(
            participant=p,
            role=roles.get(p.role, p.role),
            rm=rm.get(p.rm_state, p.rm_state),
            fix_path=fix_paths.get(p.vfd, p.vfd),
            pec=pec.get(p.pec_state, p.pec_state),
            rm_events=rm_events.get(p.rm_state, []),
        )
        for p in participants
    ]


class StatusCell(NamedTuple):
    """What the matrix shows of one status: read as plain values, not as models, as
    a page holds up to fifty vendors × every vulnerability (× products)."""

    pk: int
    status: str
    version: int
    approved: bool
    product: str


@dataclass
class MatrixRow:
    vendor: Participant
    cells: list[list[StatusCell]]
    html: str = ""  # the row's cells, rendered (``cases_tags.matrix_cells_html``)


def status_matrix(
    vendors: list[Participant], vulnerabilities: list[Vulnerability]
) -> tuple[list[MatrixRow], list[CaseProduct]]:
    """Vendor × vulnerability statuses for the given vendors, and their products
    (2 queries). A cell holds one status per product, or one for all of them."""
    ids = [v.pk for v in vendors]
    rows = (
        VendorStatus.objects.filter(vendor_id__in=ids)
        .order_by("vendor_id", "vulnerability_id", "product__name")
        .values_list(
            "vendor_id",
            "vulnerability_id",
            "pk",
            "status",
            "version",
            "approved_at",
            "product__name",
        )
    )
    cells: dict[tuple[int, int], list[StatusCell]] = {}
    for vendor_id, vulnerability_id, pk, status, version, approved_at, product in rows:
        cells.setdefault((vendor_id, vulnerability_id), []).append(
            StatusCell(pk, status, version, approved_at is not None, product or "")
        )
    products = list(CaseProduct.objects.filter(vendor_id__in=ids).order_by("vendor_id", "name"))
    matrix = [
        MatrixRow(vendor=vendor, cells=[cells.get((vendor.pk, v.pk), []) for v in vulnerabilities])
        for vendor in vendors
    ]
    return matrix, products


# --- Vulnerabilities, decisions, embargo ----------------------------------------------


@dataclass
class VulnerabilityRow:
    vulnerability: Vulnerability
    cwe_name: str | None


def vulnerability_rows(case: Case) -> list[VulnerabilityRow]:
    return [
        VulnerabilityRow(v, cwe_name(v.cwe_id) if v.cwe_id else None)
        for v in Vulnerability.objects.filter(case=case).order_by("number")
    ]


def latest_decisions(case: Case) -> list[Decision]:
    """The latest SSVC decision of each kind (one query)."""
    newest = (
        Decision.objects.filter(case=case, kind=OuterRef("kind"))
        .order_by("-decided_at", "-pk")
        .values("pk")[:1]
    )
    return list(
        Decision.objects.filter(case=case, pk=Subquery(newest))
        .select_related("decided_by")
        .order_by("kind")
    )


@dataclass
class EmbargoPanel:
    in_force: Embargo | None
    open_proposals: list[EmbargoProposal]


def embargo_panel(case: Case) -> EmbargoPanel:
    return EmbargoPanel(
        in_force=case.embargoes.filter(ended_at__isnull=True).first(),
        open_proposals=list(
            case.embargo_proposals.filter(status=ProposalStatus.OPEN)
            .select_related("proposed_by")
            .order_by("ends_at")
        ),
    )


def owner_choices(case: Case) -> QuerySet[User]:
    """Who may own the case: the coordinators of its coordinator organisation."""
    return (
        User.objects.filter(
            memberships__organisation_id=case.coordinator_org_id or 0,
            memberships__role__in=[Role.COORDINATOR, Role.ADMINISTRATOR],
        )
        .distinct()
        .order_by("username")
    )


PARTICIPANT_KINDS = (
    OrganisationKind.VENDOR,
    OrganisationKind.PARTNER_CERT,
    OrganisationKind.FINDER,
)
ORGANISATION_CHOICES_LIMIT = 100


def organisation_choices(case: Case, search: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """Organisations that may join the case, narrowed by a name search, grouped by kind
    (one query; at most ``ORGANISATION_CHOICES_LIMIT``)."""
    organisations = Organisation.objects.filter(kind__in=PARTICIPANT_KINDS).exclude(
        pk__in=case.participants.current()
        .filter(organisation__isnull=False)
        .values("organisation_id")
    )
    if search:
        organisations = organisations.filter(
            Q(name_en__icontains=search) | Q(name_ja__icontains=search) | Q(slug__icontains=search)
        )
    grouped: dict[str, list[tuple[int, str]]] = {}
    for organisation in organisations.order_by("kind", "name_en")[:ORGANISATION_CHOICES_LIMIT]:
        grouped.setdefault(organisation.get_kind_display(), []).append(
            (organisation.pk, organisation.display_name())
        )
    return list(grouped.items())


# --- What the viewer may do now --------------------------------------------------------


@dataclass
class AllowedActions:
    """The actions the page offers: computed from the workflow tables, never guessed."""

    coordinate: bool = False
    open: bool = False
    phase_events: list[tuple[str, str]] = field(default_factory=list)
    close: bool = False
    reopen: bool = False
    propose_embargo: bool = False
    accept_proposal: bool = False
    reject_proposal: bool = False
    terminate_embargo: bool = False
    invite: bool = False
    world_events: list[tuple[str, str]] = field(default_factory=list)
    rm_events: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def allowed_actions(case: Case, roles: set[str], coordinate: bool) -> AllowedActions:
    if not coordinate:
        return AllowedActions()
    is_open = not case.is_closed
    phase_events = PHASE.events_from(case.phase, roles)
    em_events = set(EM.events_from(case.em_state, roles)) if is_open else set()
    return AllowedActions(
        coordinate=True,
        open=is_open,
        phase_events=[(e, PHASE.event_label(e)) for e in phase_events if e in MANUAL_PHASE_EVENTS],
        close="close" in phase_events,
        reopen=bool({"reopen", "reopen_published"} & set(phase_events)),
        propose_embargo="propose" in em_events and embargo_viable(case.pxa),
        accept_proposal="accept" in em_events,
        reject_proposal="reject" in em_events,
        terminate_embargo="terminate" in em_events,
        invite=is_open and case.em_state in (EMState.PROPOSED, EMState.ACTIVE, EMState.REVISE),
        world_events=[
            (e, str(CS_EVENT_LABELS[e]))
            for i, e in enumerate("PXA")
            if is_open and case.pxa[i] != e
        ],
        rm_events={
            state: [(e, RM.event_label(e).capitalize()) for e in RM.events_from(state, roles)]
            for state in RMState.values
        },
    )
