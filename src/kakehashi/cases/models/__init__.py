"""The case and everything coordinated in it."""

from .case import Case, CaseProduct, Participant, Vulnerability
from .embargo import Embargo, EmbargoProposal, EmbargoResponse
from .records import CaseEvent, ContactAttempt, Decision, ScheduleChange, StateChange
from .status import VendorStatus, VendorStatusHistory
from .vendor import ScheduleRequest, VendorReferral, VendorResponse

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
    "ScheduleRequest",
    "StateChange",
    "VendorReferral",
    "VendorResponse",
    "VendorStatus",
    "VendorStatusHistory",
    "Vulnerability",
]
