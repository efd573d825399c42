"""This repository's tests. The shared fixtures (``db``, ``install_data``, ``registry``, ``world``) come from the
``jewelerp.testing`` pytest plugin that installing jewelerp registers; add-ons use the same plugin. Here:
``redis_url``, a throwaway Redis (tests/redis_server.py) for the tests of several workers, and ``redis_process`` to
restart it."""

import os
from collections.abc import Iterator

import pytest

from jewelerp.testing import PASSWORD, TEST_PG_ENV, World, make_world
from tests.oidc_provider import TestProvider, configure
from tests.redis_server import RedisServer, running_redis

__all__ = ["PASSWORD", "World", "make_world"]  # older tests import these from here


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL run, skip the tests marked ``sqlite_only``: they load the whole demo (which the README runs
    on SQLite, and which takes minutes on a busy machine) or work on a SQLite file of their own."""
    if not os.environ.get(TEST_PG_ENV):
        return
    skip = pytest.mark.skip(reason="SQLite only: the SQLite run covers it")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


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


@pytest.fixture(scope="session")
def oidc_server() -> Iterator[TestProvider]:
    """One test OpenID Connect provider for the run (tests/oidc_provider.py); its RSA key is made once."""
    provider = TestProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def google(oidc_provider: TestProvider, monkeypatch: pytest.MonkeyPatch) -> TestProvider:
    """The Google preset, pointed at the test provider (our callback registered there)."""
    configure(monkeypatch, oidc_provider)
    return oidc_provider


@pytest.fixture
def oidc_provider(oidc_server: TestProvider) -> Iterator[TestProvider]:
    """The run's test provider with no client, account, forgery or breakage left from another test; our cached
    provider clients are dropped too, so its discovery document is read afresh."""
    from jewelerp.auth.oidc import forget_clients

    oidc_server.reset()
    forget_clients()
    yield oidc_server
    forget_clients()
