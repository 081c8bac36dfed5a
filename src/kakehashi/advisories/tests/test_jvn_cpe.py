"""CPE 2.3 formatted strings bound to CPE 2.2 URIs (NISTIR 7695 §6.1.2, §6.2.3)."""

from __future__ import annotations

import pytest

from kakehashi.advisories.exports.cpe import cpe22_uri


@pytest.mark.parametrize(
    ("name", "uri"),
    [
        ("cpe:2.3:a:example:cms:3.2.0:*:*:*:*:*:*:*", "cpe:/a:example:cms:3.2.0"),
        ("cpe:2.3:a:example:cms:*:*:*:*:*:*:*:*", "cpe:/a:example:cms"),
        ("cpe:2.3:o:example:firmware:-:*:*:*:*:*:*:*", "cpe:/o:example:firmware:-"),
        ("cpe:2.3:h:example:router:1.0:*:*:ja:*:*:*:*", "cpe:/h:example:router:1.0:::ja"),
        # JVN's own example: parentheses are quoted in 2.3 and %-encoded in 2.2.
        (
            r"cpe:2.3:a:rockwellautomation:industrial_data_center_\(idc\)_with_veeam:*:*:*:*:*:*:*:*",
            "cpe:/a:rockwellautomation:industrial_data_center_%28idc%29_with_veeam",
        ),
        # NISTIR 7695's examples: the extended attributes packed into the edition.
        (
            "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
            "cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~",
        ),
        (
            r"cpe:2.3:a:foo\\bar:big\$money:2010:*:*:*:special:ipod_touch:80gb:*",
            "cpe:/a:foo%5cbar:big%24money:2010::~~special~ipod_touch~80gb~",
        ),
        # Unquoted wildcards become the URI's special %01 / %02.
        (
            "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*",
            "cpe:/a:microsoft:internet_explorer:8.%02:sp%01",
        ),
        # "-" "." "_" stay; a quoted colon, tilde or slash is encoded.
        (
            r"cpe:2.3:a:ex-ample:a\:b\~c\/d:1.0_beta:*:*:*:*:*:*:*",
            "cpe:/a:ex-ample:a%3ab%7ec%2fd:1.0_beta",
        ),
        ("cpe:/a:example:cms:3.2.0", "cpe:/a:example:cms:3.2.0"),  # already 2.2
    ],
)
def test_formatted_strings_bind_to_uris(name, uri):
    assert cpe22_uri(name) == uri


@pytest.mark.parametrize(
    "name",
    [
        "",
        "example cms",
        "cpe:2.3:a:example:cms",  # too few components
        "cpe:2.3:a:example:cms:1:*:*:*:*:*:*:*:*",  # too many
        "cpe:2.3:x:example:cms:1:*:*:*:*:*:*:*",  # no such part
        "cpe:2.3:a:example:cms:1\\:*:*:*:*:*:*:*",  # escapes the separator: 12 components
        "cpe:2.3:a:例:cms:1:*:*:*:*:*:*:*",  # not ASCII
        "cpe:2.3:a::cms:1:*:*:*:*:*:*:*",  # an empty component
        "cpe:/a:exa mple:cms",
    ],
)
def test_anything_else_has_no_uri(name):
    assert cpe22_uri(name) is None
