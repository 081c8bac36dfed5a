"""``kakehashi totp USER``: the current TOTP code of a demo user (development only)."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kakehashi.core.demo import USERS, totp_secret_for


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user. Refused in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Refused: KAKEHASHI_ENV=production.")
        if options["username"] not in {u.username for u in USERS}:
            raise CommandError("Only demo users have a known TOTP secret.")
        secret = totp_secret_for(options["username"])
        self.stdout.write(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
