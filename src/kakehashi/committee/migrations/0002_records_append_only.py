"""Database triggers that keep the committee's records immutable.

``AppendOnly.save`` refuses an update in the application; these triggers refuse it in
the database too, for a bulk ``update()`` or a careless operator. Only the recorded
content is guarded: a ``*_by`` column may still become NULL when its user is deleted,
and the file's ``closed_at`` may be set once (from NULL) and never changed after.

On SQLite a later migration that rebuilds one of these tables drops its triggers with
the old table: such a migration must create them again (``_sqlite_create``).
"""

from django.db import migrations

MESSAGE = "committee records are append-only"

# The content columns of each table (never the *_by columns, see above).
GUARDED = {
    "committee_committeefile": [
        "case_id",
        "ground",
        "listing_id",
        "vendor_name",
        "statement",
        "vulnerabilities",
        "contact_history",
        "opened_at",
    ],
    "committee_drafttext": ["file_id", "recorded_at", "text_ja", "text_en"],
    "committee_notice": [
        "file_id",
        "recorded_at",
        "method",
        "address",
        "sent_at",
        "opinion_deadline",
        "automatic",
        "note",
    ],
    "committee_opinion": ["file_id", "recorded_at", "form", "author", "received_at", "text"],
    "committee_opinionattachment": ["opinion_id", "filename", "storage_key", "sha256", "size"],
    "committee_assessment": ["file_id", "recorded_at", "criterion", "met", "reasoning"],
    "committee_decision": ["file_id", "recorded_at", "outcome", "reasons"],
    "committee_vendorstatement": ["file_id", "recorded_at", "text_ja", "text_en"],
    "committee_meticonfirmation": ["file_id", "recorded_at", "confirmed_at", "reference", "note"],
}


def _sqlite_create() -> list[str]:
    statements = []
    for table, columns in GUARDED.items():
        statements += [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OF {', '.join(columns)} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        ]
    statements.append(
        "CREATE TRIGGER committee_committeefile_closed_once BEFORE UPDATE OF closed_at "
        "ON committee_committeefile WHEN OLD.closed_at IS NOT NULL "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )
    return statements


def _sqlite_drop() -> list[str]:
    names = [f"{t}_no_update" for t in GUARDED] + [f"{t}_no_delete" for t in GUARDED]
    names.append("committee_committeefile_closed_once")
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def _postgres_create() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION committee_refuse() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"
    ]
    for table, columns in GUARDED.items():
        statements += [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OF {', '.join(columns)} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION committee_refuse()",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION committee_refuse()",
        ]
    statements.append(
        "CREATE TRIGGER committee_committeefile_closed_once BEFORE UPDATE OF closed_at "
        "ON committee_committeefile FOR EACH ROW WHEN (OLD.closed_at IS NOT NULL) "
        "EXECUTE FUNCTION committee_refuse()"
    )
    return statements


def _postgres_drop() -> list[str]:
    statements = [f"DROP TRIGGER IF EXISTS {t}_no_update ON {t}" for t in GUARDED]
    statements += [f"DROP TRIGGER IF EXISTS {t}_no_delete ON {t}" for t in GUARDED]
    statements.append(
        "DROP TRIGGER IF EXISTS committee_committeefile_closed_once ON committee_committeefile"
    )
    statements.append("DROP FUNCTION IF EXISTS committee_refuse()")
    return statements


# The same statements under the names the test harness reads (core.testing), which
# drops and restores every append-only trigger around a transactional test's flush.
SQLITE_CREATE = _sqlite_create()
SQLITE_DROP = _sqlite_drop()
POSTGRES_CREATE = _postgres_create()
POSTGRES_DROP = _postgres_drop()


def _run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("committee", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
