"""``kakehashi cna …``: the CNA's ID pool, records and CVE Services from the shell.

- ``cna quota`` — the quota at CVE Services;
- ``cna reserve N [--year Y] [--random] --user NAME`` — reserve IDs into the pool;
- ``cna add CVE-… … --user NAME`` — record IDs reserved elsewhere (a block by hand);
- ``cna pool`` — the pool: free, assigned, published, rejected IDs;
- ``cna export CVE-ID`` — print the CNA container that would be published;
- ``cna import PATH [--own --user NAME] [--validate]`` — CVE records into the corpus
  (a JSON file, a cvelistV5 directory or a zip of it); exit status 2 when any record
  was refused;
- ``cna credentials --api-user NAME`` — store the API secret (read from standard input,
  encrypted, never printed);
- ``cna fake-services [--port 8001]`` — run the fake CVE Services (never in production).

State-changing verbs act as ``--user``, who must be a CNA officer: the audit log names
a person, not "the shell".
"""

from __future__ import annotations

import json
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.accounts.models import User
from kakehashi.core.workflow import GuardFailed, InvalidInput

from ... import actions, importer, services
from ...access import is_cna_officer
from ...models import CveId, CveRecord
from ...records import container_to_publish


class Command(BaseCommand):
    help = "Manage the CNA's CVE IDs and records and the CVE Services connection."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("quota", help="Show the ID quota at CVE Services.")
        reserve = sub.add_parser("reserve", help="Reserve IDs at CVE Services into the pool.")
        reserve.add_argument("amount", type=int)
        reserve.add_argument("--year", type=int, default=None)
        reserve.add_argument("--random", action="store_true", help="Non-sequential IDs.")
        reserve.add_argument("--user", required=True, help="The CNA officer acting.")
        add = sub.add_parser("add", help="Record IDs reserved outside Kakehashi.")
        add.add_argument("ids", nargs="+")
        add.add_argument("--user", required=True, help="The CNA officer acting.")
        sub.add_parser("pool", help="List the ID pool.")
        export = sub.add_parser("export", help="Print the CNA container of a record.")
        export.add_argument("cve_id")
        source = sub.add_parser("import", help="Import CVE records into the corpus.")
        source.add_argument("path", help="A JSON file, a cvelistV5 directory, or a zip of it.")
        source.add_argument(
            "--own", action="store_true", help="Manage the records this CNA assigned."
        )
        source.add_argument("--user", help="The CNA officer acting (with --own).")
        source.add_argument(
            "--validate", action="store_true", help="Check every record against the schema."
        )
        source.add_argument("--batch-size", type=int, default=importer.BATCH_SIZE)
        credentials = sub.add_parser(
            "credentials", help="Store the CVE Services API secret (read from standard input)."
        )
        credentials.add_argument("--api-user", required=True)
        fake = sub.add_parser("fake-services", help="Run the fake CVE Services (development).")
        fake.add_argument("--port", type=int, default=8001)
        fake.add_argument("--api-user", default="cna@kakehashi.invalid")
        fake.add_argument("--api-key", default="fake-api-secret")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"].replace("-", "_")
        try:
            getattr(self, f"do_{verb}")(options)
        except (InvalidInput, GuardFailed, services.ServiceError) as error:
            raise CommandError(str(error)) from error

    def _officer(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user is called “%(name)s”.") % {"name": username})
        return user

    def do_quota(self, options: dict[str, Any]) -> None:
        quota = services.client().quota()
        self.stdout.write(
            _("Quota %(quota)d, reserved %(reserved)d, available %(available)d")
            % {
                "quota": quota.id_quota,
                "reserved": quota.total_reserved,
                "available": quota.available,
            }
        )

    def do_reserve(self, options: dict[str, Any]) -> None:
        rows, reservation = actions.reserve_ids(
            self._officer(options["user"]),
            options["amount"],
            options["year"],
            sequential=not options["random"],
        )
        for row in rows:
            self.stdout.write(row.cve_id)
        if reservation.partial:
            self.stderr.write(
                _("Only %(got)d of %(asked)d were reserved: the quota ran out.")
                % {"got": len(reservation.cve_ids), "asked": options["amount"]}
            )

    def do_add(self, options: dict[str, Any]) -> None:
        for row in actions.add_ids_by_hand(self._officer(options["user"]), options["ids"]):
            self.stdout.write(row.cve_id)

    def do_pool(self, options: dict[str, Any]) -> None:
        for row in CveId.objects.select_related("vulnerability__case"):
            holder = (
                f"{row.vulnerability.case.reference} #{row.vulnerability.number}"
                if row.vulnerability
                else "—"
            )
            self.stdout.write(f"{row.cve_id}\t{row.state}\t{row.source}\t{holder}")

    def do_export(self, options: dict[str, Any]) -> None:
        record = (
            CveRecord.objects.select_related("cve__vulnerability__case")
            .filter(cve__cve_id=options["cve_id"].strip().upper())
            .first()
        )
        if record is None:
            raise CommandError(_("No record has the ID “%(id)s”.") % {"id": options["cve_id"]})
        document = container_to_publish(record)
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))

    def do_import(self, options: dict[str, Any]) -> None:
        if not 1 <= options["batch_size"] <= 10_000:
            raise CommandError(_("The batch size must be between 1 and 10,000."))
        actor = None
        if options["own"]:
            if not options["user"]:
                raise CommandError(_("--own needs --user: the CNA officer taking the records."))
            actor = self._officer(options["user"])
            if not is_cna_officer(actor):
                raise CommandError(_("Only a CNA officer may do this."))
        last = [time.monotonic()]

        def report(progress: importer.Progress) -> None:
            if time.monotonic() - last[0] >= 2:
                last[0] = time.monotonic()
                self.stderr.write(_progress_line(progress))

        run = importer.Importer(
            Path(options["path"]),
            validate=options["validate"],
            own_actor=actor,
            batch_size=options["batch_size"],
            report=report,
        )
        try:
            progress = run.run()
        except (OSError, zipfile.BadZipFile, importer.SourceError) as error:
            raise CommandError(str(error)) from error
        for refusal in progress.refused:
            self.stderr.write(f"{refusal.source}: {refusal.message}")
        self.stderr.write(_progress_line(progress))
        self.stdout.write(
            _(
                "%(read)d records read in %(seconds).1f s: %(created)d new, %(updated)d "
                "updated, %(unchanged)d unchanged (skipped), %(refused)d refused."
            )
            % {
                "read": progress.read,
                "seconds": progress.elapsed,
                "created": progress.created,
                "updated": progress.updated,
                "unchanged": progress.unchanged,
                "refused": len(progress.refused),
            }
        )
        if options["own"]:
            self.stdout.write(
                ngettext(
                    "%(count)d record of this CNA is now managed.",
                    "%(count)d records of this CNA are now managed.",
                    progress.own,
                )
                % {"count": progress.own}
            )
        if progress.refused:
            refused = len(progress.refused)
            raise CommandError(
                ngettext(
                    "%(count)d record was refused; the others are imported.",
                    "%(count)d records were refused; the others are imported.",
                    refused,
                )
                % {"count": refused},
                returncode=2,
            )

    def do_credentials(self, options: dict[str, Any]) -> None:
        secret = sys.stdin.readline().strip()
        actions.set_credential(None, options["api_user"], secret)
        self.stdout.write(_("The CVE Services credential is stored (encrypted)."))

    def do_fake_services(self, options: dict[str, Any]) -> None:
        if settings.PRODUCTION:
            raise CommandError(_("The fake CVE Services never runs in production."))
        from ...fake import FakeCveServices

        server = FakeCveServices(
            settings.KAKEHASHI_CNA_SHORT_NAME,
            options["api_user"],
            options["api_key"],
            port=options["port"],
        ).start()
        self.stdout.write(
            _("Fake CVE Services for %(org)s on %(url)s — Ctrl-C stops it.")
            % {"org": settings.KAKEHASHI_CNA_SHORT_NAME, "url": server.url}
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            server.stop()


def _progress_line(progress: importer.Progress) -> str:
    return _(
        "%(read)d read (%(rate).0f/s): %(created)d new, %(updated)d updated, "
        "%(unchanged)d unchanged, %(refused)d refused"
    ) % {
        "read": progress.read,
        "rate": progress.rate,
        "created": progress.created,
        "updated": progress.updated,
        "unchanged": progress.unchanged,
        "refused": len(progress.refused),
    }
