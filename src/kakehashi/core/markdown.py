"""Markdown written by operators (the disclosure policy), rendered to safe HTML.

Two layers, because either alone has failed somewhere before: markdown-it-py with raw
HTML disabled (so ``<script>`` in the source is shown as text), then nh3 with an
allow-list of tags and attributes (so whatever the renderer lets through, a link with a
``javascript:`` or ``data:`` URL, an event handler, a ``style``, is dropped). Links leave
with ``rel="nofollow noopener noreferrer"``. Images may only come from this site (a
path such as ``/static/…``): a remote image would tell another host who reads the page.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

# ``html`` off: raw HTML in the source is escaped, never passed through.
_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_renderer.enable(["table", "strikethrough"])


def _same_site_images_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        # A path on this site; "//host/x" is another host, "data:" is not a path.
        return value if value.startswith("/") and not value.startswith("//") else None
    return value


def sanitise_html(html: str) -> str:
    """Keep only the allowed tags and attributes; neutralise URLs and event handlers."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_same_site_images_only,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> SafeString:
    """``text`` (Markdown) as HTML that is safe to put in a page."""
    html = _renderer.render(text or "")
    return mark_safe(sanitise_html(html))  # noqa: S308 - sanitised just above
