"""Hostile text in messages stays inert wherever a message is shown: the thread page,
a quote, the edit history and the API. Raw HTML is text, dangerous URL schemes and
event handlers are dropped, remote and data: images are not loaded."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from kakehashi.messaging.templatetags.messaging_tags import message_markdown

from .scenario import post, two_vendor_case

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '<a href="https://evil.example" onclick="alert(3)">raw link</a>',
    "[js](javascript:alert(4))",
    "[js upper](JaVaScRiPt:alert(5))",
    "[js entity](jav&#x61;script:alert(6))",
    "[vb](vbscript:msgbox(7))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==)",
    "![data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoOSk+)",
    "![remote](https://evil.example/pixel.png)",
    "![protocol relative](//evil.example/pixel.png)",
    "![backslash](/\\evil.example/pixel.png)",
    "<javascript:alert(10)>",
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(11)"></svg>',
    '<div style="background:url(javascript:alert(12))">styled</div>',
    "<!-- comment --><form action=https://evil.example><input name=p></form>",
    '[title](https://ok.example "x\\" onmouseover=\\"alert(13)")',
]


class _Tags(HTMLParser):
    """Every tag and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


SAFE_TAGS = {"p", "a", "img", "strong", "em", "code", "pre", "blockquote", "br", "ul", "li"}


def _inert(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    for tag, attributes in parser.tags:
        assert tag in SAFE_TAGS, tag
        for name in attributes:
            assert not name.startswith("on") and name != "style", (tag, name)
        href = attributes.get("href", "").strip().lower()
        if tag == "a":
            assert href.startswith(("https://", "http://", "mailto:")), href
        src = attributes.get("src", "")
        if tag == "img":
            # Images only from this site: no remote host, no data: URL.
            assert src == "" or (src.startswith("/") and not src.startswith(("//", "/\\"))), src


@pytest.mark.parametrize("text", HOSTILE)
def test_each_hostile_snippet_renders_inert(text):
    _inert(str(message_markdown(text)))


def test_hostile_message_is_inert_on_the_page_in_a_quote_and_in_the_history(world, client_for):
    from kakehashi.messaging import actions

    case = two_vendor_case(world)
    body = "\n\n".join(HOSTILE)
    hostile = post(world, "psirt", case, "general", body)
    post(world, "coordinator", case, "general", "Quoting it", quoted_id=hostile.pk)
    actions.edit_message(hostile, actor=world.user("psirt"), body=body + "\n\nedited", version=1)
    thread = client_for("other_vendor").get(reverse("messaging:thread", args=[case.pk, "general"]))
    html = thread.content.decode()
    # The rendered texts: each message's body, and the quote above the reply.
    bodies = [part.split("</div>", 1)[0] for part in html.split('<div class="message-body">')[1:]]
    quote = html.split('<blockquote class="quoted">', 1)[1].split("</blockquote>", 1)[0]
    quote = quote.split("</p>", 1)[1]  # after the quoted author's line
    assert len(bodies) == 2
    for rendered in (*bodies, quote):
        _inert(rendered)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bodies[0] and "edited" in bodies[0]
    history = client_for("other_vendor").get(
        reverse("messaging:history", args=[case.pk, "general", hostile.pk])
    )
    page = history.content.decode()
    versions = [p.split("</div>", 1)[0] for p in page.split('<div class="message-body">')[1:]]
    assert len(versions) == 2
    for rendered in versions:
        _inert(rendered)


def test_safe_markdown_still_renders():
    html = str(message_markdown("**bold** [site](https://ok.example) `code` ![i](/static/x.png)"))
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert 'href="https://ok.example"' in html and 'rel="nofollow noopener noreferrer"' in html
    assert '<img src="/static/x.png"' in html
