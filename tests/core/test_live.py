"""Live views (jewelerp.live): who listens where, and what is announced when."""

from __future__ import annotations

import pytest

from jewelerp import live
from jewelerp.db import unit_of_work
from jewelerp.notifications import notify_staff


@pytest.fixture
def pushed(monkeypatch) -> list[str]:
    """The channels announced, in order, instead of pushing them to a web server."""
    channels: list[str] = []
    monkeypatch.setattr(live, "push_soon", channels.append)
    return channels


def test_a_tab_listens_once_per_channel_and_stops_when_removed(monkeypatch):
    monkeypatch.delenv(live.REDIS_ENV, raising=False)
    subscriptions = live.Subscriptions()
    subscriptions.add("repairs.board:1", "tab-a", "state.board")
    subscriptions.add("repairs.board:1", "tab-a", "state.board")  # loading the page again
    subscriptions.add("repairs.board:1", "tab-b", "state.board")
    subscriptions.add("repairs.board:2", "tab-c", "state.board")
    assert subscriptions.of("repairs.board:1") == {"tab-a": "state.board", "tab-b": "state.board"}
    subscriptions.remove("repairs.board:1", ["tab-a", "tab-unknown"])
    assert subscriptions.of("repairs.board:1") == {"tab-b": "state.board"}
    assert subscriptions.of("repairs.board:9") == {}


def test_each_notified_person_is_announced_once_after_the_commit(world, pushed):
    sales, manager = world.users["sales"], world.users["manager"]
    with unit_of_work() as session:
        notify_staff(session, world.mum, user_ids=[sales, manager, sales], title="Gold rate updated")
        assert pushed == []  # nothing before the commit
    assert sorted(pushed) == sorted([f"core.notifications:{sales}", f"core.notifications:{manager}"])


def test_a_rolled_back_notice_announces_nothing(world, pushed):
    with pytest.raises(RuntimeError), unit_of_work() as session:
        notify_staff(session, world.mum, user_ids=[world.users["sales"]], title="Never sent")
        raise RuntimeError("the work failed")
    assert pushed == []


def test_without_a_web_server_in_this_process_nothing_is_pushed(monkeypatch):
    monkeypatch.setattr(live, "_running", {})
    live.push_soon("repairs.board:1")  # the command line: no loop to push on, no error


def test_with_redis_every_worker_sees_the_same_listeners(redis_url, monkeypatch):
    monkeypatch.setenv(live.REDIS_ENV, redis_url)
    one_worker, another = live.Subscriptions(), live.Subscriptions()
    one_worker.add("repairs.board:1", "tab-a", "state.board")
    another.add("repairs.board:1", "tab-b", "state.board")
    assert (
        one_worker.of("repairs.board:1")
        == another.of("repairs.board:1")
        == {
            "tab-a": "state.board",
            "tab-b": "state.board",
        }
    )
    another.remove("repairs.board:1", ["tab-a"])
    assert one_worker.of("repairs.board:1") == {"tab-b": "state.board"}
    import redis

    ttl = redis.Redis.from_url(redis_url).ttl(live.KEY_PREFIX + "repairs.board:1")
    assert 0 < ttl <= live.SUBSCRIPTION_SECONDS  # forgotten if every tab closes and nobody announces


def test_a_push_announced_on_the_servers_loop_is_held_until_it_ran(monkeypatch):
    import asyncio

    ran: list[str] = []

    async def recorded_push(channel: str) -> int:
        ran.append(channel)
        return 0

    async def a_handler_commits() -> None:
        monkeypatch.setattr(live, "_running", {"loop": asyncio.get_running_loop()})
        live.push_soon("repairs.board:1")
        assert len(live._pushing) == 1  # not left to the garbage collector
        while live._pushing:
            await asyncio.sleep(0)

    monkeypatch.setattr(live, "push", recorded_push)
    asyncio.run(a_handler_commits())
    assert ran == ["repairs.board:1"]
