"""``kakehashi pgp generate``: make the platform's OpenPGP key; ``pgp show``: check it."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kakehashi.core import pgp

WARN_DAYS = 60
FILES = {  # name: mode
    "secret-key.asc": 0o600,
    "passphrase": 0o600,
    "revocation.asc": 0o600,
    "public-key.asc": 0o644,
}


class Command(BaseCommand):
    help = "Generate the platform's OpenPGP key, or show the configured one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        generate = sub.add_parser("generate", help="Write a new key and its passphrase to DIR.")
        generate.add_argument("--name", default="Kakehashi", help="user ID name")
        generate.add_argument("--email", required=True, help="user ID address")
        generate.add_argument("--out", required=True, type=Path, help="directory for the files")
        generate.add_argument("--algorithm", choices=sorted(pgp.ALGORITHMS), default="ed25519")
        generate.add_argument("--expires", default="2y", help="gpg syntax: 2y, 365d, 0 (never)")
        sub.add_parser("show", help="Fingerprint and expiry of the configured key.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "generate":
            self._generate(options)
        else:
            self._show()

    def _generate(self, options: dict[str, Any]) -> None:
        out: Path = options["out"].resolve()
        taken = [name for name in FILES if (out / name).exists()]
        if taken:
            raise CommandError(f"Refusing to overwrite {', '.join(taken)} in {out}.")
        passphrase = secrets.token_urlsafe(32)
        try:
            key = pgp.generate_key(
                options["name"],
                options["email"],
                passphrase,
                algorithm=options["algorithm"],
                expires=options["expires"],
            )
        except (pgp.PgpError, ValueError) as error:
            raise CommandError(str(error)) from error
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        contents = {
            "secret-key.asc": key.secret_armor,
            "passphrase": passphrase + "\n",
            "revocation.asc": key.revocation,
            "public-key.asc": key.public_armor,
        }
        for name, mode in FILES.items():
            # O_EXCL: never through an existing file or link; the mode is set at creation.
            fd = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(contents[name])
        self.stdout.write(f"fingerprint {key.info.fingerprint}")
        self.stdout.write(f"expires     {_date(key.info)}")
        self.stdout.write("Set these (and back up secret-key.asc and passphrase apart):")
        self.stdout.write(f"KAKEHASHI_PGP_SECRET_KEY_FILE={out / 'secret-key.asc'}")
        self.stdout.write(f"KAKEHASHI_PGP_PASSPHRASE_FILE={out / 'passphrase'}")

    def _show(self) -> None:
        key = pgp.platform_key()
        if key is None:
            raise CommandError("No platform key: KAKEHASHI_PGP_SECRET_KEY_FILE is not set.")
        info = key.info
        self.stdout.write(f"fingerprint {info.fingerprint}")
        for user_id in info.user_ids:
            self.stdout.write(f"user ID     {user_id}")
        self.stdout.write(f"algorithm   {info.algorithm} ({info.bits} bits)")
        self.stdout.write(f"created     {info.created:%Y-%m-%d}")
        self.stdout.write(f"expires     {_date(info)}")
        now = timezone.now()
        if info.revoked or (info.expires and info.expires <= now):
            raise CommandError("The platform key is expired or revoked.", returncode=2)
        try:
            pgp.sign_detached(b"passphrase check", key)
        except pgp.PgpError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("passphrase  ok")
        if info.expires and info.expires - now < timedelta(days=WARN_DAYS):
            days = (info.expires - now).days
            self.stderr.write(
                self.style.WARNING(f"WARNING: the platform key expires in {days} days: rotate it.")
            )


def _date(info: pgp.KeyInfo) -> str:
    return f"{info.expires:%Y-%m-%d}" if info.expires else "never"
