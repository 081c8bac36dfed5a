"""``kakehashi mail …``: inbound e-mail from the shell.

- ``mail fetch`` — read the IMAP folder once (``KAKEHASHI_IMAP_*``), file each reply into
  its thread or put it in triage, then mark or move it;
- ``mail ingest`` — read one RFC 822 message from standard input, or with
  ``--maildir DIR`` every unseen message of a Maildir (``--all``: seen ones too).

Exit status 0 when every message was kept (filed, in triage, or already there); 1 when
the mailbox could not be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ...inbound import sources


class Command(BaseCommand):
    help = "Read replies by e-mail into their threads (IMAP, a Maildir or standard input)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("fetch", help="Read the configured IMAP folder once.")
        source = sub.add_parser(
            "ingest", help="Read one message from standard input, or a Maildir."
        )
        source.add_argument("--maildir", type=Path, help="A Maildir directory to read.")
        source.add_argument(
            "--all", action="store_true", help="With --maildir: also messages already seen."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "fetch":
                if not settings.KAKEHASHI_IMAP_HOST:
                    raise CommandError(_("No IMAP mailbox is configured (KAKEHASHI_IMAP_HOST)."))
                tally = sources.fetch()
            elif options["maildir"] is not None:
                tally = sources.ingest_maildir(options["maildir"], include_seen=options["all"])
            else:
                raw = sys.stdin.buffer.read()
                if not sources.looks_like_mail(raw):
                    raise CommandError(_("Standard input is not an e-mail message."))
                tally = sources.ingest_bytes(raw)
        except (sources.FetchError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from error
        for problem in tally.errors:
            self.stderr.write(problem)
        self.stdout.write(
            _("Filed %(filed)d, in triage %(triage)d, already received %(already)d.")
            % {"filed": tally.filed, "triage": tally.triage, "already": tally.already}
        )
