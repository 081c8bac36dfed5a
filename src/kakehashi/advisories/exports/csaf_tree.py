"""The CSAF 2.0 provider tree (CSAF 2.0 §7.1): provider-metadata.json, the TLP:WHITE
(TLP:CLEAR) directory with one folder per year, index.txt, changes.csv, a ROLIE feed,
and per document a SHA-512 file and an OpenPGP signature by the platform key.

Everything is derived from the current revisions of published advisories: a draft
or a scheduled advisory has no revision, so it is in none of these files. Withdrawn
advisories leave the tree (CSAF 2.0 has no withdrawn document category). Document
bytes and signatures are cached per revision, so the bytes a hash or signature
covers are the bytes served.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kakehashi.core import pgp

from ..choices import AdvisoryState
from ..models import Advisory, AdvisoryRevision
from .csaf import (
    TLP_LABEL,
    csaf_document,
    document_languages,
    file_name,
    publisher,
    tracking_id,
)

CACHE_SECONDS = 300  # HTTP caching of the listings
DOCUMENT_CACHE_SECONDS = SIGNATURE_CACHE_SECONDS = 86400
CSAF_SCHEMA_URL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"


@dataclass(frozen=True)
class TreeDocument:
    revision_pk: int
    tracking_id: str
    language: str
    slug: str
    title: str
    year: str
    name: str  # the CSAF file name, e.g. "jvn_12345678.json"
    initial_release_date: str
    current_release_date: str
    body: bytes = b""  # empty in listings (documents()); filled by tree_documents()

    @property
    def path(self) -> str:
        """The path inside the TLP directory, as index.txt and changes.csv give it."""
        return f"{self.year}/{self.name}"

    @property
    def sha512(self) -> str:
        return hashlib.sha512(self.body).hexdigest()


def absolute(url_name: str, /, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(f"exports:{url_name}", kwargs=kwargs or None)


def document_url(tracking_id: str, year: str) -> str:
    return absolute("csaf_file", year=year, name=file_name(tracking_id))


def _serialise(document: dict[str, Any]) -> bytes:
    """Compact JSON (the C encoder: ten thousand documents export in seconds, where an
    indented dump takes minutes); its SHA-512 and signature cover exactly these bytes."""
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


# A revision never changes: its documents are cached under the revision, with what
# else goes into them (publisher, site URL) in the key. The listings read only the
# small metadata entries; the bodies are read one at a time when a file is served.


def _keys(revision_pk: int, number: int) -> tuple[str, str]:
    context = hashlib.sha256(repr((publisher(), settings.SITE_URL)).encode()).hexdigest()[:16]
    suffix = f"{revision_pk}:{number}:{context}"
    return f"csaf-meta:{suffix}", f"csaf-body:{suffix}"


def _build(revision: AdvisoryRevision, *, store: bool = True) -> list[TreeDocument]:
    content = revision.content
    year = content["published_at"][:4]
    languages = document_languages(content)
    urls = {lang: document_url(tracking_id(content, lang), year) for lang in languages}
    built = []
    for language in languages:
        document = csaf_document(content, language, urls)
        if document is None:
            break
        tracking = document["document"]["tracking"]
        built.append(
            TreeDocument(
                revision_pk=revision.pk,
                tracking_id=tracking["id"],
                language=language,
                slug=content["slug"],
                title=document["document"]["title"],
                year=year,
                name=file_name(tracking["id"]),
                initial_release_date=tracking["initial_release_date"],
                current_release_date=tracking["current_release_date"],
                body=_serialise(document),
            )
        )
    if not store:  # a one-off pass over everything (``kakehashi export``)
        return built
    meta_key, body_key = _keys(revision.pk, revision.number)
    cache.set_many(
        {
            meta_key: [{**vars(d), "body": b""} for d in built],
            body_key: [d.body for d in built],
        },
        DOCUMENT_CACHE_SECONDS,
    )
    return built


def build_documents(revision: AdvisoryRevision) -> list[TreeDocument]:
    """The revision's documents built afresh, without touching the cache."""
    return _build(revision, store=False)


def tree_documents(revision: AdvisoryRevision) -> list[TreeDocument]:
    """The revision's CSAF documents with their bodies, canonical first (none when it
    has no vulnerability or product)."""
    meta_key, body_key = _keys(revision.pk, revision.number)
    found = cache.get_many([meta_key, body_key])
    if meta_key not in found or body_key not in found:
        return _build(revision)
    return [
        TreeDocument(**{**fields, "body": body})
        for fields, body in zip(found[meta_key], found[body_key], strict=True)
    ]


def current_revisions() -> QuerySet[AdvisoryRevision]:
    """The current revision of every published (not withdrawn) advisory, oldest first;
    the content is read only when a revision's documents are not cached."""
    return (
        AdvisoryRevision.objects.filter(
            advisory__current_revision=F("pk"), advisory__state=AdvisoryState.PUBLISHED
        )
        .defer("content", "search_text")
        .order_by("advisory__published_at", "pk")
    )


def documents() -> list[TreeDocument]:
    """Every document of the tree, without bodies."""
    revisions = list(current_revisions())
    keys = {r.pk: _keys(r.pk, r.number)[0] for r in revisions}
    cached = cache.get_many(list(keys.values()))
    listed: list[TreeDocument] = []
    for revision in revisions:
        if keys[revision.pk] in cached:
            listed += [TreeDocument(**fields) for fields in cached[keys[revision.pk]]]
        else:
            listed += [replace(d, body=b"") for d in _build(revision)]
    return listed


def advisory_document(advisory: Advisory, language: str) -> TreeDocument | None:
    """The advisory's document in ``language``; "" means the canonical one."""
    if advisory.state != AdvisoryState.PUBLISHED or advisory.current_revision is None:
        return None
    found = tree_documents(advisory.current_revision)
    if not language:
        return found[0] if found else None
    return next((d for d in found if d.language == language), None)


def find(year: str, name: str) -> TreeDocument | None:
    """The document served at ``<year>/<name>``, with its body."""
    listed = next((d for d in documents() if d.year == year and d.name == name), None)
    if listed is None:
        return None
    revision = AdvisoryRevision.objects.get(pk=listed.revision_pk)
    return next((d for d in tree_documents(revision) if d.name == name), None)


# --- integrity -------------------------------------------------------------------------


def sha512_file(document: TreeDocument) -> str:
    """CSAF 2.0 §7.1.18: the hex digest, then the file name (as sha512sum writes it)."""
    return f"{document.sha512}  {document.name}\n"


def signature(document: TreeDocument) -> str | None:
    """The detached signature by the platform key; None without a platform key."""
    key = pgp.platform_key()
    if key is None:
        return None
    cache_key = f"csaf-asc:{key.fingerprint}:{document.sha512}"
    armored = cache.get(cache_key)
    if armored is None:
        armored = pgp.sign_detached(document.body, key)
        cache.set(cache_key, armored, SIGNATURE_CACHE_SECONDS)
    return str(armored)


# --- listings --------------------------------------------------------------------------


def index_txt(entries: list[TreeDocument]) -> str:
    return "".join(f"{d.path}\n" for d in entries)


def changes_csv(entries: list[TreeDocument]) -> str:
    """CSAF 2.0 §7.1.13: "path","current release date", newest first, no header."""
    newest = sorted(entries, key=lambda d: (d.current_release_date, d.path), reverse=True)
    return "".join(f'"{d.path}","{d.current_release_date}"\n' for d in newest)


def last_updated(entries: list[TreeDocument]) -> str:
    if entries:
        return max(d.current_release_date for d in entries)
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rolie_feed(entries: list[TreeDocument]) -> dict[str, Any]:
    """The ROLIE feed of the TLP:WHITE documents (CSAF 2.0 §7.1.15), in English whatever
    the request's language, so that every copy of it is the same bytes."""
    with translation.override("en"):
        return _rolie_feed(entries)


def _rolie_feed(entries: list[TreeDocument]) -> dict[str, Any]:
    signed = pgp.platform_key() is not None
    feed_entries = []
    for document in sorted(entries, key=lambda d: d.current_release_date, reverse=True):
        url = document_url(document.tracking_id, document.year)
        links = [{"rel": "self", "href": url}, {"rel": "hash", "href": url + ".sha512"}]
        if signed:
            links.append({"rel": "signature", "href": url + ".asc"})
        feed_entries.append(
            {
                "id": document.tracking_id,
                "title": document.title,
                "link": links,
                "published": document.initial_release_date,
                "updated": document.current_release_date,
                "content": {"type": "application/json", "src": url},
                "format": {"schema": CSAF_SCHEMA_URL, "version": "2.0"},
            }
        )
    return {
        "feed": {
            "id": "kakehashi-csaf-feed-tlp-white",
            "title": _("%(publisher)s CSAF feed (TLP:WHITE)")
            % {"publisher": settings.KAKEHASHI_CSAF_PUBLISHER_NAME},
            "link": [{"rel": "self", "href": absolute("csaf_feed")}],
            "category": [
                {"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}
            ],
            "updated": last_updated(entries),
            "entry": feed_entries,
        }
    }


def provider_metadata(entries: list[TreeDocument]) -> dict[str, Any]:
    """provider-metadata.json (CSAF 2.0 §7.1.7), in English whatever the request's
    language. Without a platform key there are no signatures, so the role is
    "csaf_provider", not "csaf_trusted_provider"."""
    with translation.override("en"):
        return _provider_metadata(entries)


def _provider_metadata(entries: list[TreeDocument]) -> dict[str, Any]:
    key = pgp.platform_key()
    metadata: dict[str, Any] = {
        "canonical_url": absolute("csaf_provider_metadata"),
        "distributions": [
            {
                "directory_url": absolute("csaf_directory"),
                "rolie": {
                    "feeds": [
                        {
                            "summary": _("All advisories (TLP:WHITE)"),
                            "tlp_label": TLP_LABEL,
                            "url": absolute("csaf_feed"),
                        }
                    ]
                },
            }
        ],
        "last_updated": last_updated(entries),
        "list_on_CSAF_aggregators": True,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": True,
        "publisher": publisher(),
        "role": "csaf_trusted_provider" if key is not None else "csaf_provider",
    }
    if key is not None:
        metadata["public_openpgp_keys"] = [
            {
                "fingerprint": key.fingerprint,
                "url": absolute("csaf_key", fingerprint=key.fingerprint),
            }
        ]
    return metadata
