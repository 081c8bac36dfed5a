"""The machine-readable exports and the registry ``kakehashi export`` writes from.

Each entry of :data:`EXPORTS` maps a name to a function of the current published
revisions (newest first) that returns ``(path, bytes)`` pairs, the path being the
file's URL path on the site without the leading slash. A format built per advisory
plugs in with :func:`per_revision`; one built from all advisories takes the list.
Every function reads published revisions only, so nothing embargoed can reach a file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils import translation

from ..models import AdvisoryRevision
from .jvn import jvnrss_document, vuldef_document
from .osv import osv_document

File = tuple[str, bytes]
Exporter = Callable[[Sequence[AdvisoryRevision]], Iterable[File]]
FEED_SIZE = 50  # items in a feed, as the Atom feed


def current_revisions(limit: int | None = None) -> list[AdvisoryRevision]:
    """Every published advisory's current revision (or the ``limit`` newest), newest
    publication first."""
    revisions = (
        AdvisoryRevision.objects.filter(advisory__current_revision=F("pk"))
        .select_related("advisory")
        .order_by("-published_at", "-pk")
    )
    return list(revisions[:limit] if limit is not None else revisions)


def per_revision(build: Callable[[AdvisoryRevision], Iterable[File]]) -> Exporter:
    def exporter(revisions: Sequence[AdvisoryRevision]) -> Iterable[File]:
        for revision in revisions:
            yield from build(revision)

    return exporter


def _path(url_name: str, /, **kwargs: Any) -> str:
    return reverse(url_name, kwargs=kwargs or None).lstrip("/")


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _osv(revision: AdvisoryRevision) -> Iterable[File]:
    document = osv_document(revision.content, revision.advisory.withdrawn_at)
    if document is not None:
        yield _path("exports:osv", slug=revision.advisory.slug), _json(document)


def _osv_all(revisions: Sequence[AdvisoryRevision]) -> Iterable[File]:
    oldest_first = sorted(revisions, key=lambda r: (r.advisory.published_at, r.pk))
    documents = [
        document
        for revision in oldest_first
        if (document := osv_document(revision.content, revision.advisory.withdrawn_at))
    ]
    yield _path("exports:osv_all"), _json(documents)


def _vuldef(revision: AdvisoryRevision) -> Iterable[File]:
    slug = revision.advisory.slug
    yield _path("exports:vuldef", slug=slug), vuldef_document(revision, "ja")
    yield _path("exports:vuldef_en", slug=slug), vuldef_document(revision, "en")


def _jvnrss(revisions: Sequence[AdvisoryRevision]) -> Iterable[File]:
    yield _path("exports:jvnrss"), jvnrss_document(revisions[:FEED_SIZE], "ja")
    yield _path("exports:jvnrss_en"), jvnrss_document(revisions[:FEED_SIZE], "en")


def _atom(revisions: Sequence[AdvisoryRevision]) -> Iterable[File]:
    from ..views.public import atom_document  # the view module imports the exports

    for language in ("ja", "en"):
        with translation.override(language):
            path = _path("feeds:advisories")
            yield path, atom_document(revisions[:FEED_SIZE], language, "/" + path)


def _csaf_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _csaf(revisions: Sequence[AdvisoryRevision]) -> Iterable[File]:
    """The CSAF 2.0 documents per advisory and the whole provider tree, byte for byte as
    the site serves them (published advisories, not withdrawn ones), each document
    built once."""
    from . import csaf_tree

    entries = []
    for revision in csaf_tree.current_revisions():
        built = csaf_tree.build_documents(revision)
        if not built:
            continue
        slug = built[0].slug
        yield _path("exports:csaf", slug=slug), built[0].body
        for entry in built:
            yield _path(f"exports:csaf_{entry.language}", slug=slug), entry.body
            yield from _csaf_tree_file(entry)
        entries += built
    yield _path("exports:csaf_index"), csaf_tree.index_txt(entries).encode("utf-8")
    yield _path("exports:csaf_changes"), csaf_tree.changes_csv(entries).encode("utf-8")
    yield _path("exports:csaf_feed"), _csaf_json(csaf_tree.rolie_feed(entries))
    yield (
        _path("exports:csaf_provider_metadata"),
        _csaf_json(csaf_tree.provider_metadata(entries)),
    )


def _csaf_tree_file(entry: Any) -> Iterable[File]:
    """One document of the tree with its hash and (with a platform key) signature."""
    from . import csaf_tree

    path = _path("exports:csaf_file", year=entry.year, name=entry.name)
    yield path, entry.body
    yield f"{path}.sha512", csaf_tree.sha512_file(entry).encode("utf-8")
    signature = csaf_tree.signature(entry)
    if signature is not None:
        yield f"{path}.asc", signature.encode("ascii")


EXPORTS: dict[str, Exporter] = {
    "osv": per_revision(_osv),
    "osv-all": _osv_all,
    "vuldef": per_revision(_vuldef),
    "jvnrss": _jvnrss,
    "atom": _atom,
    "csaf": _csaf,
}
