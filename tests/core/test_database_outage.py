"""The database restarted or out of reach (issue 15): a request in flight fails with a clear message and leaves
nothing half-written, and the app carries on without a restart once the database is back.

The restart tests run a PostgreSQL server of their own (tests/pg_cluster.py), so stopping it disturbs no other
test; they run in the PostgreSQL pass (``python -m tests.pg_cluster``) and are skipped on SQLite. The rest runs
on both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from jewelerp.auth.session_cookie import SESSION_COOKIE
from jewelerp.core.models import Store
from jewelerp.core.stores import StoreInput
from jewelerp.db import DATABASE_UNAVAILABLE, get_engine, is_unavailable, read_session, reset_engine, unit_of_work
from jewelerp.registry import get_registry
from jewelerp.testing import TEST_PG_ENV
from jewelerp.ui import redis_watch
from jewelerp.ui.api import api_app, api_routes
from jewelerp.ui.app import STATE_STORE_UNAVAILABLE, backend_exception_handler, build_app
from jewelerp.ui.state import AppState
from tests.pg_cluster import Cluster, running_cluster

DROPPED = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


def _store(code: str) -> Store:
    return Store(**vars(StoreInput(code, f"Branch {code}", "Main road", "Maharashtra")))


def _codes() -> list[str]:
    with read_session() as session:
        return sorted(session.exec(select(Store.code)))


def _page(monkeypatch: pytest.MonkeyPatch) -> AppState:
    """A page's state whose handlers act as the system (no signed-in user needed here)."""
    monkeypatch.setattr(AppState, "_actor", lambda _self: None)
    return AppState(_reflex_internal_init=True)


def _add(code: str):
    def work(session: Session, _actor: object) -> str:
        session.add(_store(code))
        session.flush()
        return code

    return work


def test_a_page_says_the_database_did_not_answer_and_keeps_nothing_of_the_failed_change(db, monkeypatch):
    state = _page(monkeypatch)

    def add_then_lose_the_connection(session: Session, actor: object) -> None:
        _add("PNQ")(session, actor)  # flushed inside the transaction, never committed
        raise DROPPED

    assert state._run(add_then_lose_the_connection) is None
    assert (state.message, state.message_ok) == (DATABASE_UNAVAILABLE, False)
    assert _codes() == []
    assert state._run(_add("PNQ"), done="Saved.") == "PNQ"
    assert (state.message, state.message_ok) == ("Saved.", True)


def test_other_database_errors_are_not_taken_for_an_outage(db, monkeypatch):
    state = _page(monkeypatch)
    state._run(_add("PNQ"))
    with pytest.raises(IntegrityError):  # a bug, not an outage: Reflex's own handler logs its traceback
        state._run(_add("PNQ"))
    assert not is_unavailable(ValueError("no"))


class _AppBuilt:
    """Stands in for ``rx.App`` (one per process) to see what :func:`build_app` gives it."""

    sio = None

    def __init__(self, **options: object) -> None:
        self.options, self.lifespan_tasks = options, []

    def add_page(self, *_args: object, **_options: object) -> None:
        pass

    def register_lifespan_task(self, task: object) -> None:
        self.lifespan_tasks.append(task)


def test_the_app_has_the_handler_and_each_worker_watches_redis(monkeypatch):
    monkeypatch.setattr("reflex.App", _AppBuilt)
    app = build_app()
    assert app.options["backend_exception_handler"] is backend_exception_handler
    assert redis_watch.watch in app.lifespan_tasks  # tests/core/test_redis_watch.py


def test_a_handler_outside_run_gets_a_toast_with_the_same_words():
    assert DATABASE_UNAVAILABLE in str(backend_exception_handler(DROPPED))
    redis_restarting = RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    assert STATE_STORE_UNAVAILABLE in str(backend_exception_handler(redis_restarting))  # the state's store
    assert "An error occurred." in str(backend_exception_handler(ValueError("a bug")))  # Reflex's own handling


def test_an_http_route_answers_503_with_the_sentence_and_a_bug_still_answers_500():
    async def dropped(_request: Request) -> Response:
        raise DROPPED

    async def bug(_request: Request) -> Response:
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    client = TestClient(api_app([Route("/dropped", dropped), Route("/bug", bug)]), raise_server_exceptions=False)
    answer = client.get("/dropped")
    assert (answer.status_code, answer.text) == (503, DATABASE_UNAVAILABLE)
    assert answer.headers["retry-after"] == "5" and answer.headers["cache-control"] == "no-store"
    assert client.get("/bug").status_code == 500


@pytest.fixture(scope="module")
def server() -> Iterator[Cluster]:
    """A PostgreSQL server of this module's own, with every table in its maintenance database."""
    if not os.environ.get(TEST_PG_ENV):
        pytest.skip("PostgreSQL only: run under python -m tests.pg_cluster")
    with running_cluster() as cluster, pytest.MonkeyPatch.context() as patch:
        patch.setenv("JEWELERP_DB_URL", cluster.url)
        reset_engine()
        get_registry().import_models()
        SQLModel.metadata.create_all(get_engine())
        yield cluster
        reset_engine()


@pytest.fixture
def restartable(server: Cluster, monkeypatch: pytest.MonkeyPatch) -> Cluster:
    """The module's server as the app's database, its stores emptied; running again after the test."""
    monkeypatch.setenv("JEWELERP_DB_URL", server.url)
    if not server.running:
        server.start()
    with unit_of_work() as session:
        session.execute(text("DELETE FROM core_store"))
    return server


def test_a_transaction_in_flight_when_postgresql_restarts_fails_whole_and_the_next_one_succeeds(restartable):
    engine = get_engine()
    with pytest.raises(OperationalError) as failed, unit_of_work() as session:
        session.add(_store("PNQ"))
        session.flush()  # written inside the transaction
        restartable.restart()
        session.add(_store("BLR"))
        session.flush()
    assert is_unavailable(failed.value)
    with unit_of_work() as session:  # the same engine: the pool dropped the dead connections
        session.add(_store("BLR"))
    assert get_engine() is engine
    assert _codes() == ["BLR"]  # nothing of the transaction the restart cut off


def test_a_page_while_postgresql_restarts_is_down_and_is_back(restartable, monkeypatch):
    state = _page(monkeypatch)
    assert state._run(_add("PNQ")) == "PNQ"  # a pooled connection, about to die

    def add_across_a_restart(session: Session, actor: object) -> None:
        _add("BLR")(session, actor)
        restartable.restart()
        _add("HYD")(session, actor)

    assert state._run(add_across_a_restart) is None
    assert (state.message, state.message_ok) == (DATABASE_UNAVAILABLE, False)

    restartable.stop()
    assert state._run(_add("BLR")) is None
    assert state.message == DATABASE_UNAVAILABLE
    client = TestClient(api_app(api_routes()))
    ready = client.get("/api/ready")
    assert ready.status_code == 503 and "cannot be reached" in ready.json()["database"]
    file = client.get("/api/file/stock/photo/1", headers={"cookie": f"{SESSION_COOKIE}=some-token"})
    assert (file.status_code, file.text) == (503, DATABASE_UNAVAILABLE)

    restartable.start()
    assert state._run(_add("BLR"), done="Saved.") == "BLR"
    assert state.message == "Saved."
    assert client.get("/api/ready").status_code == 200
    assert _codes() == ["BLR", "PNQ"]
