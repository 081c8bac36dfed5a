"""``advisory_published(advisory, revision)``: sent after a revision is committed, so
other apps (the CNA's CVE records) follow every publication and revision."""

from django.dispatch import Signal

advisory_published = Signal()
