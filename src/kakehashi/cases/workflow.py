"""The case's state machines as data: the guideline's coordination phase, and the
Vultron RM, EM, PEC and CS (vfd × pxa).

Source: *Designing Vultron* (CMU/SEI 2022) and its formal protocol; see
``docs/architecture.md``. The CS transitions are derived from the validity rules,
not copied from the printed grammar, which has a documented erratum
(``VFdPxA --X--> VFDPXA`` flips two letters; the right target is ``VFdPXA``).
"""

from __future__ import annotations

from functools import cache
from itertools import product

from django.db import models
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import Role
from kakehashi.core.workflow import SYSTEM, Transition, Workflow

COORDINATION = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR, SYSTEM})
PARTICIPANT_SELF = frozenset(
    {Role.VENDOR_PSIRT, Role.VENDOR_ADMIN, Role.PARTNER_MEMBER, Role.FINDER}
)
ANYONE_IN_CASE = COORDINATION | PARTICIPANT_SELF


# --- RM: report management, one per participant ---------------------------------------


class RMState(models.TextChoices):
    START = "S", _("Start")
    RECEIVED = "R", _("Received")
    INVALID = "I", _("Invalid")
    VALID = "V", _("Valid")
    ACCEPTED = "A", _("Accepted")
    DEFERRED = "D", _("Deferred")
    CLOSED = "C", _("Closed")


RM_OPEN = frozenset({"R", "I", "V", "D", "A"})
RM_ACTIVE = frozenset({"R", "V", "A"})

RM = Workflow(
    name="rm",
    label=_("report management"),
    states=RMState,
    transitions=[
        Transition("S", "receive", "R", ANYONE_IN_CASE),
        Transition("R", "validate", "V", ANYONE_IN_CASE),
        Transition("R", "invalidate", "I", ANYONE_IN_CASE),
        Transition("I", "validate", "V", ANYONE_IN_CASE),
        Transition("I", "close", "C", ANYONE_IN_CASE),
        Transition("V", "accept", "A", ANYONE_IN_CASE),
        Transition("V", "defer", "D", ANYONE_IN_CASE),
        Transition("A", "defer", "D", ANYONE_IN_CASE),
        Transition("A", "close", "C", ANYONE_IN_CASE),
        Transition("D", "accept", "A", ANYONE_IN_CASE),
        Transition("D", "close", "C", ANYONE_IN_CASE),
    ],
    event_labels={
        "receive": _("receive"),
        "validate": _("validate"),
        "invalidate": _("invalidate"),
        "accept": _("accept"),
        "defer": _("defer"),
        "close": _("close"),
    },
)


# --- EM: embargo management, one per case ---------------------------------------------


class EMState(models.TextChoices):
    NONE = "N", _("No embargo")
    PROPOSED = "P", _("Proposed")
    ACTIVE = "A", _("Active")
    REVISE = "R", _("Revision proposed")
    EXITED = "X", _("Exited")


EM_IN_FORCE = frozenset({"A", "R"})

EM = Workflow(
    name="em",
    label=_("the embargo"),
    states=EMState,
    transitions=[
        Transition("N", "propose", "P", ANYONE_IN_CASE),
        Transition("P", "propose", "P", ANYONE_IN_CASE),
        Transition("P", "reject", "N", COORDINATION),
        Transition("P", "accept", "A", COORDINATION),
        Transition("A", "propose", "R", ANYONE_IN_CASE),
        Transition("A", "terminate", "X", COORDINATION),
        Transition("R", "propose", "R", ANYONE_IN_CASE),
        Transition("R", "accept", "A", COORDINATION),
        Transition("R", "reject", "A", COORDINATION),
        Transition("R", "terminate", "X", COORDINATION),
    ],
    event_labels={
        "propose": _("propose"),
        "reject": _("reject"),
        "accept": _("accept"),
        "terminate": _("terminate"),
    },
)


# --- PEC: each participant's consent to the embargo -----------------------------------


class PECState(models.TextChoices):
    NO_EMBARGO = "no_embargo", _("No embargo")
    INVITED = "invited", _("Invited")
    SIGNATORY = "signatory", _("Signatory")
    LAPSED = "lapsed", _("Lapsed (revision pending)")
    DECLINED = "declined", _("Declined")


def _pec_transitions() -> list[Transition]:
    rows = [
        ("no_embargo", "invite", "invited", COORDINATION),
        ("no_embargo", "consent", "signatory", ANYONE_IN_CASE),
        ("no_embargo", "decline", "declined", ANYONE_IN_CASE),
        ("invited", "accept", "signatory", ANYONE_IN_CASE),
        ("invited", "decline", "declined", ANYONE_IN_CASE),
        ("invited", "time_out", "declined", frozenset({SYSTEM})),  # the pocket veto
        ("signatory", "lapse", "lapsed", frozenset({SYSTEM})),  # EM entered Revise
        ("lapsed", "invite", "invited", COORDINATION),
        ("lapsed", "accept", "signatory", ANYONE_IN_CASE),
        ("lapsed", "decline", "declined", ANYONE_IN_CASE),
        ("lapsed", "time_out", "declined", frozenset({SYSTEM})),
        ("declined", "invite", "invited", COORDINATION),
    ]
    transitions = [Transition(s, e, t, r) for s, e, t, r in rows]
    # Any state returns to "no embargo" when the case's embargo is exited, or when the
    # only proposal is rejected (a consent given to it does not carry over to others).
    transitions += [
        Transition(state, event, "no_embargo", frozenset({SYSTEM}))
        for state in PECState.values
        if state != "no_embargo"
        for event in ("embargo_exited", "proposal_rejected")
    ]
    return transitions


PEC = Workflow(
    name="pec",
    label=_("embargo consent"),
    states=PECState,
    transitions=_pec_transitions(),
    event_labels={
        "invite": _("invite"),
        "consent": _("consent"),
        "accept": _("accept"),
        "decline": _("decline"),
        "time_out": _("invitation timed out"),
        "lapse": _("lapse on revision"),
        "embargo_exited": _("embargo exited"),
        "proposal_rejected": _("proposal rejected"),
    },
)


# --- CS: case state vfd (per vendor) × pxa (per case) ---------------------------------

CS_EVENTS = "VFDPXA"
CS_EVENT_LABELS = {
    "V": _("vendor aware"),
    "F": _("fix ready"),
    "D": _("fix deployed"),
    "P": _("public aware"),
    "X": _("exploit public"),
    "A": _("attacks observed"),
}


def cs_state_is_valid(state: str) -> bool:
    """Fix path order: F requires V, and D requires F."""
    v, f, d = state[0], state[1], state[2]
    return not ((v == "v" and f == "F") or (f == "f" and d == "D"))


@cache
def cs_states() -> tuple[str, ...]:
    letters = [("v", "V"), ("f", "F"), ("d", "D"), ("p", "P"), ("x", "X"), ("a", "A")]
    return tuple(s for s in ("".join(c) for c in product(*letters)) if cs_state_is_valid(s))


def _flip(state: str, event: str) -> str:
    index = CS_EVENTS.index(event)
    return state[:index] + event + state[index + 1 :]


def cs_transition_allowed(source: str, event: str) -> bool:
    index = CS_EVENTS.index(event)
    if source[index] == event:  # already happened: history is immutable
        return False
    target = _flip(source, event)
    if not cs_state_is_valid(target):
        return False
    if source[0] == "v" and source[3] == "P" and event != "V":
        return False  # once public, an unaware vendor's only move is V
    return not (source[3] == "p" and source[4] == "X" and event != "P")  # pX is ephemeral


@cache
def cs_transitions() -> tuple[tuple[str, str, str], ...]:
    """All (source, event, target) triples the rules allow: 58 of them."""
    return tuple(
        (state, event, _flip(state, event))
        for state in cs_states()
        for event in CS_EVENTS
        if cs_transition_allowed(state, event)
    )


def record_world_event(pxa: str, event: str) -> str:
    """Apply P, X or A to a case's pxa. X brings P with it (an exploit is public)."""
    if event not in "PXA":
        raise ValueError(event)
    index = "PXA".index(event)
    result = pxa[:index] + event + pxa[index + 1 :]
    if event == "X" and result[0] == "p":
        result = "P" + result[1:]
    return result


def embargo_viable(pxa: str) -> bool:
    """Embargoes may be negotiated only while nothing is public or attacked (…pxa)."""
    return pxa == "pxa"


# --- The guideline's coordination phase, one per case ---------------------------------


class Phase(models.TextChoices):
    FORWARDED = "forwarded", _("Forwarded to coordination")
    IDENTIFYING_VENDORS = "identifying_vendors", _("Identifying vendors")
    CONTACTING = "contacting", _("Contacting vendors")
    VERIFYING = "verifying", _("Vendors verifying")
    SCHEDULE_AGREED = "schedule_agreed", _("Publication date agreed")
    PRIORITY_RELEASE = "priority_release", _("Priority pre-release")
    PUBLISHED = "published", _("Published")
    UPDATING = "updating", _("Updating after publication")
    CLOSED = "closed", _("Closed")


PHASES_BEFORE_CONTACT = ("forwarded", "identifying_vendors")
PHASES_UNPUBLISHED = (
    *PHASES_BEFORE_CONTACT,
    "contacting",
    "verifying",
    "schedule_agreed",
    "priority_release",
)
PHASES_OPEN = frozenset(Phase.values) - {"closed"}


def _phase_transitions() -> list[Transition]:
    c = COORDINATION
    rows = [
        ("forwarded", "identify", "identifying_vendors", c),
        *[(p, "contact", "contacting", frozenset({SYSTEM})) for p in PHASES_BEFORE_CONTACT],
        ("contacting", "send_details", "verifying", frozenset({SYSTEM})),
        *[(p, "agree_schedule", "schedule_agreed", c) for p in ("contacting", "verifying")],
        ("schedule_agreed", "release_priority", "priority_release", c),
        # Alerts (JVNTA) may be published without coordination, so from any phase before.
        *[(p, "publish", "published", c) for p in PHASES_UNPUBLISHED],
        ("published", "revise", "updating", c),
        ("updating", "revise", "updating", c),
        *[(p, "close", "closed", c) for p in Phase.values if p != "closed"],
        ("closed", "reopen", "identifying_vendors", c),
        ("closed", "reopen_published", "updating", c),
    ]
    return [Transition(s, e, t, r) for s, e, t, r in rows]


PHASE = Workflow(
    name="phase",
    label=_("the coordination phase"),
    states=Phase,
    transitions=_phase_transitions(),
    event_labels={
        "create": _("open a case"),
        "identify": _("start identifying vendors"),
        "contact": _("first contact attempt"),
        "send_details": _("send the details"),
        "agree_schedule": _("agree the publication date"),
        "release_priority": _("start the priority pre-release"),
        "publish": _("publish"),
        "revise": _("revise after publication"),
        "close": _("close"),
        "reopen": _("reopen"),
        "reopen_published": _("reopen for updates"),
    },
)
