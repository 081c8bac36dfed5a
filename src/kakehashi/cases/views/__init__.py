"""The coordinator desk: the case list, the case page, and one endpoint per action."""

from .case_actions import (
    add_product,
    add_vulnerability,
    advance_phase,
    change_schedule,
    close_case,
    record_decision,
    record_event,
    reopen_case,
    update_details,
    update_vulnerability,
)
from .embargo_actions import (
    accept_embargo,
    invite_to_embargo,
    propose_embargo,
    record_embargo_answer,
    reject_embargo,
    terminate_embargo,
)
from .pages import case_detail, case_list, case_timeline, create_case
from .participant_actions import (
    add_participants,
    approve_status,
    change_rm,
    record_contact,
    record_status,
    remove_participant,
)

__all__ = [
    "accept_embargo",
    "add_participants",
    "add_product",
    "add_vulnerability",
    "advance_phase",
    "approve_status",
    "case_detail",
    "case_list",
    "case_timeline",
    "change_rm",
    "change_schedule",
    "close_case",
    "create_case",
    "invite_to_embargo",
    "propose_embargo",
    "record_contact",
    "record_decision",
    "record_embargo_answer",
    "record_event",
    "record_status",
    "reject_embargo",
    "remove_participant",
    "reopen_case",
    "terminate_embargo",
    "update_details",
    "update_vulnerability",
]
