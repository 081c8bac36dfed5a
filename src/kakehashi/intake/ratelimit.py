"""How many reports one address may send: per client IP and per e-mail address, per hour.

No third party: the counters live in Django's cache (shared by every worker, see
``CACHES``), in fixed one-hour windows. Only reports actually filed are counted, so a
finder who is refused for a missing field or a large file does not use up the limit;
two bots racing may each get one report past the limit, which is the price of not
locking. The API uses the same two functions, so its anonymous submissions share the
limits of the form.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Limited:
    """A refusal: try again after ``retry_after`` seconds."""

    retry_after: int


def _keys(ip: str | None, email: str) -> list[tuple[str, int]]:
    window = int(time.time()) // WINDOW_SECONDS
    keys = []
    if ip:
        keys.append((_key("ip", ip, window), settings.KAKEHASHI_REPORT_RATE_PER_HOUR))
    address = (email or "").strip().lower()
    if address:
        keys.append(
            (
                _key("address", address, window),
                settings.KAKEHASHI_REPORT_RATE_PER_ADDRESS_PER_HOUR,
            )
        )
    return keys


def _key(kind: str, value: str, window: int) -> str:
    # Hashed: the cache holds no address in clear.
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]
    return f"intake-rate:{kind}:{digest}:{window}"


def check_report_rate(ip: str | None, email: str = "") -> Limited | None:
    """A refusal if ``ip`` or ``email`` has sent its hourly number of reports already."""
    for key, limit in _keys(ip, email):
        if int(cache.get(key, 0)) >= limit:
            return Limited(retry_after=WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS)
    return None


def count_report(ip: str | None, email: str = "") -> None:
    """Count one filed report against ``ip`` and ``email``."""
    for key, _limit in _keys(ip, email):
        cache.add(key, 0, WINDOW_SECONDS + 60)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS + 60)
