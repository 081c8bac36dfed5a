"""``kakehashi token create|list|revoke``: API tokens from the command line."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kakehashi.accounts import actions
from kakehashi.accounts.models import ApiToken, User


def _parse_expiry(value: str) -> Any:
    """``30d``, ``12h`` or an ISO 8601 instant."""
    value = value.strip()
    if value[:-1].isdigit() and value[-1] in "dh":
        amount = int(value[:-1])
        delta = timedelta(days=amount) if value[-1] == "d" else timedelta(hours=amount)
        return timezone.now() + delta
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"--expires: expected e.g. 30d, 12h or 2027-01-31T00:00Z, got {value!r}")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create")
        create.add_argument("--user", required=True)
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            help="read, write or admin; repeat or separate by commas",
        )
        create.add_argument("--expires", default="90d")
        create.add_argument("--name", default="cli")
        listing = sub.add_parser("list")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError("no token with that prefix")
            actions.revoke_api_token(None, token)
            self.stdout.write(f"revoked {token.prefix}")
            return
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        if verb == "list":
            for token in ApiToken.objects.filter(user=user):
                state = "revoked" if token.revoked_at else f"expires {token.expires_at:%Y-%m-%d}"
                self.stdout.write(f"{token.prefix} {token.name} {','.join(token.scopes)} {state}")
            return
        scopes = [s.strip() for item in options["scope"] for s in item.split(",") if s.strip()]
        try:
            token, secret = actions.create_api_token(
                user,
                name=options["name"],
                scopes=scopes,
                expires_at=_parse_expiry(options["expires"]),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(secret)
        self.stderr.write(f"token {token.prefix} expires {token.expires_at.isoformat()}")
