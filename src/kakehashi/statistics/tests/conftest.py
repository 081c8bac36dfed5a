import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Labels are matched in English."""
    with translation.override("en"):
        yield
