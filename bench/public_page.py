"""How fast the public certificate page answers from its cache, beside the trivial health route, on SQLite.

Run: .venv/bin/python bench/public_page.py [--pieces 3000] [--connections 50] [--seconds 10] [--workers 1,2,4]

It builds a temporary SQLite database (WAL, as in production) with a few thousand demo-like pieces, each
with stones, a lab certificate and a chain of custody, and serves
``jewelerp.ui.api.api_app(api_routes() + modules.stock.public.routes())`` with granian (the server
``jewelerp serve`` runs) on a free port. For each worker count it starts that server with that many workers
and loads it with Debian's ``wrk`` (installed with apt when missing: a C client, so the client is not what
limits the figures), ``--connections`` keep-alive connections on two threads for ``--seconds`` seconds each:

1. ``GET /api/health``, the platform's trivial JSON route: what the server, the middleware and the client
   cost with no work behind them;
2. ``GET /c/<token>`` of one piece, the page a crowd scanning one showcase asks for;
3. ``GET /c/<token>`` at random over as many pieces as the page cache holds
   (``jewelerp.ui.public_page.PAGE_CACHE_SIZE``).

Before 2 and 3 a warm-up load of the same paths fills every worker's cache. A cached page is answered from
memory; each worker also looks once a second for changed stamps (two indexed queries). It prints requests per
second and the median, p95 and p99 latency of each, and the page / health ratios of requests per second and
p95, measured in the same run. Every answer must be a 200: wrk's count of other answers and socket errors is
printed and must be 0. It does not involve the Reflex websocket, the compiled frontend or a reverse proxy;
wrk runs on the same machine as the server and shares its CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.applications import Starlette

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_database(url: str, pieces: int, seed: int = 7) -> list[str]:
    """Create every table in ``url`` and fill it with ``pieces`` pieces; returns their public tokens."""
    os.environ["JEWELERP_DB_URL"] = url
    from sqlalchemy import insert, select
    from sqlmodel import SQLModel

    from jewelerp.core.lifecycle import record_installed
    from jewelerp.core.roles import sync_roles_and_permissions
    from jewelerp.db import get_engine, reset_engine, unit_of_work
    from jewelerp.migrations import stamp_heads
    from jewelerp.registry import get_registry
    from jewelerp.testing import make_world
    from modules.stock.models import Category, Certificate, Metal, Piece, ProvenanceEvent, Stone

    reset_engine()
    get_registry().import_models()
    SQLModel.metadata.create_all(get_engine())
    with get_engine().begin() as connection:
        stamp_heads(connection)  # every module at its head and installed, so make_world may switch them on
    with unit_of_work() as session:
        sync_roles_and_permissions(session)
        record_installed(session, get_registry().modules)
    world = make_world()
    rng = random.Random(seed)
    with unit_of_work() as session:
        for code, name in (
            ("RNG", "Ring"),
            ("CHN", "Chain"),
            ("BNG", "Bangle"),
            ("ERG", "Earrings"),
            ("PND", "Pendant"),
        ):
            session.add(Category(code=code, name=name))
        for metal, purity, fineness in (("gold", "22K", 916), ("gold", "18K", 750), ("platinum", "950", 950)):
            session.add(Metal(metal=metal, purity=purity, fineness=fineness, hallmarked=metal == "gold"))
    with unit_of_work() as session:
        categories = list(session.scalars(select(Category.id)))
        metals = list(session.scalars(select(Metal.id)))
    tokens = [secrets.token_urlsafe(16) for _ in range(pieces)]
    created = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for i, token in enumerate(tokens):
        gross = Decimal(rng.randint(2_000, 60_000)) / 1000
        stones = (gross * Decimal("0.05")).quantize(Decimal("0.001")) if i % 2 else Decimal("0.000")
        rows.append(
            {
                "sku": f"MUM-{i + 1:06d}",
                "store_id": world.mum,
                "category_id": rng.choice(categories),
                "metal_id": rng.choice(metals),
                "gross_weight": gross,
                "stone_weight": stones,
                "net_weight": gross - stones,
                "size": str(rng.randint(8, 22)),
                "description": "Handcrafted piece with a floral motif",
                "making_value": Decimal("450.00"),
                "cost_price": Decimal(rng.randint(20_000, 400_000)),
                "huid": f"H{i:05d}",
                "public_token": token,
                "created_at": created,
            }
        )
    engine = get_engine()
    with engine.begin() as conn:
        conn.execute(insert(Piece), rows)
        ids = list(conn.execute(select(Piece.id).order_by(Piece.id)).scalars())
        stones, certificates, events = [], [], []
        for n, piece_id in enumerate(ids):
            if n % 2:
                stones.append(
                    {
                        "piece_id": piece_id,
                        "kind": "diamond",
                        "count": 1,
                        "carat": Decimal("0.500"),
                        "colour": "G",
                        "clarity": "VS1",
                        "grade": "",
                        "lab_grown": False,
                    }
                )
                certificates.append(
                    {
                        "piece_id": piece_id,
                        "lab": "GIA",
                        "report_number": f"21{n:08d}",
                        "issued_on": date(2024, 3, 12),
                        "stone_kind": "diamond",
                        "shape": "Round Brilliant",
                        "carat": Decimal("0.500"),
                        "colour": "G",
                        "clarity": "VS1",
                        "cut": "Excellent",
                        "measurements": "5.05 - 5.08 x 3.12 mm",
                        "fluorescence": "None",
                        "lab_grown": False,
                        "species": "",
                        "origin": "",
                        "treatment": "",
                        "file": "",
                        "verify_note": f"Check report 21{n:08d} at https://www.gia.edu/report-check",
                    }
                )
            for step, (kind, place, party) in enumerate(
                (
                    ("origin", "Botswana", ""),
                    ("cutter", "Surat", "Surat Cutting Works"),
                    ("supplier", "Mumbai", "Mehta Diamonds"),
                    ("received", "Mumbai", ""),
                )
            ):
                events.append(
                    {
                        "piece_id": piece_id,
                        "kind": kind,
                        "on": date(2023, 1, 1) + timedelta(days=90 * step),
                        "place": place,
                        "party": party,
                        "document": "",
                        "file": "",
                        "note": "",
                        "recorded_at": created,
                        "recorded_by": "Bench",
                    }
                )
        conn.execute(insert(Stone), stones)
        conn.execute(insert(Certificate), certificates)
        conn.execute(insert(ProvenanceEvent), events)
    reset_engine()
    return tokens


def bench_app() -> Starlette:
    """The app the server child process runs: the platform's and the stock module's HTTP routes."""
    from jewelerp.registry import get_registry
    from jewelerp.ui.api import api_app, api_routes
    from modules.stock.public import routes

    get_registry().import_models()
    return api_app(api_routes() + routes())


def start_server(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    """Start granian (what ``jewelerp serve`` runs) with ``workers`` workers in a child process."""
    command = [
        sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--no-ws", "--log-level", "warning",
        "--working-dir", str(Path(__file__).parent), "public_page:bench_app",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=ROOT)


async def _wait_until_up(base: str, timeout: float = 30.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base}/api/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("The server did not start.")


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[int, bytes]:
    """One keep-alive HTTP/1.1 GET on an open connection: (status, body). Needs a Content-Length answer."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return status, await reader.readexactly(int(headers["content-length"]))


async def check_pages(port: int, paths: list[str], expected: bytes) -> None:
    """Fetch every path once: each must be a 200 holding ``expected`` (wrk counts statuses, not content)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for path in paths:
            status, body = await _get(reader, writer, path)
            if status != 200 or expected not in body:
                raise SystemExit(f"{path} answered {status} without {expected!r}")
    finally:
        writer.close()


def ensure_wrk() -> str:
    """The path of Debian's wrk, installed with apt (as root, or through sudo) when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    quiet = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=quiet)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=quiet)
    return shutil.which("wrk") or sys.exit("wrk did not install")


WRK_SCRIPT = """
local paths = {%s}
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args) math.randomseed(id * 7919) end
function request() return wrk.format("GET", paths[math.random(#paths)]) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Figures:
    """What one wrk load measured (latencies in ms)."""

    requests: int
    seconds: float
    socket_errors: int
    not_ok: int  # answers other than 2xx or 3xx
    p50: float
    p95: float
    p99: float

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds


def wrk_load(wrk: str, port: int, paths: list[str], connections: int, seconds: float, folder: Path) -> Figures:
    """Run wrk against ``paths`` (each request picks one at random) and read its figures."""
    script = folder / "paths.lua"
    script.write_text(WRK_SCRIPT % ",".join(f'"{path}"' for path in paths))
    command = [
        wrk, "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script),
        f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    requests, duration_us, socket_errors, not_ok, p50, p95, p99 = (int(value) for value in line.split()[1:])
    return Figures(requests, duration_us / 1e6, socket_errors, not_ok, p50 / 1000, p95 / 1000, p99 / 1000)


def _report(title: str, figures: Figures) -> None:
    print(f"  {title:<34} {figures.rps:>9,.0f} req/s   p50 {figures.p50:>6.1f} ms   p95 {figures.p95:>6.1f} ms   "
          f"p99 {figures.p99:>6.1f} ms   errors {figures.socket_errors + figures.not_ok}")  # fmt: skip


def warm_up(load: Callable[[], Figures], rounds: int = 8) -> float:
    """Repeat the warm-up ``load`` until every worker has rendered every page: until its rate stops rising by
    more than 5 %; returns the seconds spent."""
    previous = load()
    spent = previous.seconds
    for _round in range(rounds - 1):
        figures = load()
        spent += figures.seconds
        if figures.rps < previous.rps * 1.05:
            break
        previous = figures
    return round(spent)


def run_workers(workers: int, wrk: str, args: argparse.Namespace, url: str, tokens: list[str], folder: Path) -> None:
    """Serve with ``workers`` workers, load health, one page and many pages, and print the figures."""
    from jewelerp.ui.public_page import PAGE_CACHE_SIZE

    port = _free_port()
    server = start_server(port, workers, os.environ | {"JEWELERP_DB_URL": url, "JEWELERP_SCHEDULER": "off"})
    one, many = [f"/c/{tokens[0]}"], [f"/c/{token}" for token in tokens[:PAGE_CACHE_SIZE]]
    try:
        asyncio.run(_wait_until_up(f"http://127.0.0.1:{port}"))
        asyncio.run(check_pages(port, many, b"Certificate of authenticity"))
        load = lambda paths, seconds: wrk_load(wrk, port, paths, args.connections, seconds, folder)  # noqa: E731
        health = load(["/api/health"], args.seconds)
        warmed = warm_up(lambda: load(many, args.warm))
        page = load(one, args.seconds)
        pages = load(many, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{workers} worker{'s' if workers > 1 else ''} (caches warmed by {warmed:g} s of load):")
    _report("GET /api/health", health)
    _report("GET /c/<token>, one page", page)
    _report(f"GET /c/<token>, {len(many):,} pages", pages)
    for title, figures in (("one page", page), (f"{len(many):,} pages", pages)):
        print(f"  ratio {title:<14} rps {figures.rps / health.rps:>5.2f}x health   "
              f"p95 {figures.p95 / health.p95:>5.2f}x health")  # fmt: skip


def main() -> None:
    """Build the database, then for each worker count serve it and print the figures of the three loads."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pieces", type=int, default=3000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warm", type=float, default=5.0, help="seconds of warm-up load before the page loads")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    args = parser.parse_args()
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench-public.db'}"
        started = time.perf_counter()
        tokens = build_database(url, args.pieces)
        print(f"built {args.pieces:,} pieces in {time.perf_counter() - started:.1f} s; SQLite, granian, wrk with "
              f"{args.connections} connections, {args.seconds:g} s per load, {os.cpu_count()} CPUs")  # fmt: skip
        for workers in (int(value) for value in args.workers.split(",")):
            run_workers(workers, wrk, args, url, tokens, Path(tmp))


if __name__ == "__main__":
    main()
