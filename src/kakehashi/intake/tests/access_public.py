"""Access specs for the generated tests (core/tests/test_access_generated.py)."""

from kakehashi.core.testing import AccessSpec

SPECS: list[AccessSpec] = []
COVERED_ELSEWHERE: dict[str, str] = {}
