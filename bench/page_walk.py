"""How fast staff pages load under ``jewelerp serve``: a browser walk of every menu page, median and p95.

Run: .venv/bin/python bench/page_walk.py [--rounds 3] [--role admin] [--workers 1]

It makes a fresh SQLite database with the demo data (as ``jewelerp db upgrade`` and ``jewelerp demo``)
in a temporary folder and starts ``jewelerp serve`` on it: the production build, compiled into
``.tools/bench-web`` the first time (minutes) and reused while the code is unchanged. Debian's Chromium,
driven by Playwright, signs in as the demo ``--role`` (admin by default: every menu entry), reads the
links of the main menu, and opens each page ``--rounds`` times as a full page load (``page.goto``). A
load counts from the navigation's start (``performance.timeOrigin``) until the page is usable: the user
menu shows the signed-in name (the websocket connected and the state arrived) and no spinner is left (the
page's data loaded). The first round runs in a browser that has seen only the sign-in and home pages (each page's
own scripts are fetched), the later rounds with the cache the first one filled.

It prints each page's median and the median and p95 over every load of the cold round and of the warm
rounds. The issue's target: p95 under 1 s (1.8 s on the dev server before). Browser, server and
database share one machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB_DIR = ROOT / ".tools" / "bench-web"  # the build, kept between runs (rebuilt when the code changed)
PORT = 3107  # fixed: the build is made for its port, so another port would rebuild
START_SECONDS = 900  # the first start builds the frontend
sys.path.insert(0, str(ROOT))

READY = """() => {
  const menu = document.querySelector('[aria-label="User menu"]');
  if (!menu || !menu.textContent.trim() || document.querySelector('.rt-Spinner')) return false;
  return performance.now();
}"""


@contextmanager
def serving(database: Path, workers: int, log: Path) -> Iterator[str]:
    """``jewelerp serve`` on ``database`` with ``workers`` workers; yields its address once it is ready."""
    from tests.serve_process import NotServing, wait_until_ready

    env = os.environ | {
        "JEWELERP_DB_URL": f"sqlite:///{database}",
        "JEWELERP_SCHEDULER": "off",
        "REFLEX_WEB_WORKDIR": str(WEB_DIR),
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
        "REFLEX_USE_SYSTEM_BUN": "1",
    }
    command = [sys.executable, "-m", "jewelerp.cli", "serve", "--port", str(PORT), "--workers", str(workers)]
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        url = f"http://localhost:{PORT}"
        try:
            wait_until_ready(url, server, log, START_SECONDS)
            yield url
        except NotServing as exc:
            sys.exit(str(exc))
        finally:
            server.terminate()
            server.wait(timeout=30)


def load_time(tab, url: str) -> float:
    """Open ``url`` as a full page load; ms from the navigation's start until the page is usable."""
    tab.goto(url, wait_until="commit")
    return tab.wait_for_function(READY, polling="raf", timeout=30_000).json_value()


def walk(url: str, role: str, rounds: int) -> tuple[dict[str, list[float]], list[float], list[float]]:
    """Sign in as ``role`` and load every menu page ``rounds`` times: (ms per page, cold loads, warm loads)."""
    from playwright.sync_api import sync_playwright

    from jewelerp.demo import DEMO_PASSWORD
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_LOGINS, sign_in

    per_page: dict[str, list[float]] = {}
    cold: list[float] = []
    warm: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
        sign_in(tab, url, DEMO_LOGINS[role], DEMO_PASSWORD)
        tab.wait_for_url(f"{url}/")
        menu = tab.get_by_role("navigation", name="Main menu").get_by_role("link")
        menu.first.wait_for()  # the menu lists what the signed-in user may open, once the state arrived
        paths = list(dict.fromkeys(link.get_attribute("href") for link in menu.all()))
        for round_number in range(rounds):
            for path in paths:
                elapsed = load_time(tab, url + path)
                per_page.setdefault(path, []).append(elapsed)
                (cold if round_number == 0 else warm).append(elapsed)
        browser.close()
    return per_page, cold, warm


def _p95(values: list[float]) -> float:
    """95th percentile by nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def main() -> None:
    """Build the demo database, serve it, walk the menu and print the figures."""
    from jewelerp.db import reset_engine
    from jewelerp.demo import make_demo_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--role", default="admin")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    WEB_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "walk.db"
        make_demo_database(f"sqlite:///{database}")
        reset_engine()
        started = time.perf_counter()
        with serving(database, args.workers, Path(tmp) / "serve.log") as url:
            print(f"jewelerp serve ready in {time.perf_counter() - started:.0f} s ({args.workers} worker(s))")
            per_page, cold, warm = walk(url, args.role, args.rounds)
    for path, times in per_page.items():
        print(f"  {path:<32} median {statistics.median(times):>6.0f} ms   cold {times[0]:>6.0f} ms")
    print(f"{len(per_page)} menu pages as {args.role}, {args.rounds} rounds of full page loads")
    slowest = sorted(((ms, path) for path, times in per_page.items() for ms in times), reverse=True)[:5]
    print("  slowest loads: " + ", ".join(f"{path} {ms:.0f} ms" for ms, path in slowest))
    for title, values in (("cold (first round)", cold), ("warm (later rounds)", warm)):
        if values:
            median, p95 = statistics.median(values), _p95(values)
            print(f"  {title:<34} median {median:>6.0f} ms   p95 {p95:>6.0f} ms   slowest {max(values):>6.0f} ms")


if __name__ == "__main__":
    main()
