"""Every export of a revision, validated before the revision is published.

Publication writes nothing when one of the documents it would publish fails its schema
(issue 7, "an export that fails its validator"): the OSV document against the OSV
schema, each CSAF document against the CSAF 2.0 JSON schema (with the FIRST CVSS
schemas it refers to, registered offline), each VULDEF document against the MyJVN XSD.
The test suite additionally runs the ``csaf`` package's mandatory tests.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from lxml import etree
from referencing import Registry, Resource

from ..models import AdvisoryRevision
from .csaf import csaf_document, document_languages, tracking_id
from .csaf_tree import document_url
from .jvn import vuldef_document
from .osv import osv_document

DATA = Path(__file__).resolve().parents[1] / "data"
FIRST = "https://www.first.org/cvss/"


@cache
def _osv_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((DATA / "osv" / "schema.json").read_text("utf-8")))


@cache
def _csaf_validator() -> Draft202012Validator:
    schema = json.loads((DATA / "csaf" / "csaf_json_schema.json").read_text("utf-8"))
    registry: Registry[Any] = Registry()
    for name in ("cvss-v2.0.json", "cvss-v3.0.json", "cvss-v3.1.json"):
        referenced = json.loads((DATA / "csaf" / "referenced" / name).read_text("utf-8"))
        registry = registry.with_resource(FIRST + name, Resource.from_contents(referenced))
    return Draft202012Validator(schema, registry=registry)


JVN_SCHEMAS = DATA / "jvn" / "schemas" / "hnd"


def combined_schema(*files: str) -> etree.XMLSchema:
    """One schema importing the files: VULDEF documents carry mod_sec and TLP marking
    elements, whose schemas vuldef_3.2.xsd itself does not import."""
    imports = "".join(
        f'<xs:import namespace="{etree.parse(str(JVN_SCHEMAS / f)).getroot().get("targetNamespace")}"'
        f' schemaLocation="{(JVN_SCHEMAS / f).as_uri()}"/>'
        for f in files
    )
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"'
        f' targetNamespace="urn:kakehashi:exports">{imports}</xs:schema>'
    )
    return etree.XMLSchema(etree.fromstring(wrapper))


@cache
def vuldef_schema() -> etree.XMLSchema:
    return combined_schema("vuldef_3.2.xsd", "mod_sec_3.0.xsd", "tlp_marking.xsd")


@cache
def jvnrss_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(JVN_SCHEMAS / "jvnrss_3.2.xsd")))


def _json_problems(
    label: str, document: dict[str, Any], validator: Draft202012Validator
) -> list[str]:
    return [
        _("%(format)s is not valid at %(field)s: %(error)s")
        % {
            "format": label,
            "field": "/".join(str(p) for p in error.absolute_path) or "(document)",
            "error": error.message,
        }
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


def export_problems(revision: AdvisoryRevision) -> list[str]:
    """What would be invalid in the exports of ``revision`` (empty: all valid)."""
    content = revision.content
    problems: list[str] = []
    osv = osv_document(content)
    if osv is not None:
        problems += _json_problems("OSV", osv, _osv_validator())
    year = content["published_at"][:4]
    languages = document_languages(content)
    urls = {lang: document_url(tracking_id(content, lang), year) for lang in languages}
    for language in languages:
        document = csaf_document(content, language, urls)
        if document is not None:
            problems += _json_problems(f"CSAF ({language})", document, _csaf_validator())
    for language in ("ja", "en"):
        xml = etree.fromstring(vuldef_document(revision, language))
        schema = vuldef_schema()
        if not schema.validate(xml):
            problems += [
                _("%(format)s is not valid: %(error)s")
                % {"format": f"VULDEF ({language})", "error": error.message}
                for error in schema.error_log
            ]
    return problems
