"""Who may see the triage queue of inbound e-mail (STYLE point 6): the desk — reception
clerks, coordinators and administrators of the operator's organisations. A triaged
e-mail may belong to any case, so nobody else sees it; filing it then goes through
``messaging.access.access_thread`` for the thread chosen. Everything else is ``Http404``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kakehashi.accounts.choices import STAFF_KINDS, Role

from ..models import InboundMail

TRIAGE_ROLES = frozenset({Role.RECEPTION_CLERK, Role.COORDINATOR, Role.ADMINISTRATOR})


def can_triage(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(
        m.role in TRIAGE_ROLES and m.organisation.kind in STAFF_KINDS
        for m in user.memberships_cached()
    )


def visible_inbound(user: Any) -> QuerySet[InboundMail]:
    """Every received e-mail for the desk; nothing for anyone else."""
    if not can_triage(user):
        return InboundMail.objects.none()
    return InboundMail.objects.all()


def access_inbound(user: Any, mail_id: int) -> InboundMail:
    mail = (
        visible_inbound(user)
        .select_related("thread__case", "message__thread", "handled_by")
        .filter(pk=mail_id)
        .first()
    )
    if mail is None:
        raise Http404
    return mail
