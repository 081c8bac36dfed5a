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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse
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
    tracking_id: str
    language: str
    slug: str
    title: str
    year: str
    name: str  # the CSAF file name, e.g. "jvn_12345678.json"
    initial_release_date: str
    current_release_date: str
    body: bytes

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
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def tree_documents(revision: AdvisoryRevision) -> list[TreeDocument]:
    """The revision's CSAF documents as served, canonical first (none when it has no
    vulnerability or product)."""
    content = revision.content
    # A revision never changes; what else goes into its documents is in the key.
    context = hashlib.sha256(repr((publisher(), settings.SITE_URL)).encode()).hexdigest()[:16]
    key = f"csaf:{revision.pk}:{content['id']}:{content['revision']}:{context}"
    cached = cache.get(key)
    if cached is None:
        year = content["published_at"][:4]
        languages = document_languages(content)
        urls = {lang: document_url(tracking_id(content, lang), year) for lang in languages}
        cached = []
        for language in languages:
            document = csaf_document(content, language, urls)
            if document is None:
                break
            tracking = document["document"]["tracking"]
            cached.append(
                {
                    "tracking_id": tracking["id"],
                    "language": language,
                    "slug": content["slug"],
                    "title": document["document"]["title"],
                    "year": year,
                    "name": file_name(tracking["id"]),
                    "initial_release_date": tracking["initial_release_date"],
                    "current_release_date": tracking["current_release_date"],
                    "body": _serialise(document),
                }
            )
        cache.set(key, cached, DOCUMENT_CACHE_SECONDS)
    return [TreeDocument(**fields) for fields in cached]


def current_revisions() -> list[AdvisoryRevision]:
    """The current revision of every published (not withdrawn) advisory, oldest first."""
    return list(
        AdvisoryRevision.objects.filter(
            advisory__current_revision=F("pk"), advisory__state=AdvisoryState.PUBLISHED
        ).order_by("advisory__published_at", "pk")
    )


def documents() -> list[TreeDocument]:
    return [d for r in current_revisions() for d in tree_documents(r)]


def advisory_document(advisory: Advisory, language: str) -> TreeDocument | None:
    """The advisory's document in ``language``; "" means the canonical one."""
    if advisory.state != AdvisoryState.PUBLISHED or advisory.current_revision is None:
        return None
    found = tree_documents(advisory.current_revision)
    if not language:
        return found[0] if found else None
    return next((d for d in found if d.language == language), None)


def find(year: str, name: str) -> TreeDocument | None:
    return next((d for d in documents() if d.year == year and d.name == name), None)


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
    """The ROLIE feed of the TLP:WHITE documents (CSAF 2.0 §7.1.15)."""
    feed_entries = []
    for document in sorted(entries, key=lambda d: d.current_release_date, reverse=True):
        url = document_url(document.tracking_id, document.year)
        links = [{"rel": "self", "href": url}, {"rel": "hash", "href": url + ".sha512"}]
        if pgp.platform_key() is not None:
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
    """provider-metadata.json (CSAF 2.0 §7.1.7). Without a platform key there are no
    signatures, so the role is "csaf_provider", not "csaf_trusted_provider"."""
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
