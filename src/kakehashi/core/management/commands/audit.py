"""``kakehashi audit verify``: check the audit hash chain; ``audit head``: print its head."""

from __future__ import annotations

from contextlib import closing
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kakehashi.core import audit


class Command(BaseCommand):
    help = "Verify the audit log's hash chain or print its head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        verify = sub.add_parser("verify", help="Exit non-zero naming the first bad row.")
        verify.add_argument("--all", action="store_true", help="List every problem found.")
        sub.add_parser("head", help="Print the last sequence number and hash.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "head":
            seq, digest = audit.chain_head()
            self.stdout.write(f"{seq} {digest}")
            return
        # Close the walk (and its server-side cursor) before raising: the traceback
        # would otherwise keep it open into whatever transaction runs next.
        with closing(audit.iter_problems()) as problems:
            first = next(problems, None)
            if first is None:
                seq, digest = audit.chain_head()
                self.stdout.write(
                    self.style.SUCCESS(f"audit chain intact: {seq} events, head {digest}")
                )
                return
            self.stderr.write(f"first bad row: {first}")
            if options["all"]:
                for problem in problems:
                    self.stderr.write(f"also: {problem}")
        raise CommandError("audit chain broken", returncode=2)
