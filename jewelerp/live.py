"""Live views: a change made by one person reaches the other tabs that show it at once, pushed, not polled.

A page's state subscribes its tab to a channel when the page loads (``subscribe(self, "repairs.board:12")``)
and defines ``_on_live(channel)`` (private: a public method of a Reflex state is an event handler anyone with a
websocket could call). A service announces a change on the channel inside its unit of work
(``announce(session, channel)``); once that work commits, every tab subscribed to the channel has its
``_on_live`` run in its own state through Reflex's ``app.modify_state``: the tab's state is locked, changed,
and the difference sent to that browser. With several workers the states live in Redis and Reflex relays
the update to the worker holding the tab's socket, and the subscriptions are kept in Redis too
(``REFLEX_REDIS_URL``); with one worker they are kept in this process. A rolled-back change announces
nothing. Changes made outside the web server (the command line) reach open tabs on their next load.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from sqlmodel import Session

from jewelerp.db import on_commit

if TYPE_CHECKING:
    import reflex as rx

log = logging.getLogger(__name__)
REDIS_ENV = "REFLEX_REDIS_URL"
KEY_PREFIX = "jewelerp:live:"
SUBSCRIPTION_SECONDS = 12 * 3600  # a channel nobody renews (every tab closed) is forgotten after this


class LiveState(Protocol):
    """What a subscribed state offers: a handler run when its channel announces a change."""

    def _on_live(self, channel: str) -> None: ...


class Subscriptions:
    """Which tabs (client token, state class name) listen to which channel: in Redis, or in this process."""

    def __init__(self) -> None:
        self._local: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        self._redis: Any = None

    def _client(self) -> Any:
        url = os.environ.get(REDIS_ENV)
        if not url:
            return None
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(url, socket_timeout=2)
        return self._redis

    def add(self, channel: str, token: str, state: str) -> None:
        """Listen on ``channel`` from the tab ``token`` with state class ``state`` (its full name)."""
        if (client := self._client()) is not None:
            client.hset(KEY_PREFIX + channel, token, state)
            client.expire(KEY_PREFIX + channel, SUBSCRIPTION_SECONDS)
            return
        with self._lock:
            self._local.setdefault(channel, {})[token] = state

    def remove(self, channel: str, tokens: Iterable[str]) -> None:
        """Stop ``tokens`` listening on ``channel``."""
        tokens = list(tokens)
        if not tokens:
            return
        if (client := self._client()) is not None:
            client.hdel(KEY_PREFIX + channel, *tokens)
            return
        with self._lock:
            listeners = self._local.get(channel, {})
            for token in tokens:
                listeners.pop(token, None)

    def of(self, channel: str) -> dict[str, str]:
        """The tabs listening on ``channel``: token -> state class full name."""
        if (client := self._client()) is not None:
            return {k.decode(): v.decode() for k, v in client.hgetall(KEY_PREFIX + channel).items()}
        with self._lock:
            return dict(self._local.get(channel, {}))


SUBSCRIPTIONS = Subscriptions()
_running: dict[str, Any] = {}  # "app" and "loop" of this web server process, set when it starts
_pushing: set[asyncio.Task] = set()  # pushes under way on the loop


async def start(app: Any) -> None:
    """Lifespan task of the web app: remember the app and its event loop, so commits made in any thread of
    this process can push."""
    _running.update(app=app, loop=asyncio.get_running_loop())


def subscribe(state: rx.State, channel: str) -> None:
    """Listen on ``channel`` from the tab of ``state`` (call it from the page's load handler, after the
    permission check)."""
    SUBSCRIPTIONS.add(channel, state.router.session.client_token, type(state).get_full_name())


def unsubscribe(state: rx.State, channel: str) -> None:
    """Stop the tab of ``state`` listening on ``channel``."""
    SUBSCRIPTIONS.remove(channel, [state.router.session.client_token])


def announce(session: Session, channel: str) -> None:
    """Tell ``channel``'s tabs that something changed, once the unit of work holding ``session`` commits."""
    on_commit(session, lambda: push_soon(channel))


def push_soon(channel: str) -> None:
    """Schedule :func:`push` on the web server's event loop (nothing when this process serves no web app)."""
    loop = _running.get("loop")
    if loop is None or loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        task = loop.create_task(push(channel))
        _pushing.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(_pushing.discard)
    else:
        asyncio.run_coroutine_threadsafe(push(channel), loop)


async def push(channel: str) -> int:
    """Run ``_on_live(channel)`` in the state of every connected tab listening on it; tabs that are gone stop
    listening. Returns how many tabs were updated."""
    app = _running.get("app")
    if app is None or app.event_namespace is None:
        return 0
    listeners = await asyncio.to_thread(SUBSCRIPTIONS.of, channel)  # Redis's client here waits: not on the loop
    gone = [token for token in listeners if not await app.event_namespace._token_manager.is_token_connected(token)]
    await asyncio.to_thread(SUBSCRIPTIONS.remove, channel, gone)
    updates = [_update(app, token, name, channel) for token, name in listeners.items() if token not in gone]
    results = await asyncio.gather(*updates, return_exceptions=True)
    for result in results:
        if isinstance(result, Exception):
            log.warning("live update on %s failed: %s", channel, result)
    return sum(1 for result in results if result is True)


async def _update(app: Any, token: str, state_name: str, channel: str) -> bool:
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State

    state_cls = State.get_class_substate(state_name)
    async with app.modify_state(BaseStateToken(ident=token, cls=state_cls)) as root:
        state = await root.get_state(state_cls)
        state._on_live(channel)
    return True
