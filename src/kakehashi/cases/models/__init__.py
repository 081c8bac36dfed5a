"""The case and everything coordinated in it."""

from .case import Case, CaseProduct, Participant, Vulnerability
from .embargo import Embargo, EmbargoProposal, EmbargoResponse
from .records import CaseEvent, ContactAttempt, Decision, ScheduleChange, StateChange
from .status import VendorStatus, VendorStatusHistory

__all__ = [
    "Case",
    "CaseEvent",
    "CaseProduct",
    "ContactAttempt",
    "Decision",
    "Embargo",
    "EmbargoProposal",
    "EmbargoResponse",
    "Participant",
    "ScheduleChange",
    "StateChange",
    "VendorStatus",
    "VendorStatusHistory",
    "Vulnerability",
]
