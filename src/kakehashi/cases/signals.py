"""Milestones of a case that other apps relay (the reception tells the finder).

``case_milestone`` is sent inside the action's transaction with ``case`` and
``milestone`` (one of MILESTONES); receivers must only write rows or queue work with
``transaction.on_commit``, so the relay commits or rolls back with the milestone.
"""

from django.dispatch import Signal

# "pre_released": a critical-infrastructure pre-release (kakehashi.disclosures).
MILESTONES = ("day_zero", "details_sent", "published", "pre_released")

case_milestone = Signal()
