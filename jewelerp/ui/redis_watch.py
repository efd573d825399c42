"""Redis lost its data (restarted without persistence, flushed): every open tab reloads its page.

With ``REFLEX_REDIS_URL`` the users' page states, the record of which worker holds each tab's websocket and the
live-view subscriptions (:mod:`jewelerp.live`) all live in Redis, while the websockets themselves stay open
across a Redis restart. Reflex rebuilds a lost state on the tab's next event (it runs the page's load again),
but until the tab reconnects no other worker can reach it, and an idle tab (the workshop board on a wall) would
never hear of another change.

So each web worker keeps a marker key in Redis and reads it every :data:`CHECK_SECONDS`. When the marker has
gone, the worker tells every tab it serves to reload its page. Each browser connects afresh (to any worker),
which records its socket again, rebuilds its state and runs the page's load handler: the person stays signed
in (the session lives in the database; its cookie goes with the websocket handshake) on the same page, and a
live page subscribes anew. What was typed and not yet saved is lost with the state that held it. Nothing
happens without ``REFLEX_REDIS_URL`` (one worker keeps everything in its memory).
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from typing import Any

from jewelerp.live import REDIS_ENV

log = logging.getLogger(__name__)
MARKER = "jewelerp:redis-marker"  # never expires: gone only when Redis lost its data
CHECK_SECONDS = 2.0
RELOAD = "window.location.reload()"


async def current_marker(client: Any) -> bytes:
    """The marker's value, set anew by whichever worker asks first after Redis lost it (one round trip)."""
    pipe = client.pipeline(transaction=False)
    pipe.set(MARKER, uuid.uuid4().hex, nx=True)
    pipe.get(MARKER)
    _created, value = await pipe.execute()
    return value


async def reload_tabs(app: Any) -> int:
    """Tell every tab whose websocket this worker holds to reload its page; returns how many were told.

    The reload connects the tab afresh (to any worker), which records its socket in Redis again, rebuilds its
    state and runs the page's load handler. (Closing the websocket from here does not do: the server's engine.io
    close leaves the browser waiting for a ping timeout, and a socket.io disconnect tells it to stay away.)
    """
    import reflex as rx
    from reflex.event import Event
    from reflex.state import StateUpdate

    namespace = app.event_namespace
    if namespace is None:
        return 0
    told = 0
    for token in set(namespace.sid_to_token.values()):
        update = StateUpdate(events=Event.from_event_type(rx.call_script(RELOAD)))
        try:
            await namespace.emit_update(update, token)
        except Exception as exc:  # a tab that went meanwhile: the others still hear
            log.warning("could not tell tab %s to reload: %s", token, exc)
        else:
            told += 1
    return told


def _raise_if_cancelled() -> None:
    """End the task that was cancelled even where redis-py swallowed the ``CancelledError``.

    A cancel that lands while redis-py reads the pipeline's reply can be lost: the call returns its value and
    the loop would go on for ever (seen under load, once in a few hundred cancels). The task still counts the
    request (``Task.cancelling``), so it is honoured here.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def watch(app: Any) -> None:
    """Lifespan task of each web worker: when Redis has lost its data, this worker's tabs reload
    (:func:`reload_tabs`). Returns at once without ``REFLEX_REDIS_URL``; a Redis that does not answer is
    logged once per outage and asked again. Ends when cancelled."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        return
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError

    client = aioredis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    seen: bytes | None = None
    answering = True
    try:
        while True:
            try:
                marker = await current_marker(client)
            except RedisError as exc:
                if answering:
                    log.warning("Redis does not answer (%s); the tabs reload if it comes back empty", exc)
                answering = False
            else:
                answering = True
                if seen is not None and marker != seen:
                    tabs = await reload_tabs(app)
                    log.warning("Redis lost its data: %d tab(s) of this worker reload their page", tabs)
                seen = marker
            _raise_if_cancelled()
            await asyncio.sleep(CHECK_SECONDS)
    finally:
        await client.aclose()
