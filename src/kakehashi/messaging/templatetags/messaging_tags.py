from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from kakehashi.core.markdown import render_markdown

from ..queries import vendor_activity

register = template.Library()


@register.filter
def message_markdown(text: str) -> SafeString:
    """A message's text, rendered through the sanitiser (never raw HTML)."""
    return render_markdown(text or "")


@register.inclusion_tag("messaging/_case_panel.html", takes_context=True)
def case_messaging_panel(context: template.Context) -> dict[str, Any]:
    """The desk case page's panel: per vendor, notified, seen, acknowledged, last answer."""
    case = context["case"]
    participants = context.get("participants")
    rows = vendor_activity(case, list(participants) if participants is not None else None)
    return {"case": case, "rows": rows}
