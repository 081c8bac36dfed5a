"""The Markdown renderer for operator-written pages: whatever the source says, nothing
in the output runs, loads from elsewhere or styles the page."""

from __future__ import annotations

import pytest

from kakehashi.core.markdown import render_markdown, sanitise_html


def test_ordinary_markdown_renders_headings_lists_links_and_tables():
    html = render_markdown(
        "## 連絡先\n\n- **Form**: [report](https://kakehashi.example/report/)\n\n"
        "| 項目 | 内容 |\n|---|---|\n| PGP | yes |\n"
    )
    assert "<h2>連絡先</h2>" in html
    assert "<strong>Form</strong>" in html
    assert '<a href="https://kakehashi.example/report/" rel="nofollow noopener noreferrer">' in html
    assert "<table>" in html and "<td>PGP</td>" in html


def test_raw_html_in_the_source_is_shown_as_text_not_run():
    html = render_markdown("<script>alert(1)</script>\n\n<b onmouseover=alert(1)>x</b>")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b " not in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_link_urls_are_neutralised(source):
    html = render_markdown(source).lower()
    assert 'href="javascript' not in html
    assert 'href="vbscript' not in html
    assert 'href="data:' not in html


@pytest.mark.parametrize(
    "source",
    [
        "![x](https://tracker.example/pixel.png)",
        "![x](//tracker.example/pixel.png)",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    ],
)
def test_images_from_other_hosts_or_data_urls_are_dropped(source):
    html = render_markdown(source)
    assert "src=" not in html


def test_images_from_this_site_are_kept():
    html = render_markdown("![diagram](/static/kakehashi/flow.png)")
    assert 'src="/static/kakehashi/flow.png"' in html


def test_the_sanitiser_strips_scripts_styles_event_handlers_and_frames():
    html = sanitise_html(
        '<p style="color:red" onclick="alert(1)">p</p>'
        "<style>body{display:none}</style><script>alert(1)</script>"
        '<img src="/x.png" onerror="alert(1)"><svg onload="alert(1)"></svg>'
        '<iframe src="https://evil.example"></iframe><a href="https://a.example" target="_blank">a</a>'
    )
    assert "style" not in html and "onclick" not in html and "onerror" not in html
    assert "alert" not in html and "<svg" not in html and "<iframe" not in html
    assert "display:none" not in html
    assert 'target="_blank"' not in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_empty_source_renders_nothing():
    assert render_markdown("") == ""
