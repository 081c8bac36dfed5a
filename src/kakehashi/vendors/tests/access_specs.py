"""Access specs for the generated tests (core/tests/test_access_generated.py).

The public vendor list is open to everyone, anonymous visitors included.
"""

from kakehashi.core.testing import AccessSpec

SPECS: list[AccessSpec] = [
    AccessSpec("vendors:public_list", frozenset(), public=True, max_queries=12),
]

COVERED_ELSEWHERE: dict[str, str] = {}
