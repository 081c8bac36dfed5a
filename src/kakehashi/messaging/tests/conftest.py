import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Refusal messages are matched in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def every_thread(world):
    from .scenario import threads_of_every_kind

    return threads_of_every_kind(world)
