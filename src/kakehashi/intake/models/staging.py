"""Files a finder chose on the report form before confirming it.

They are stored privately at once (so going back and forth loses nothing) and listed
in the finder's session by key. The row exists so that files of abandoned drafts can
be found and deleted: a session that expires tells nobody (``purge_stale_uploads``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class StagedUpload(models.Model):
    storage_key = models.CharField(max_length=100, unique=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    filename = models.CharField(max_length=255)
    detected_type = models.CharField(max_length=100)
    touched_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.filename
