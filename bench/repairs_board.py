"""How long the workshop board takes to show a move in another person's browser: median and p95.

Run: flock /tmp/e2e.lock .venv/bin/python bench/repairs_board.py [--moves 30]
     (it builds the app in ``.web`` as the browser tests do, so never run both at once)

Like the browser tests it serves the production build of the app with ``AppHarnessProd`` on a
fresh SQLite database with the demo data, and drives Debian's Chromium with Playwright: the
manager and the salesperson of the Mumbai branch each open the board in their own browser
context. A few new repairs (promised long ago, so they head every column however full the demo
board is) wait in "Received"; the manager moves them on with their "→ next stage" buttons, one
stage for every job in turn, until ``--moves`` moves are made. For each move the bench times,
from the click,

- when the manager's own board shows the card in the new column (the move's round trip: the
  event over the websocket, the move in the database, the board's reload and the render), and
- when the salesperson's board shows it there, with no reload (the same, plus the push: the move
  is announced on the store's board channel once it commits, and the server reloads that tab's board
  in its state and sends it the difference; :mod:`jewelerp.live`).

Times are taken inside the pages (a MutationObserver stamps ``performance.timeOrigin +
performance.now()``, one clock for both tabs), so Playwright's own round trips do not count.
Between moves the bench waits a random 0 to 500 ms, as people do not click in step. Both browsers,
the app and the bench share one machine.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAUSE_SECONDS = 0.5  # the longest pause between two moves
sys.path.insert(0, str(ROOT))

# Resolves, inside the page, to the time the card shows in the column (at once if it already does).
ARM = """([key, stage, number]) => {
  const shown = () => !!document.querySelector(
    `section[aria-label="${stage}"] article[aria-label="Job ${number}"]`);
  const stamp = () => { window[key] = performance.timeOrigin + performance.now(); };
  window[key] = null;
  if (shown()) { stamp(); return; }
  const observer = new MutationObserver(() => { if (shown()) { stamp(); observer.disconnect(); } });
  observer.observe(document.body, {childList: true, subtree: true, attributes: true});
}"""
CLICK = """(label) => {
  const button = document.querySelector(`button[aria-label="${label}"]`);
  const at = performance.timeOrigin + performance.now();
  button.click();
  return at;
}"""


def _prepare(db_path: Path, moves: int) -> list[tuple[str, str]]:
    """Point the app at a fresh database with the demo data and new repairs; returns the moves to make
    as (job number, title of the stage it goes to)."""
    os.environ["JEWELERP_DB_URL"] = f"sqlite:///{db_path}"
    os.environ["JEWELERP_SCHEDULER"] = "off"
    tools = ROOT / ".tools" / "node_modules" / ".bin"
    os.environ["PATH"] = f"{tools}{os.pathsep}{os.environ['PATH']}"
    os.environ.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    from sqlmodel import select

    from jewelerp.core.lifecycle import upgrade_database
    from jewelerp.core.models import Store
    from jewelerp.db import read_session, reset_engine
    from jewelerp.demo import load_demo
    from modules.repairs import REPAIR_STAGES
    from modules.repairs.models import Job
    from modules.repairs.stages import DELIVERED, parse_stages, stage_label
    from tests.modules.repairs.jobrows import job_row

    reset_engine()
    upgrade_database()  # as `jewelerp db upgrade`: tables, install data, permissions
    load_demo()
    with read_session() as session:
        store = session.exec(select(Store.id).where(Store.code == "MUM")).one()
    titles = [stage_label(stage) for stage in parse_stages(REPAIR_STAGES) if stage != DELIVERED]
    long_ago = date.today() - timedelta(days=3650)
    jobs = math.ceil(moves / (len(titles) - 1))
    ids = [job_row(store, "repair", "received", customer_name=f"Bench {n}", promised_on=long_ago) for n in range(jobs)]
    with read_session() as session:
        numbers = [session.get(Job, job_id).number for job_id in ids]
    return [(number, title) for title in titles[1:] for number in numbers][:moves]


def _board_tab(browser, base_url: str, role: str):
    """A new browser context signed in as the demo ``role``, showing the board."""
    from jewelerp.demo import DEMO_PASSWORD
    from tests.e2e.conftest import DEMO_LOGINS, sign_in

    tab = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    sign_in(tab, base_url, DEMO_LOGINS[role], DEMO_PASSWORD)
    tab.wait_for_url(f"{base_url}/")
    tab.goto(f"{base_url}/repairs/board")
    tab.get_by_role("region", name="Received", exact=True).wait_for()
    return tab


def _seen(tab, key: str) -> float:
    tab.wait_for_function(f"window['{key}'] !== null", timeout=30_000)
    return tab.evaluate(f"window['{key}']")


def measure(base_url: str, moves: list[tuple[str, str]]) -> tuple[list[float], list[float]]:
    """Make the moves in the manager's tab; (own round trips, the other tab's latencies) in ms."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    rng = random.Random(7)
    own, other = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        mover, watcher = _board_tab(browser, base_url, "manager"), _board_tab(browser, base_url, "sales")
        for number, title in moves:
            mover.wait_for_timeout(rng.uniform(0, PAUSE_SECONDS) * 1000)
            for tab in (mover, watcher):
                tab.evaluate(ARM, ["__benchSeen", title, number])
            clicked = mover.evaluate(CLICK, f"Move {number} to {title}")
            own.append(_seen(mover, "__benchSeen") - clicked)
            other.append(_seen(watcher, "__benchSeen") - clicked)
        browser.close()
    return own, other


def _p95(values: list[float]) -> float:
    """95th percentile by nearest rank (with 30 moves: the second slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _line(label: str, median: float, p95: float) -> str:
    return f"  {label:<48} median {median:7.0f} ms   p95 {p95:7.0f} ms"


def _timed(label: str, values: list[float]) -> str:
    return _line(label, statistics.median(values), _p95(values))


def main() -> None:
    """Build and start the app, time the moves, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        moves = _prepare(Path(tmp) / "bench-board.db", args.moves)
        from reflex.testing import AppHarnessProd

        from jewelerp import PROJECT_ROOT

        with AppHarnessProd.create(root=PROJECT_ROOT, app_name="jewelerp") as harness:
            own, other = measure(harness.frontend_url.rstrip("/"), moves)
    print(f"Workshop board, {len(moves)} moves by button, pushed to the other browser (no polling)")
    print(_timed("the mover's own board (round trip)", own))
    print(_timed("the other browser's board (no reload)", other))
    print(_timed("difference: the push and that tab's reload", [b - a for a, b in zip(own, other, strict=True)]))


if __name__ == "__main__":
    main()
