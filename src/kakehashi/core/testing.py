"""Test helpers shared by every app: personas, job draining, generated access tests.

One persona per role (STYLE point 9). ``AccessSpec`` rows describe, per view, which
personas are allowed; ``access_test_cases`` turns them into anonymous / denied /
permitted test cases, and ``test_every_view_has_an_access_spec`` fails when a URL
has no row, so a new view cannot ship without its access tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import Membership, Organisation, User

PASSWORD = "correct horse battery staple"  # noqa: S105 - test fixture


@dataclass(frozen=True)
class PersonaSpec:
    organisation: str | None
    role: str | None


# name -> (organisation slug, role); "outsider" has an account and no membership.
PERSONAS: dict[str, PersonaSpec] = {
    "admin": PersonaSpec("coordination", Role.ADMINISTRATOR),
    "clerk": PersonaSpec("reception", Role.RECEPTION_CLERK),
    "coordinator": PersonaSpec("coordination", Role.COORDINATOR),
    "cna": PersonaSpec("coordination", Role.CNA_OFFICER),
    "translator": PersonaSpec("coordination", Role.TRANSLATOR),
    "committee": PersonaSpec("coordination", Role.COMMITTEE_MEMBER),
    "psirt": PersonaSpec("vendor-a", Role.VENDOR_PSIRT),
    "vendoradmin": PersonaSpec("vendor-a", Role.VENDOR_ADMIN),
    "other_vendor": PersonaSpec("vendor-b", Role.VENDOR_PSIRT),
    "finder": PersonaSpec("finders", Role.FINDER),
    "outsider": PersonaSpec(None, None),
}
ALL_PERSONAS = frozenset(PERSONAS) | {"anonymous"}

ORGANISATIONS = {
    "reception": (OrganisationKind.RECEPTION, "Reception"),
    "coordination": (OrganisationKind.COORDINATOR, "Coordination"),
    "vendor-a": (OrganisationKind.VENDOR, "Vendor A"),
    "vendor-b": (OrganisationKind.VENDOR, "Vendor B"),
    "finders": (OrganisationKind.FINDER, "Finders"),
}


@dataclass
class World:
    """The organisations and one user per persona, created fresh per test."""

    organisations: dict[str, Organisation]
    users: dict[str, User]

    def user(self, persona: str) -> User:
        return self.users[persona]


def build_world(with_mfa: bool = False) -> World:
    organisations = {
        slug: Organisation.objects.create(
            slug=slug, kind=kind, name_en=name, name_ja=f"{name}（日本語）", mfa_required=False
        )
        for slug, (kind, name) in ORGANISATIONS.items()
    }
    users: dict[str, User] = {}
    for name, spec in PERSONAS.items():
        user = User.objects.create_user(
            username=name, email=f"{name}@example.test", password=PASSWORD, language="en"
        )
        if spec.organisation is not None and spec.role is not None:
            Membership.objects.create(
                user=user, organisation=organisations[spec.organisation], role=spec.role
            )
        users[name] = user
    if with_mfa:
        for organisation in organisations.values():
            organisation.mfa_required = None
            organisation.save(update_fields=["mfa_required"])
    return World(organisations, users)


def run_pending_jobs(limit: int = 100) -> list[DBTaskResult]:
    """Run READY jobs in this process, as the worker would, and return their rows."""
    ran = []
    for _ in range(limit):
        row = DBTaskResult.objects.ready().order_by("enqueued_at").first()
        if row is None:
            break
        row.claim("test-worker")
        try:
            value = row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        except Exception as error:
            row.set_failed(error)
        else:
            row.set_successful(value)
        ran.append(row)
    return ran


@dataclass(frozen=True)
class AccessSpec:
    """Who may GET one view. ``kwargs`` builds URL arguments from the world."""

    url_name: str
    allowed: frozenset[str]
    kwargs: Callable[[World], dict[str, Any]] | None = None
    public: bool = False  # anonymous visitors allowed
    denied_status: int = 404
    max_queries: int | None = None
    notes: str = ""
    ok_status: int = 200
    extra_allowed_statuses: frozenset[int] = field(default_factory=frozenset)


def access_test_cases(specs: Iterable[AccessSpec]) -> list[tuple[AccessSpec, str]]:
    """Every (spec, persona) pair, anonymous included, for ``pytest.mark.parametrize``."""
    cases = []
    for spec in specs:
        for persona in sorted(ALL_PERSONAS):
            cases.append((spec, persona))
    return cases


def expected_status(spec: AccessSpec, persona: str) -> int | str:
    if persona == "anonymous":
        return spec.ok_status if spec.public else "login"
    if spec.public or persona in spec.allowed:
        return spec.ok_status
    return spec.denied_status


class QueryCounter(CaptureQueriesContext):
    def __init__(self) -> None:
        super().__init__(connection)


def now() -> Any:
    return timezone.now()


# Migrations that create append-only triggers, each with SQLITE_/POSTGRES_ CREATE and DROP
# statement lists: the audit chain, and the publication committee's records.
APPEND_ONLY_MIGRATIONS = (
    "kakehashi.core.migrations.0002_audit_append_only",
    "kakehashi.committee.migrations.0002_records_append_only",
)


def _trigger_statements(action: str) -> list[str]:
    import importlib

    prefix = {"sqlite": "SQLITE", "postgresql": "POSTGRES"}.get(connection.vendor)
    if prefix is None:
        return []
    statements: list[str] = []
    for name in APPEND_ONLY_MIGRATIONS:
        statements += getattr(importlib.import_module(name), f"{prefix}_{action}")
    return statements


def install_audit_triggers() -> None:
    """(Re)create every append-only trigger; idempotent."""
    remove_audit_triggers()
    with connection.cursor() as cursor:
        for statement in _trigger_statements("CREATE"):
            cursor.execute(statement)


def remove_audit_triggers() -> None:
    """Drop the triggers so a transactional test's teardown may flush the tables."""
    with connection.cursor() as cursor:
        for statement in _trigger_statements("DROP"):
            cursor.execute(statement)
