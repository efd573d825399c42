"""This repository's tests. The shared fixtures (``db``, ``install_data``, ``registry``, ``world``) come from the
``jewelerp.testing`` pytest plugin that installing jewelerp registers; add-ons use the same plugin. Here:
``redis_url``, a throwaway Redis (tests/redis_server.py) for the tests of several workers, and ``redis_process`` to
restart it."""

from collections.abc import Iterator

import pytest

from jewelerp.testing import PASSWORD, World, make_world
from tests.redis_server import RedisServer, running_redis

__all__ = ["PASSWORD", "World", "make_world"]  # older tests import these from here


@pytest.fixture(scope="session")
def redis_process() -> Iterator[RedisServer]:
    """One Redis server for the run (``restart()`` empties it, as a Redis restart without persistence does)."""
    with running_redis() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server_url(redis_process: RedisServer) -> str:
    """The run's Redis server."""
    return redis_process.url


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    """The run's Redis, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server_url)
    client.flushall()
    client.close()
    return redis_server_url
