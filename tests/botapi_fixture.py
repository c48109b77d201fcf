"""Pytest fixture for the fake Bot API: ``from tests.botapi_fixture import botapi``."""

import pytest

from tests.botapi import BotAPIServer


@pytest.fixture
def botapi():
    """A started ``BotAPIServer`` for one test; stopped afterwards."""
    with BotAPIServer() as server:
        yield server
