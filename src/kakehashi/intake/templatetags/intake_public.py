"""Template helpers of the finder's pages."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
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
    try:
        url = reverse("intake:attachment", kwargs={"attachment_id": attachment.pk})
    except NoReverseMatch:  # no download view installed: the name alone
        return format_html('<span class="filename">{}</span>{}', attachment.filename, flag)
    return format_html('<a class="filename" href="{}">{}</a>{}', url, attachment.filename, flag)
