"""Settings come from the environment; production refuses unsafe defaults."""

import os
import subprocess
import sys

import pytest

from kakehashi.settings import database_from_url

PRODUCTION = {
    "KAKEHASHI_ENV": "production",
    "SECRET_KEY": "x" * 64,
    "KAKEHASHI_AUDIT_KEY": "audit",
    "ALLOWED_HOSTS": "kakehashi.example",
}


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "kakehashi.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "KAKEHASHI_AUDIT_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run("import django; django.setup()", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 60 + "\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _run(
        "from django.conf import settings; print(len(settings.SECRET_KEY))",
        SECRET_KEY_FILE=str(secret),
        **env,
    )
    assert result.stdout.strip() == "60", result.stderr


def test_demo_data_is_refused_in_production():
    result = _run(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('load_demo')",
        **PRODUCTION,
    )
    assert result.returncode != 0
    assert "production" in result.stderr


def test_database_urls_for_sqlite_and_postgresql(tmp_path):
    sqlite = database_from_url(f"sqlite:///{tmp_path}/db.sqlite3")
    assert sqlite["NAME"] == f"{tmp_path}/db.sqlite3"
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    pg = database_from_url("postgres://kh:p%40ss@db.example:5433/kakehashi?sslmode=require")
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "kh",
        "p@ss",
        "db.example",
        "5433",
        "kakehashi",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    with pytest.raises(Exception, match="Unsupported"):
        database_from_url("mysql://x/y")
