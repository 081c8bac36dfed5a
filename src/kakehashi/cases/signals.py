"""Milestones of a case that other apps relay (the reception tells the finder).

``case_milestone`` is sent inside the action's transaction with ``case`` and
``milestone`` (one of MILESTONES); receivers must only write rows or queue work with
``transaction.on_commit``, so the relay commits or rolls back with the milestone.
"""

from django.dispatch import Signal

MILESTONES = ("day_zero", "details_sent", "published")

case_milestone = Signal()
