"""``kakehashi load_demo``: load the demo organisations and users (idempotent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kakehashi.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load demo organisations and one user per role. Refused in production."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Refusing to load demo data: KAKEHASHI_ENV=production.")
        users = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo accounts (demo only, never in production):"))
        self.stdout.write(f"  password for every account: {DEMO_PASSWORD}")
        self.stdout.write(
            f"  {'user':<12} {'role':<30} {'TOTP secret (add to an authenticator app)'}"
        )
        for spec, secret in users:
            self.stdout.write(f"  {spec.username:<12} {spec.role:<30} {secret}")
        self.stdout.write("  `kakehashi totp USER` prints the current code for a demo user.")
        from kakehashi.scenarios.s8_anonymous import follow_up_link

        self.stdout.write(
            f"  scenario 8, the anonymous finder's follow-up link (answer the question): "
            f"{follow_up_link()}"
        )
