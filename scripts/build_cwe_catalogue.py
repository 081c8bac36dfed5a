"""Build src/kakehashi/core/data/cwe.json from MITRE's CWE list (the ``cwec_v4.*.xml`` file).

Usage: python scripts/build_cwe_catalogue.py SOURCE [--output PATH]

SOURCE is MITRE's XML itself, or a package archive that bundles it (.tgz, .whl, .zip), so the
catalogue can be rebuilt from a registry download alone. The shipped catalogue was built from
the npm package cwe-sdk 1.1.19, whose ``package/raw/cwe-archive.xml`` is MITRE's CWE 4.15 list:

    npm pack cwe-sdk@1.1.19 && python scripts/build_cwe_catalogue.py cwe-sdk-1.1.19.tgz

Only IDs, names, kinds and statuses are kept: the product validates IDs and shows names, and
the full descriptions would make the file fifty times larger. The data is MITRE's, under the
CWE Terms of Use (src/kakehashi/core/data/CWE-TERMS.txt), which must travel with it.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import tarfile
import zipfile
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

NAMESPACE = "{http://cwe.mitre.org/cwe-7}"
# The XML's element names, mapped to the ``kind`` the catalogue stores.
KINDS = {"Weakness": "weakness", "Category": "category", "View": "view"}
# MITRE names the file cwec_v4.15.xml; cwe-sdk renames it cwe-archive.xml.
XML_NAME = re.compile(r"(?:^|/)(?:cwec_v[\d.]+|cwe-archive)\.xml$")
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "src/kakehashi/core/data/cwe.json"


def open_source(path: Path) -> tuple[IO[bytes], str]:
    """Return the XML stream and the name it was found under inside ``path``."""
    if path.suffix == ".xml":
        return path.open("rb"), path.name
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            member = _single([m.name for m in archive.getmembers()], path)
            extracted = archive.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{path}: {member} is not a regular file")
            return io.BytesIO(extracted.read()), f"{path.name}:{member}"
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            member = _single(archive.namelist(), path)
            return io.BytesIO(archive.read(member)), f"{path.name}:{member}"
    raise SystemExit(f"{path}: neither an .xml file nor a .tgz/.whl/.zip archive")


def _single(names: list[str], path: Path) -> str:
    found = [name for name in names if XML_NAME.search(name)]
    if len(found) != 1:
        raise SystemExit(f"{path}: expected one CWE XML file, found {found or 'none'}")
    return found[0]


def build(stream: IO[bytes], found_as: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Return the catalogue's header and its entries, keyed by the numeric ID."""
    # The input is MITRE's published file, picked by whoever runs this script, not user data.
    root = ElementTree.parse(stream).getroot()  # noqa: S314
    if root.tag != f"{NAMESPACE}Weakness_Catalog":
        raise SystemExit(f"{found_as}: not a CWE Weakness_Catalog (root is {root.tag})")
    entries: dict[str, dict[str, str]] = {}
    for element in root.iter():
        kind = KINDS.get(element.tag.removeprefix(NAMESPACE))
        if kind is None:
            continue
        entries[element.attrib["ID"]] = {
            "name": element.attrib["Name"],
            "kind": kind,
            "status": element.attrib["Status"],
        }
    version, date = root.attrib["Version"], root.attrib["Date"]
    header = {
        "version": version,
        "date": date,
        "source": (
            f"MITRE CWE List {version} ({date}), https://cwe.mitre.org/data/downloads.html;"
            f" read from {found_as}"
        ),
        "terms": "CWE-TERMS.txt",
    }
    # Numeric order keeps the diff between two CWE versions readable.
    return header, dict(sorted(entries.items(), key=lambda item: int(item[0])))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    stream, found_as = open_source(args.source)
    with stream:
        header, entries = build(stream, found_as)
    # One entry a line: compact, yet a new CWE version shows up as a readable diff.
    head = json.dumps(header, ensure_ascii=False)[:-1]
    body = ",\n".join(
        f"{json.dumps(key)}:{json.dumps(value, ensure_ascii=False, separators=(',', ':'))}"
        for key, value in entries.items()
    )
    args.output.write_text(f'{head}, "entries": {{\n{body}\n}}}}\n', encoding="utf-8")
    print(f"{args.output}: CWE {header['version']}, {len(entries)} entries")


if __name__ == "__main__":
    main()
