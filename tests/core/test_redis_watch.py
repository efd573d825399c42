"""Redis lost its data (issue 15): each web worker notices and tells the tabs it serves to reload, so they connect
afresh and subscribe again (tests/e2e/test_workers.py shows it with browsers and two workers)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import redis

from jewelerp.ui import redis_watch


@dataclass
class _Namespace:
    """The parts of Reflex's event namespace the watch uses: this worker's sockets, and emitting to a tab."""

    sid_to_token: dict[str, str]
    sent: list[tuple[str, object]] = field(default_factory=list)

    async def emit_update(self, update: object, token: str) -> None:
        self.sent.append((token, update))


@dataclass
class _App:
    event_namespace: _Namespace


async def _watch_while(app: _App, action, seconds: float) -> None:
    task = asyncio.create_task(redis_watch.watch(app))
    await asyncio.sleep(seconds)
    action()
    await asyncio.sleep(seconds)
    task.cancel()
    done, _pending = await asyncio.wait([task], timeout=5)
    assert done, "the watch went on after it was cancelled"


def test_the_tabs_of_a_worker_reload_once_redis_has_lost_its_data(redis_url, monkeypatch):
    monkeypatch.setenv(redis_watch.REDIS_ENV, redis_url)
    monkeypatch.setattr(redis_watch, "CHECK_SECONDS", 0.05)
    client = redis.Redis.from_url(redis_url)
    app = _App(_Namespace({"sid-1": "tab-1", "sid-2": "tab-2"}))

    asyncio.run(_watch_while(app, lambda: None, 0.3))
    assert app.event_namespace.sent == []  # Redis kept its data: nothing to do

    asyncio.run(_watch_while(app, client.flushall, 0.3))
    assert sorted(token for token, _update in app.event_namespace.sent) == ["tab-1", "tab-2"]
    update = app.event_namespace.sent[0][1]
    assert [event.name for event in update.events] == ["_call_script"]
    assert update.events[0].payload["javascript_code"] == redis_watch.RELOAD


def test_without_redis_there_is_nothing_to_watch(monkeypatch):
    monkeypatch.delenv(redis_watch.REDIS_ENV, raising=False)
    asyncio.run(asyncio.wait_for(redis_watch.watch(_App(_Namespace({}))), timeout=1))  # returns at once


def test_a_cancel_that_redis_swallows_still_ends_the_watch(redis_url, monkeypatch):
    """redis-py now and then loses a cancel that lands while it reads a reply: the call returns as if nothing
    happened. The worker's shutdown must still end the watch, not wait for ever."""

    calls = []

    async def marker_that_swallows_the_first_cancel(client) -> bytes:
        calls.append(client)
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            if len(calls) > 1:
                raise
        return b"unchanged"  # what redis-py does under load, once in a few hundred cancels

    async def cancel_during_the_read() -> asyncio.Task:
        task = asyncio.create_task(redis_watch.watch(_App(_Namespace({}))))
        await asyncio.sleep(0.2)
        task.cancel()
        await asyncio.wait([task], timeout=5)
        return task

    monkeypatch.setenv(redis_watch.REDIS_ENV, redis_url)
    monkeypatch.setattr(redis_watch, "current_marker", marker_that_swallows_the_first_cancel)
    task = asyncio.run(cancel_during_the_read())
    assert len(calls) == 1, "the watch asked Redis again after it was cancelled"
    assert task.cancelled()
