"""Template helpers of the finder's pages."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..models import ReportAttachment

register = template.Library()


@register.simple_tag
def attachment_link(attachment: ReportAttachment) -> SafeString:
    """The file's name (escaped), linked to the access-checked download view."""
    flag = (
        format_html(' <span class="badge badge-failed">{}</span>', _("flagged by the scanner"))
        if attachment.quarantined
        else ""
    )
    url = reverse("intake:attachment", kwargs={"attachment_id": attachment.pk})
    return format_html('<a class="filename" href="{}">{}</a>{}', url, attachment.filename, flag)
