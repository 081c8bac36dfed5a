"""Who among a case's vendors may receive pre-publication information.

個別登録 (individual registration): a vendor registered individually receives
pre-publication information, in principle, only about issues specific to its own
products that need no coordination with other vendors — that is, only while it is the
case's one vendor. In a multi-vendor case it learns of the vulnerability at
publication, like everyone else. The notice (``vendors.notify``), the vendor portal and
the vendor API all ask this module, so the rule is decided in one place.

A vendor that declined the embargo — by answering so, or by letting its invitation's
deadline pass (the pocket veto) — is not bound to keep the case confidential, so in a
multi-vendor case it receives no further pre-publication information either, until the
coordinator invites it again and it accepts (or the case is published). A case's one
vendor keeps its access: it is the one that has to fix the flaw.
"""

from __future__ import annotations

from collections.abc import Iterable

from kakehashi.cases.choices import ParticipantRole
from kakehashi.cases.models import Case, Participant
from kakehashi.cases.workflow import PECState

from .choices import RegistrationType
from .models import VendorProfile


def individually_registered(organisation_ids: Iterable[int]) -> set[int]:
    """The organisations among ``organisation_ids`` that are registered individually."""
    return set(
        VendorProfile.objects.filter(
            organisation_id__in=list(organisation_ids),
            registration_type=RegistrationType.INDIVIDUAL,
        ).values_list("organisation_id", flat=True)
    )


def pre_publication_recipients(case: Case) -> set[int]:
    """The IDs of the case's current vendor participants that may receive
    pre-publication information (details, schedule, other vendors' shared statuses)."""
    vendors = list(
        Participant.objects.vendors()
        .filter(case=case)
        .values_list("pk", "organisation_id", "pec_state")
    )
    if case.published_at is not None or len(vendors) <= 1:
        return {pk for pk, _org, _pec in vendors}
    individual = individually_registered(org for _, org, _pec in vendors if org is not None)
    return {pk for pk, org, pec in vendors if org not in individual and pec != PECState.DECLINED}


def receives_pre_publication(participant: Participant) -> bool:
    """Whether this participant may receive pre-publication information now: the rule of
    :func:`pre_publication_recipients` for one participant, in at most two small queries
    whatever the number of the case's vendors (a vendor opening its case page)."""
    if participant.role != ParticipantRole.VENDOR or not participant.is_current:
        return participant.is_current
    case = participant.case
    if case.published_at is not None:
        return True
    if Participant.objects.vendors().filter(case_id=case.pk).count() <= 1:
        return True
    if participant.pec_state == PECState.DECLINED:
        return False
    organisation = participant.organisation_id
    return organisation is None or not individually_registered([organisation])


def pre_publication_recipients_of(cases: Iterable[Case]) -> set[int]:
    """:func:`pre_publication_recipients` for many cases at once, in two queries (the
    vendor portal's case list: one vendor may take part in hundreds of cases)."""
    cases = list(cases)
    if not cases:
        return set()
    vendors = list(
        Participant.objects.vendors()
        .filter(case__in=cases)
        .values_list("pk", "case_id", "organisation_id", "pec_state")
    )
    by_case: dict[int, list[tuple[int, int | None]]] = {}
    declined: set[int] = set()
    for pk, case_id, organisation_id, pec_state in vendors:
        by_case.setdefault(case_id, []).append((pk, organisation_id))
        if pec_state == PECState.DECLINED:
            declined.add(pk)
    published = {case.pk for case in cases if case.published_at is not None}
    shared = {c for c, rows in by_case.items() if c not in published and len(rows) > 1}
    individual: set[int] = set()
    if shared:  # only cases with several vendors apply the rule
        individual = individually_registered(
            org for _pk, case_id, org, _pec in vendors if case_id in shared and org is not None
        )
    allowed: set[int] = set()
    for case_id, rows in by_case.items():
        if case_id in published or len(rows) <= 1:
            allowed |= {pk for pk, _org in rows}
        else:
            allowed |= {pk for pk, org in rows if org not in individual and pk not in declined}
    return allowed
