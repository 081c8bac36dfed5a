"""Fixtures shared by every test: fast hashing, personas, a logged-in client per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kakehashi.core.testing import World, build_world


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

    cache.clear()


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
