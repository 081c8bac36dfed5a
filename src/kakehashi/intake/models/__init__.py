"""Reports, their attachments and messages, checks and history."""

from .policy import DisclosurePolicy
from .records import (
    AcceptanceCheckRecord,
    OperatorContact,
    ReportAttachment,
    ReportMessage,
    ReportStateChange,
)
from .report import Report
from .staging import StagedUpload

__all__ = [
    "AcceptanceCheckRecord",
    "DisclosurePolicy",
    "OperatorContact",
    "Report",
    "ReportAttachment",
    "ReportMessage",
    "ReportStateChange",
    "StagedUpload",
]
