"""Several workers behind one port: ``jewelerp serve --workers 2`` with Redis. People's tabs land on any
worker; signing in, pages, the store switcher and the live workshop board work across them, and go on working
when Redis restarts and loses everything it held (issue 15).

The server is a real ``jewelerp serve`` in a child process, built into its own web folder (the harness's
build is for another port), on a copy of the browser tests' demo database and the run's Redis.
"""

from __future__ import annotations

import itertools
import os
import pickle
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import expect

from jewelerp import PROJECT_ROOT
from jewelerp.db import reset_engine
from tests.e2e.conftest import DEMO_LOGINS, TIMEOUT_MS, sign_in
from tests.e2e.test_repairs_board import _card, _new_job
from tests.pg_cluster import free_port
from tests.serve_process import NotServing, wait_until_ready

WORKERS = 2
TABS = 4  # watchers: with two workers, their sockets are all but certain to land on both
MAX_TABS = 12  # ... and more are opened while they have not
START_SECONDS = 600  # the first start builds the frontend
RELOAD_MS = 20_000  # each worker looks at Redis every 2 s (jewelerp.ui.redis_watch), then its tabs reload


@pytest.fixture(scope="module")
def workers_url(app_db: Path, redis_server_url: str, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """``jewelerp serve --workers 2`` on a free port; yields its address and database, stops it after."""
    folder = tmp_path_factory.mktemp("workers")
    database = folder / "workers.db"
    with sqlite3.connect(app_db) as live, sqlite3.connect(database) as copy:
        live.backup(copy)
    port = free_port()
    env = {
        **os.environ,
        "JEWELERP_DB_URL": f"sqlite:///{database}",
        "REFLEX_REDIS_URL": redis_server_url,
        "REFLEX_WEB_WORKDIR": str(folder / "web"),
        "JEWELERP_SCHEDULER": "off",
    }
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jewelerp.cli", "serve", "--workers", str(WORKERS), "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://localhost:{port}"
    try:
        try:
            wait_until_ready(url, server, folder / "serve.log", START_SECONDS)
        except NotServing as exc:
            pytest.fail(str(exc))
        yield url, database
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        log.close()


def _workers_of(redis_url: str) -> set[str]:
    """The workers holding the app's websockets now (Reflex records each socket's worker in Redis)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    records = [client.get(key) for key in client.scan_iter("token_manager_socket_record_*")]
    return {str(pickle.loads(record).instance_id) for record in records if record}


def _new_job_in(database: Path, **fields: str) -> str:
    """A fresh repair in MUM's first stage of the workers' database; returns its number."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JEWELERP_DB_URL", f"sqlite:///{database}")
        reset_engine()
        try:
            return _new_job(**fields)
        finally:
            reset_engine()


def _tab(browser, url: str, role: str):
    from jewelerp.demo import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    sign_in(tab, url, DEMO_LOGINS[role], DEMO_PASSWORD)
    tab.wait_for_url(f"{url}/")
    return tab


def test_tabs_on_different_workers_sign_in_switch_stores_and_see_moves_live(browser, workers_url, redis_server_url):
    workers_url, database = workers_url
    number = _new_job_in(database, customer_name="Meera Pillai", item_description="Gold chain, clasp broken")
    manager = _tab(browser, workers_url, "manager")
    watchers = []
    for tab in itertools.chain([manager], (_tab(browser, workers_url, "sales") for _ in range(MAX_TABS))):
        tab.goto(f"{workers_url}/repairs/board")
        expect(_card(tab, "Received", number)).to_be_visible(timeout=TIMEOUT_MS)  # a page's first load, under load
        watchers += [tab] if tab is not manager else []
        if len(watchers) >= TABS and len(_workers_of(redis_server_url)) == WORKERS:
            break  # the OS hands each connection to a worker: under load it may take more tabs to reach both
    assert len(_workers_of(redis_server_url)) == WORKERS  # the tabs' sockets are spread over both workers

    manager.get_by_role("button", name=f"Move {number} to Estimated").click()
    for tab in watchers:
        expect(_card(tab, "Estimated", number)).to_be_visible(timeout=5_000)

    manager.get_by_role("combobox", name="Current store").click()
    manager.get_by_role("option", name="DEL · Karol Bagh, Delhi").click()
    expect(manager.get_by_role("region", name="Received", exact=True)).to_be_visible()
    expect(_card(manager, "Estimated", number)).to_have_count(0)  # Delhi's board: not Mumbai's job
    manager.get_by_role("navigation", name="Main menu").get_by_role("link", name="Home").click()
    expect(manager.get_by_text("You are working in DEL · Karol Bagh, Delhi.")).to_be_visible()
    for tab in (manager, *watchers):
        tab.context.close()


def test_a_redis_restart_keeps_everyone_signed_in_and_the_board_live(browser, workers_url, redis_process):
    workers_url, database = workers_url
    number = _new_job_in(database, customer_name="Rohan Kapoor", item_description="Silver ring, resize")
    manager = _tab(browser, workers_url, "manager")
    watchers = [_tab(browser, workers_url, "sales") for _ in range(2)]
    for tab in (manager, *watchers):
        tab.goto(f"{workers_url}/repairs/board")
        expect(_card(tab, "Received", number)).to_be_visible()

    with ExitStack() as reloads:  # each tab is told to reload its page, and connects afresh
        for tab in (manager, *watchers):
            reloads.enter_context(tab.expect_event("load", timeout=RELOAD_MS))
        redis_process.restart()  # the page states, socket records and live subscriptions are gone

    for tab in (manager, *watchers):  # still signed in (the session lives in the database), on the same page
        expect(_card(tab, "Received", number)).to_be_visible()
        assert tab.url.rstrip("/") == f"{workers_url}/repairs/board"
    manager.get_by_role("button", name=f"Move {number} to Estimated").click()
    expect(manager.get_by_role("status")).to_contain_text(f"{number} moved to “Estimated”.")
    for tab in watchers:  # subscribed again: the move still reaches the other tabs, whichever worker they are on
        expect(_card(tab, "Estimated", number)).to_be_visible(timeout=5_000)
    for tab in (manager, *watchers):
        tab.context.close()
