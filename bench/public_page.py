"""How fast the public certificate page answers from its cache, beside the trivial health route, on SQLite.

Run: .venv/bin/python bench/public_page.py [--pieces 3000] [--clients 50] [--seconds 10] [--server uvicorn]

It builds a temporary SQLite database (WAL, as in production) with a few thousand
demo-like pieces, each with stones, a lab certificate and a chain of custody; serves
``jewelerp.ui.api.api_app(api_routes() + modules.stock.public.routes())`` in a child
process on a free port, with granian (the server Reflex runs in production; ``--server
uvicorn`` for uvicorn), one worker. Against that one server it then runs two loads of
``--seconds`` seconds each, ``--clients`` concurrent HTTP/1.1 keep-alive clients asking
again as soon as their answer arrived:

1. ``GET /api/health``, the platform's trivial JSON route: what the server, the middleware
   and the clients cost with no work behind them;
2. ``GET /c/<token>`` with a warm cache: the pages of as many pieces as the page cache holds
   (``jewelerp.ui.public_page.PAGE_CACHE_SIZE``) are each fetched once first, then asked for
   at random. Each answer is the token's one lookup (token, revocation, module switch, stamp)
   and the cached HTML.

It prints requests per second and the median, p95 and p99 latency of both, and the ratios
(page rps / health rps, page p95 / health p95): how close the cached page comes to a route
that does nothing. It does not involve the Reflex websocket, the compiled frontend or a
reverse proxy, and the clients run on the same machine (they share its CPUs with the server).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import statistics
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


def start_server(server: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    """Start granian (what ``reflex run --env prod`` uses) or uvicorn, one worker, in a child process."""
    if server == "granian":
        command = [
            sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1", "--no-ws", "--log-level", "warning",
            "--working-dir", str(Path(__file__).parent), "public_page:bench_app",
        ]  # fmt: skip
    else:
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning", "--no-access-log", "--app-dir", str(Path(__file__).parent),
            "public_page:bench_app",
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
    if "content-length" not in headers:
        raise ValueError("the bench client needs a Content-Length")
    return status, await reader.readexactly(int(headers["content-length"]))


@dataclass(frozen=True)
class Figures:
    """What one load measured."""

    ok: int
    failed: int
    elapsed: float  # seconds
    latencies: list[float]  # ms, sorted

    @property
    def rps(self) -> float:
        """Successful requests per second."""
        return self.ok / self.elapsed

    def percentile(self, share: float) -> float:
        """The latency (ms) below which ``share`` of the requests answered."""
        return self.latencies[min(len(self.latencies) - 1, int(len(self.latencies) * share))]


async def warm(port: int, paths: list[str], clients: int) -> None:
    """Fetch every path once, over ``clients`` connections, so its page is in the server's cache."""

    async def one_client(share: list[str]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for path in share:
                status, _body = await _get(reader, writer, path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status} while warming the cache")
        finally:
            writer.close()

    await asyncio.gather(*(one_client(paths[n::clients]) for n in range(clients)))


async def load(port: int, paths: list[str], expected: bytes, clients: int, seconds: float) -> Figures:
    """Run ``clients`` concurrent clients for ``seconds``, each asking for random ``paths``; an answer counts
    as a success when it is a 200 whose body holds ``expected``.

    Each client holds one keep-alive connection and asks again as soon as the last answer
    arrived. The client is a minimal HTTP/1.1 reader on asyncio streams:
    a full HTTP library (httpx) spends more CPU per request than the server does, and on
    a small machine it, not the page, would set the numbers.
    """
    latencies: list[float] = []
    failures = 0
    stop = 0.0
    ready = asyncio.Event()

    async def one_client(seed: int) -> None:
        nonlocal failures
        rng = random.Random(seed)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            await _get(reader, writer, rng.choice(paths))  # warm-up, not counted
            await ready.wait()
            while time.perf_counter() < stop:
                start = time.perf_counter()
                try:
                    status, body = await _get(reader, writer, rng.choice(paths))
                    ok = status == 200 and expected in body
                except (OSError, ValueError, asyncio.IncompleteReadError):
                    failures += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                if ok:
                    latencies.append((time.perf_counter() - start) * 1000)
                else:
                    failures += 1
        finally:
            writer.close()

    tasks = [asyncio.create_task(one_client(seed)) for seed in range(clients)]
    await asyncio.sleep(1.0)  # let every client connect and warm up
    started = time.perf_counter()
    stop = started + seconds
    ready.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    if not latencies:
        raise SystemExit(f"no successful requests ({failures} failed)")
    return Figures(len(latencies), failures, elapsed, sorted(latencies))


def _report(title: str, figures: Figures) -> None:
    print(title)
    print(f"  requests/s  {figures.rps:>9.1f}   ({figures.ok:,} ok, {figures.failed:,} failed)")
    print(f"  median      {statistics.median(figures.latencies):>9.1f} ms")
    print(f"  p95         {figures.percentile(0.95):>9.1f} ms")
    print(f"  p99         {figures.percentile(0.99):>9.1f} ms")


def main() -> None:
    """Build the database, start the server, load the health route then the warm pages, print the figures."""
    from jewelerp.ui.public_page import PAGE_CACHE_SIZE

    parser = argparse.ArgumentParser()
    parser.add_argument("--pieces", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--server", choices=("granian", "uvicorn"), default="granian")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench-public.db'}"
        started = time.perf_counter()
        tokens = build_database(url, args.pieces)
        print(f"built {args.pieces:,} pieces in {time.perf_counter() - started:.1f} s")
        pages = [f"/c/{token}" for token in tokens[:PAGE_CACHE_SIZE]]  # every one stays cached
        port = _free_port()
        env = os.environ | {"JEWELERP_DB_URL": url, "JEWELERP_SCHEDULER": "off"}
        server = start_server(args.server, port, env)
        try:
            asyncio.run(_wait_until_up(f"http://127.0.0.1:{port}"))
            health = asyncio.run(load(port, ["/api/health"], b'"ok"', args.clients, args.seconds))
            started = time.perf_counter()
            asyncio.run(warm(port, pages, args.clients))
            warmed = time.perf_counter() - started
            page = asyncio.run(load(port, pages, b"Certificate of authenticity", args.clients, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=10)
    where = f"{args.clients} concurrent clients for {args.seconds:g} s, SQLite, {args.server} (1 worker)"
    _report(f"GET /api/health: {where}", health)
    print(f"warmed the cache with {len(pages):,} pages in {warmed:.1f} s ({len(pages) / warmed:.0f} pages/s)")
    _report(f"GET /c/<token>, cached ({len(pages):,} pages): {where}", page)
    print("ratios")
    print(f"  page rps / health rps  {page.rps / health.rps:>6.2f}")
    print(f"  page p95 / health p95  {page.percentile(0.95) / health.percentile(0.95):>6.2f}")


if __name__ == "__main__":
    main()
