"""Reports, their attachments and messages, checks and history."""

from .records import (
    AcceptanceCheckRecord,
    OperatorContact,
    ReportAttachment,
    ReportMessage,
    ReportStateChange,
)
from .report import Report

__all__ = [
    "AcceptanceCheckRecord",
    "OperatorContact",
    "Report",
    "ReportAttachment",
    "ReportMessage",
    "ReportStateChange",
]
