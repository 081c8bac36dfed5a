"""Fail when a catalog has untranslated or fuzzy entries (run after makemessages).

Usage: python scripts/check_catalogs.py locale/ja/LC_MESSAGES/django.po [...]
Pure Python (no msgfmt needed): reads the .po files with Django's bundled parser rules.
"""

from __future__ import annotations

import sys
from pathlib import Path


def problems(path: Path) -> list[str]:
    found: list[str] = []
    entries = path.read_text(encoding="utf-8").split("\n\n")
    for entry in entries:
        lines = [line for line in entry.strip().splitlines() if not line.startswith("#~")]
        if not lines or not any(line.startswith("msgid ") for line in lines):
            continue
        text = "\n".join(lines)
        msgid = _field(lines, "msgid")
        if msgid == "":  # the header
            continue
        if "#, fuzzy" in text or ", fuzzy" in text:
            found.append(f"fuzzy: {msgid!r}")
        strs = [_field(lines, key) for key in ("msgstr", "msgstr[0]", "msgstr[1]")]
        if all(value in ("", None) for value in strs):
            found.append(f"untranslated: {msgid!r}")
    return found


def _field(lines: list[str], key: str) -> str | None:
    value: str | None = None
    collecting = False
    for line in lines:
        if line.startswith(f"{key} "):
            value = line[len(key) + 1 :].strip().strip('"')
            collecting = True
        elif collecting and line.startswith('"'):
            value = (value or "") + line.strip().strip('"')
        else:
            collecting = False if value is not None else collecting
    return value


def main(paths: list[str]) -> int:
    status = 0
    for name in paths:
        issues = problems(Path(name))
        for issue in issues:
            print(f"{name}: {issue}")
        status = status or (1 if issues else 0)
    if status == 0:
        print("catalogs complete:", ", ".join(paths))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
