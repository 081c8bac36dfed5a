import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Refusal messages are matched in English."""
    with translation.override("en"):
        yield
