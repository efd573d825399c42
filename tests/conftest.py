"""This repository's tests. The shared fixtures (``db``, ``install_data``, ``registry``, ``world``) come from the
``jewelerp.testing`` pytest plugin that installing jewelerp registers; add-ons use the same plugin. Here:
``redis_url``, a throwaway Redis (tests/redis_server.py) for the tests of several workers."""

from collections.abc import Iterator

import pytest

from jewelerp.testing import PASSWORD, World, make_world
from tests.redis_server import redis_server

__all__ = ["PASSWORD", "World", "make_world"]  # older tests import these from here


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """One Redis server for the run."""
    with redis_server() as url:
        yield url


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    """The run's Redis, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server_url)
    client.flushall()
    client.close()
    return redis_server_url
