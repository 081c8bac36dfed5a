"""The JVN formats: the JVNRSS 3.2 overview feed (RSS 1.0 + mod_sec 3.0) and a VULDEF
3.2 detail document per advisory, as JVN and MyJVN publish them.

Both are built from published revisions' frozen ``content`` only (plus the withdrawal
instant), so a draft or a scheduled advisory cannot appear in them. One document is
in one language: the texts of that language, or of the other one when it was waived.

The XML is written with the standard library. Element names carry their prefixes
literally and the namespaces are declared on the root, so the output has the familiar
shape of JVN's own files (``<item>``, ``<sec:cvss>``) whatever the parser.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import AdvisoryRevision
from .cpe import cpe22_uri
from .osv import advisory_url

JST = ZoneInfo("Asia/Tokyo")  # JVN writes every instant in Japan time
RSS_NAMESPACES = {
    "xmlns": "http://purl.org/rss/1.0/",
    "xmlns:rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmlns:dc": "http://purl.org/dc/elements/1.1/",
    "xmlns:dcterms": "http://purl.org/dc/terms/",
    "xmlns:sec": "http://jvn.jp/rss/mod_sec/3.0/",
    "xmlns:marking": "http://data-marking.mitre.org/Marking-1",
    "xmlns:tlpMarking": "http://data-marking.mitre.org/extensions/MarkingStructure#TLP-1",
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
VULDEF_NAMESPACES = {
    "xmlns": "http://jvn.jp/vuldef/",
    "xmlns:sec": "http://jvn.jp/rss/mod_sec/3.0/",
    "xmlns:marking": "http://data-marking.mitre.org/Marking-1",
    "xmlns:tlpMarking": "http://data-marking.mitre.org/extensions/MarkingStructure#TLP-1",
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
# Characters XML 1.0 cannot carry at all; a stray one in a text would break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^\s)]+)\)")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def jst(instant: str | datetime) -> str:
    """An instant as JVN writes it: seconds, Japan time (``2026-11-29T13:00:00+09:00``)."""
    moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    return moment.astimezone(JST).isoformat(timespec="seconds")


def pick_text(content: dict[str, Any], language: str) -> tuple[str, dict[str, str]]:
    """``(language, texts)`` of the revision in ``language``, or in the other language
    when this one was waived."""
    texts = content["texts"]
    if language in texts:
        return language, texts[language]
    other = next(iter(texts))
    return other, texts[other]


def cvss_rows(content: dict[str, Any]) -> list[dict[str, str]]:
    """Each scored vulnerability's base scores: version, score, severity, vector."""
    rows = []
    for vulnerability in content["vulnerabilities"]:
        for key in ("cvss_v3", "cvss_v4"):
            score = vulnerability.get(key)
            if not score:
                continue
            version = score["vector"].split("/", 1)[0].removeprefix("CVSS:")
            rows.append(
                {
                    "score": f"{score['score']:.1f}",
                    "severity": score["severity"].capitalize(),
                    "vector": score["vector"],
                    "version": version,
                }
            )
    return rows


def cwe_url(cwe_id: str) -> str:
    return f"https://cwe.mitre.org/data/definitions/{cwe_id.removeprefix('CWE-')}.html"


def cve_url(cve_id: str) -> str:
    return f"https://www.cve.org/CVERecord?id={cve_id}"


def _cwes(content: dict[str, Any]) -> list[tuple[str, str]]:
    """``(CWE-ID, name)`` once each, in the order of the vulnerabilities."""
    found: dict[str, str] = {}
    for vulnerability in content["vulnerabilities"]:
        if vulnerability["cwe_id"] and vulnerability["cwe_id"] not in found:
            found[vulnerability["cwe_id"]] = vulnerability["cwe_name"]
    return list(found.items())


def _vendor_name(product: dict[str, Any], language: str) -> str:
    return product["vendor_ja" if language == "ja" else "vendor_en"] or product["vendor_en"]


def _withdrawn_note(revision: AdvisoryRevision) -> str:
    advisory = revision.advisory
    reason = (
        advisory.withdrawal_reason_ja
        if translation.get_language() == "ja"
        else advisory.withdrawal_reason_en
    ) or (advisory.withdrawal_reason_en or advisory.withdrawal_reason_ja)
    return _("Withdrawn: %(reason)s") % {"reason": reason} if reason else _("Withdrawn.")


# --- JVNRSS ---------------------------------------------------------------------------


def jvnrss_document(revisions: Sequence[AdvisoryRevision], language: str) -> bytes:
    """The JVNRSS 3.2 feed of ``revisions`` (current revisions, newest first)."""
    with translation.override(language):
        root = ET.Element("rdf:RDF", {**RSS_NAMESPACES, "xml:lang": language})
        site = settings.SITE_URL + reverse("advisories:list")
        channel = _add(root, "channel", **{"rdf:about": site})
        _add(channel, "title", _("%(site)s advisories") % {"site": settings.KAKEHASHI_SITE_NAME})
        _add(channel, "link", site)
        _add(channel, "description", _("Vulnerability advisories, newest first."))
        _add(channel, "dc:language", language)
        _add(channel, "dc:creator", settings.KAKEHASHI_SITE_NAME)
        if revisions:
            newest = jst(max(r.published_at for r in revisions))
            _add(channel, "dc:date", newest)
            _add(channel, "dcterms:modified", newest)
        _tlp_white(_add(channel, "sec:handling"))
        sequence = _add(_add(channel, "items"), "rdf:Seq")
        for revision in revisions:
            url = advisory_url(revision.content["slug"], language)
            _add(sequence, "rdf:li", **{"rdf:resource": url})
            _rss_item(root, revision, language, url)
        return _serialise(root)


def _tlp_white(handling: ET.Element) -> None:
    _add(
        _add(handling, "marking:Marking"),
        "marking:Marking_Structure",
        **{
            "xsi:type": "tlpMarking:TLPMarkingStructureType",
            "marking_model_name": "TLP",
            "marking_model_ref": "http://www.us-cert.gov/tlp/",
            "color": "WHITE",  # published advisories are for everyone (TLP:CLEAR)
        },
    )


def _rss_item(root: ET.Element, revision: AdvisoryRevision, language: str, url: str) -> None:
    content = revision.content
    text = pick_text(content, language)[1]
    item = _add(root, "item", **{"rdf:about": url})
    title = text["title"]
    if revision.advisory.withdrawn_at is not None:
        title = _("[Withdrawn] %(title)s") % {"title": title}
    _add(item, "title", title)
    _add(item, "link", url)
    _add(item, "description", text["overview"])
    _add(item, "dc:creator", settings.KAKEHASHI_SITE_NAME)
    _add(item, "sec:identifier", content["id"])
    _add(
        item,
        "sec:references",
        url,
        source=settings.KAKEHASHI_SITE_NAME,
        id=content["id"],
        title=text["title"],
    )
    for cve_id in content["cve_ids"]:
        _add(item, "sec:references", cve_url(cve_id), source="CVE", id=cve_id)
    for cwe_id, name in _cwes(content):
        label = f"{name}({cwe_id})" if name else cwe_id
        _add(item, "sec:references", cwe_url(cwe_id), id=cwe_id, title=label)
    for product in content["products"]:
        uri = cpe22_uri(product["cpe"]) if product["cpe"] else None
        if uri:
            vendor = _vendor_name(product, language)
            _add(item, "sec:cpe", uri, version="2.2", vendor=vendor, product=product["name"])
    for row in cvss_rows(content):
        _add(item, "sec:cvss", **row, type="Base")
    updated = jst(content["updated_at"])
    _add(item, "dc:date", updated)
    _add(item, "dcterms:issued", jst(content["published_at"]))
    _add(item, "dcterms:modified", updated)


# --- VULDEF ---------------------------------------------------------------------------


def vuldef_document(revision: AdvisoryRevision, language: str) -> bytes:
    """The VULDEF 3.2 document of one published revision."""
    content = revision.content
    used, text = pick_text(content, language)
    with translation.override(used):
        root = ET.Element("VULDEF-Document", {**VULDEF_NAMESPACES, "version": "3.2"})
        root.set("xml:lang", used)
        info = _add(root, "Vulinfo")
        _add(info, "VulinfoID", content["id"])
        data = _add(info, "VulinfoData")
        _add(data, "Title", text["title"])
        description = _add(data, "VulinfoDescription")
        _add(description, "Overview", text["overview"])
        if text["description"]:
            _add(description, "Detail", text["description"])
        _affected(data, content, text, used)
        _impact(data, content, text)
        if text["solution"]:
            _add(_add(_add(data, "Solution"), "SolutionItem"), "Description", text["solution"])
        _related(data, content, text, used)
        _history(data, revision, used)
        _add(data, "DateFirstPublished", jst(content["published_at"]))
        _add(data, "DateLastUpdated", jst(content["updated_at"]))
        _add(data, "DatePublic", jst(content["published_at"]))
        _tlp_white(_add(root, "sec:handling"))
        return _serialise(root)


def _product_status(content: dict[str, Any], product: dict[str, Any]) -> str | None:
    """VULDEF's ``affectedstatus`` from the vendor's approved statuses on the product
    (a status without a product covers all of the vendor's products)."""
    vendor = next((v for v in content["vendors"] if v["name_en"] == product["vendor_en"]), None)
    if vendor is None:
        return None
    statuses = [s["status"] for s in vendor["statuses"] if s["product"] in ("", product["name"])]
    if any(s in ("affected", "fixed") for s in statuses):
        return "vulnerable"
    if statuses and all(s == "not_affected" for s in statuses):
        return "notvulnerable"
    return "unknown" if statuses else None


def _affected(
    data: ET.Element, content: dict[str, Any], text: dict[str, str], language: str
) -> None:
    if not content["products"] and not text["affected"]:
        return
    affected = _add(data, "Affected")
    if not content["products"]:
        _add(_add(affected, "AffectedItem"), "Description", text["affected"])
        return
    for product in content["products"]:
        status = _product_status(content, product)
        item = _add(affected, "AffectedItem", **({"affectedstatus": status} if status else {}))
        _add(item, "Name", _vendor_name(product, language))
        _add(item, "ProductName", product["name"])
        uri = cpe22_uri(product["cpe"]) if product["cpe"] else None
        if uri:
            _add(item, "Cpe", uri, version="2.2")
        for line in product["versions"].splitlines():
            if line.strip():
                _add(item, "VersionNumber", line.strip())


def _impact(data: ET.Element, content: dict[str, Any], text: dict[str, str]) -> None:
    rows = cvss_rows(content)
    words = text["impact"] or text["description"]
    if not rows and not words:
        return
    impact = _add(data, "Impact")
    for row in rows:
        cvss = _add(impact, "Cvss", version=row["version"])
        _add(cvss, "Severity", row["severity"], type="Base")
        _add(cvss, "Base", row["score"])
        _add(cvss, "Vector", row["vector"])
    _add(_add(impact, "ImpactItem"), "Description", words)


def _related(
    data: ET.Element, content: dict[str, Any], text: dict[str, str], language: str
) -> None:
    related = _add(data, "Related")
    page = _add(related, "RelatedItem", type="advisory")
    _add(page, "Name", settings.KAKEHASHI_SITE_NAME)
    _add(page, "VulinfoID", content["id"])
    _add(page, "URL", advisory_url(content["slug"], language))
    for cve_id in content["cve_ids"]:
        item = _add(related, "RelatedItem", type="advisory")
        _add(item, "Name", "Common Vulnerabilities and Exposures (CVE)")
        _add(item, "VulinfoID", cve_id)
        _add(item, "URL", cve_url(cve_id))
    for name, url in reference_links(text["references"]):
        item = _add(related, "RelatedItem", type="advisory")
        _add(item, "Name", name)
        _add(item, "URL", url)
    for cwe_id, cwe_title in _cwes(content):
        item = _add(related, "RelatedItem", type="cwe")
        _add(item, "Name", "CWE")
        _add(item, "VulinfoID", cwe_id)
        if cwe_title:
            _add(item, "Title", cwe_title)
        _add(item, "URL", cwe_url(cwe_id))


def reference_links(references: str) -> list[tuple[str, str]]:
    """``(name, URL)`` of each link in the references text, line by line: a Markdown
    link keeps its text, a bare URL is its own name."""
    links: list[tuple[str, str]] = []
    for line in references.splitlines():
        links += [(name.strip(), url) for name, url in _MARKDOWN_LINK.findall(line)]
        bare = _URL.findall(_MARKDOWN_LINK.sub(" ", line))
        links += [(url, url) for url in (u.rstrip(".,;:") for u in bare)]
    return links


def _history(data: ET.Element, revision: AdvisoryRevision, language: str) -> None:
    history = _add(data, "History")
    for entry in revision.content["history"]:
        note = entry["note_ja" if language == "ja" else "note_en"] or (
            entry["note_en"] or entry["note_ja"]
        )
        if not note:
            note = _("Published.") if entry["number"] == 1 else _("Updated.")
        item = _add(history, "HistoryItem")
        _add(item, "HistoryNo", str(entry["number"]))
        _add(item, "DateTime", jst(entry["at"]))
        _add(item, "Description", note)
    withdrawn_at = revision.advisory.withdrawn_at
    if withdrawn_at is not None:
        item = _add(history, "HistoryItem")
        _add(item, "HistoryNo", str(len(revision.content["history"]) + 1))
        _add(item, "DateTime", jst(withdrawn_at))
        _add(item, "Description", _withdrawn_note(revision))
