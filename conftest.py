"""Fixtures shared by every test: fast hashing, personas, a logged-in client per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kakehashi.core.testing import (
    World,
    build_world,
    install_audit_triggers,
    remove_audit_triggers,
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # A reused test database may have lost its triggers to an interrupted run.
    with django_db_blocker.unblock():
        install_audit_triggers()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    names = set(request.fixturenames)
    return bool(names & {"transactional_db", "live_server"})


@pytest.fixture(autouse=True)
def _audit_log_flushable(request):
    """Transactional tests end with a flush, which the append-only triggers refuse:
    drop them for the flush and put them back for the next test."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")  # set up before us, torn down after us
    install_audit_triggers()
    yield
    remove_audit_triggers()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    from kakehashi.core import public

    cache.clear()
    public._memo.clear()  # the per-process memo of the public cache's version


@pytest.fixture(autouse=True)
def _language_reset():
    """Every test starts in the default language and leaves none active behind it, so
    no test passes only because an earlier one switched to English."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(world) -> Callable[[str], Client]:
    """``client_for("coordinator")``: a client logged in as that persona."""

    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(world.user(persona))
        return client

    return make
