"""The report form's draft: what the finder typed so far, kept in the session.

Step data lives in the (server-side) session, never in hidden fields, so going back,
switching language or reloading loses nothing. Files chosen before the confirmation
are stored privately at once (:func:`stage`) and listed in the draft by key; a
``StagedUpload`` row per file lets :func:`purge_stale_uploads` delete the files of
drafts whose session expired or was abandoned. On submission the action stores its
own copies and the staged ones are deleted.

The submission token makes the final POST one-time: it is drawn when the confirmation
page is shown, and claimed in the cache (an atomic ``add``) by the request that files
the report, so a double click, a reload or the back button cannot file it twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.core.files import File
from django.utils import timezone

from kakehashi.core.storage import delete_private, open_private, save_private

from . import files
from .models import StagedUpload

SESSION_DRAFT = "kakehashi.report_draft"
SESSION_DONE = "kakehashi.report_done"
TOKEN_CLAIM_SECONDS = 3600


class Draft:
    """The session's draft. Call :meth:`save` after changing it."""

    def __init__(self, session: SessionBase) -> None:
        self.session = session
        self.data: dict[str, Any] = dict(session.get(SESSION_DRAFT) or {})

    @property
    def started(self) -> bool:
        return bool(self.data.get("track"))

    @property
    def track(self) -> str:
        return str(self.data.get("track", ""))

    @track.setter
    def track(self, value: str) -> None:
        self.data["track"] = value

    @property
    def consent(self) -> bool:
        return bool(self.data.get("consent"))

    @consent.setter
    def consent(self, value: bool) -> None:
        self.data["consent"] = value

    def step(self, name: str) -> dict[str, Any]:
        return dict(self.data.get("steps", {}).get(name, {}))

    def set_step(self, name: str, raw: dict[str, Any]) -> None:
        self.data.setdefault("steps", {})[name] = raw

    @property
    def upload_keys(self) -> list[str]:
        return list(self.data.get("uploads", []))

    def token(self) -> str:
        """The one-time submission token (drawn on first use)."""
        if not self.data.get("token"):
            self.data["token"] = secrets.token_urlsafe(24)
            self.save()
        return str(self.data["token"])

    def save(self) -> None:
        self.session[SESSION_DRAFT] = self.data
        self.session.modified = True

    def clear(self) -> None:
        """Forget the draft and delete its staged files."""
        unstage(self, self.upload_keys)
        self.data = {}
        self.session.pop(SESSION_DRAFT, None)


# --- The submission token -------------------------------------------------------------


def claim_token(draft: Draft, posted: str) -> bool:
    """True for exactly one request presenting the draft's token."""
    token = draft.data.get("token")
    if not token or not secrets.compare_digest(str(token), posted or ""):
        return False
    return bool(cache.add(f"intake-submit:{token}", 1, TOKEN_CLAIM_SECONDS))


def release_token(draft: Draft) -> None:
    """The claimed submission was refused: the same token may be used again."""
    if draft.data.get("token"):
        cache.delete(f"intake-submit:{draft.data['token']}")


# --- Staged files ---------------------------------------------------------------------


def staged(draft: Draft) -> list[StagedUpload]:
    """The draft's files, in the order chosen; keys whose files were purged are dropped."""
    keys = draft.upload_keys
    if not keys:
        return []
    rows = {row.storage_key: row for row in StagedUpload.objects.filter(storage_key__in=keys)}
    if len(rows) != len(keys):
        draft.data["uploads"] = [key for key in keys if key in rows]
        draft.save()
    return [rows[key] for key in keys if key in rows]


def touch(draft: Draft) -> None:
    """The draft is in use: its files are not stale."""
    if draft.upload_keys:
        StagedUpload.objects.filter(storage_key__in=draft.upload_keys).update(
            touched_at=timezone.now()
        )


def stage(draft: Draft, uploads: list[Any]) -> list[StagedUpload]:
    """Store ``uploads`` privately for the draft (size limits checked first)."""
    current = staged(draft)
    files.check_sizes(uploads, already=sum(row.size for row in current), count_already=len(current))
    rows = []
    for upload in uploads:
        upload.seek(0)
        head = upload.read(4096)
        stored = save_private(upload)
        rows.append(
            StagedUpload.objects.create(
                storage_key=stored.key,
                sha256=stored.sha256,
                size=stored.size,
                filename=files.clean_filename(upload.name),
                detected_type=files.detect_type(head),
            )
        )
    draft.data["uploads"] = draft.upload_keys + [row.storage_key for row in rows]
    draft.save()
    return rows


def unstage(draft: Draft, keys: list[str]) -> None:
    """Delete staged files of the draft (only ever its own keys)."""
    mine = [key for key in keys if key in draft.upload_keys]
    for key in mine:
        delete_private(key)
    StagedUpload.objects.filter(storage_key__in=mine).delete()
    draft.data["uploads"] = [key for key in draft.upload_keys if key not in mine]
    if draft.data.get("track"):
        draft.save()


@contextmanager
def opened(rows: list[StagedUpload]) -> Iterator[list[File[Any]]]:
    """The staged files, open and named as the finder named them, for the action."""
    with ExitStack() as stack:
        handles = []
        for row in rows:
            handle = stack.enter_context(open_private(row.storage_key))
            handles.append(File(handle, name=row.filename))
        yield handles


def purge_stale_uploads(now: Any = None) -> int:
    """Delete staged files untouched for longer than a session can live. Idempotent."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    stale = list(StagedUpload.objects.filter(touched_at__lt=cutoff)[:1000])
    for row in stale:
        delete_private(row.storage_key)
    StagedUpload.objects.filter(pk__in=[row.pk for row in stale]).delete()
    return len(stale)
