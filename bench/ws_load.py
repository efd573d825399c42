"""Many signed-in pages on the websocket of ``jewelerp serve``, with 1 and with 4 workers: event round trip,
errors and memory per worker.

Run: .venv/bin/python bench/ws_load.py [--clients 200] [--seconds 60] [--workers 1,4]
     [--web-dir DIR --port N]  (keep the frontend build between runs; a build is made for one port)

It builds a temporary SQLite database with the demo data (as ``jewelerp db upgrade`` and ``jewelerp demo``),
then for each worker count starts ``jewelerp serve --workers N`` in a child process (granian; the frontend
is built once, in one web folder, for one port used by every run) on a fresh copy of it, with its own
throwaway Redis (``REFLEX_REDIS_URL``, for 1 worker too, so the worker count is the only difference) and
the scheduler off. Once it answers, ``--clients`` sessions are opened through the auth service
(``login`` and ``begin_session``, the password check included) for the demo manager, salespeople and
designer in turn, as the sign-in page and the cookie route do.

Each client is one browser tab on the customer list (``/clienteling/customers``), spoken as Reflex's
frontend speaks it (socket.io 5 over engine.io 4 on a plain websocket to ``/_event``, framed with
``wsproto``): the session cookie and the app's own ``Origin`` on the handshake, the page's
``hydrate_and_load`` event in the socket.io CONNECT packet (without the hashes of the compiled defaults a
browser sends, so the whole state comes back), then it waits until the shell shows the page (the session
check, the menu, the list's first page). Clients connect one after another over
``RAMP_SECONDS``. Then each sends the list's search event (``set_search``, a name or tag, a different one each
time) every 2 to 4 s (at random) for ``--seconds`` seconds, never two at once, and times each from the send
to the state update carrying the new search and its rows: the session check, the search query and the
delta, through Redis. It prints, per worker count:

- how many clients were shown the page, and the page's load (connect to shown): median and p95;
- events sent, and their round trip: median and p95;
- errors, which must be 0: a refused or lost connection, no answer within ``REPLY_SECONDS``, a redirect or
  other event in an answer, or an error message shown; the first few are printed, with the server log's
  first error lines;
- the resident memory (RSS) of each granian worker process, and the part no other process shares (USS),
  taken at the end of the load with every socket still open;

and the ratios of the last worker count to the first (4 / 1) of the round trip and memory. The clients are one
asyncio process on the same machine as the server, sharing its CPUs; the CPU the workers, the clients and the
whole machine used over the load is printed (what the machine used beyond the two is Redis and anything else
running).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wsproto import ConnectionState, ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, Request, TextMessage

if TYPE_CHECKING:
    import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = "/clienteling/customers"
ROLES = ("manager", "sales", "designer")  # the demo staff who may open the customer list
SEARCHES = ("sharma", "mehta", "iyer", "bridal", "kapoor", "polki", "patel", "gold coins")
PAUSE_SECONDS = (2.0, 4.0)  # between two events of one client
RAMP_SECONDS = 10.0  # the clients connect one after another over this time
REPLY_SECONDS = 10.0  # an answer later than this is an error
START_SECONDS = 600.0  # the first start builds the frontend
NAMESPACE = "/_event"  # Reflex's socket.io namespace, also the engine.io path
SHOWN_ERRORS = 5


@dataclass(frozen=True)
class Names:
    """The full names of the states the page's events and updates name."""

    root: str
    app: str
    shell: str
    table: str
    marker: str  # what Reflex appends to a var's name in a delta

    @classmethod
    def of_app(cls) -> Names:
        """Read them from the app's classes."""
        from reflex.state import State
        from reflex_base.constants.state import FIELD_MARKER

        from jewelerp.ui.shell_state import ShellState
        from jewelerp.ui.state import AppState
        from modules.clienteling.pages import CustomersTable

        names = (State, AppState, ShellState, CustomersTable)
        return cls(*(state.get_full_name() for state in names), marker=FIELD_MARKER)

    def var(self, delta: dict, state: str, name: str) -> object:
        """The value of ``state``'s var ``name`` in an update's delta (None when it is not there)."""
        return delta.get(state, {}).get(name + self.marker)


def build_database(path: Path) -> list[tuple[str, str]]:
    """The demo database at ``path``; returns the (email, password) of the staff who may see customers."""
    from jewelerp.db import reset_engine
    from jewelerp.demo import make_demo_database

    os.environ["JEWELERP_SCHEDULER"] = "off"
    logins = [(email, password) for role, email, password in make_demo_database(f"sqlite:///{path}") if role in ROLES]
    reset_engine()
    return logins


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite database ``source`` (WAL included) at ``target``."""
    with contextlib.closing(sqlite3.connect(source)) as live, contextlib.closing(sqlite3.connect(target)) as copy:
        live.backup(copy)


def _open_session(email: str, password: str) -> str:
    """Sign in through the auth service as the sign-in page does; the session cookie's token."""
    from jewelerp.auth.service import begin_session, login

    result = login(email, password, "127.0.0.1")
    token = result.ticket and begin_session(result.ticket)
    if not token:
        raise SystemExit(f"{email} could not sign in: {result.error}")
    return token


def open_sessions(database: Path, logins: list[tuple[str, str]], count: int) -> list[str]:
    """``count`` sessions in ``database``, the logins in turn (two password checks at a time)."""
    os.environ["JEWELERP_DB_URL"] = f"sqlite:///{database}"
    from jewelerp.db import reset_engine

    reset_engine()
    with ThreadPoolExecutor(2) as pool:
        tokens = list(pool.map(lambda n: _open_session(*logins[n % len(logins)]), range(count)))
    reset_engine()
    return tokens


def start_server(workers: int, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """``jewelerp serve --workers N --port P`` in a child process (its own process group), logging to ``log``."""
    command = [sys.executable, "-m", "jewelerp.cli", "serve", "--workers", str(workers), "--port", str(port)]
    with log.open("w") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_server(server: subprocess.Popen) -> None:
    """Stop the server and its workers (its process group), if still running."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, 15)
    server.wait(timeout=30)


def _workers(server_pid: int) -> list[psutil.Process]:
    """The granian workers: the children of the server process running its command."""
    import psutil

    server = psutil.Process(server_pid)
    return [child for child in server.children() if child.cmdline() == server.cmdline()]


def worker_memory(server_pid: int) -> list[tuple[int, int]]:
    """(RSS, USS) in bytes of each granian worker."""
    return [(info.rss, info.uss) for info in (worker.memory_full_info() for worker in _workers(server_pid))]


@dataclass(frozen=True)
class Clock:
    """CPU seconds used so far: by the server's workers, by this process (the clients), by the whole machine."""

    wall: float
    workers: float
    clients: float
    machine: float

    @classmethod
    def now(cls, server_pid: int) -> Clock:
        """Read them."""
        import psutil

        times = psutil.cpu_times()
        machine = times.user + times.nice + times.system + times.irq + times.softirq + times.steal
        workers = sum(sum(worker.cpu_times()[:2]) for worker in _workers(server_pid))
        return cls(time.perf_counter(), workers, time.process_time(), machine)

    def shares(self, since: Clock) -> tuple[float, float, float]:
        """The shares of one CPU the workers, the clients and the machine used since ``since``."""
        wall = self.wall - since.wall
        return (
            (self.workers - since.workers) / wall,
            (self.clients - since.clients) / wall,
            (self.machine - since.machine) / wall,
        )


def server_errors(log: Path) -> list[str]:
    """The server log's lines that report an error or a traceback."""
    markers = ("ERROR", "Traceback", "Exception")
    return [line.strip() for line in log.read_text(errors="replace").splitlines() if any(m in line for m in markers)]


class Socket:
    """One page's websocket to Reflex: socket.io (protocol 5) over engine.io 4 on a plain websocket.

    The handshake carries the session cookie and the app's ``Origin``; the socket.io CONNECT packet carries
    the page's boot event, as Reflex's frontend sends it. Each ``event`` the server emits is queued in
    :attr:`updates`; ``None`` there means the connection ended (:attr:`ended` says why).
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, boot: dict) -> None:
        self._reader, self._writer, self._boot = reader, writer, boot
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._text: list[str] = []
        self.updates: asyncio.Queue[dict | None] = asyncio.Queue()
        self.ended = ""
        self._task: asyncio.Task | None = None

    @classmethod
    async def open(cls, port: int, session_token: str, boot: dict) -> Socket:
        """Connect to the app on ``port`` as a page would with the session cookie ``session_token``."""
        from jewelerp.auth.session_cookie import SESSION_COOKIE

        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        socket = cls(reader, writer, boot)
        headers = [
            (b"origin", f"http://localhost:{port}".encode()),
            (b"cookie", f"{SESSION_COOKIE}={session_token}".encode()),
        ]
        target = f"{NAMESPACE}/?EIO=4&transport=websocket&token={uuid.uuid4()}"  # the tab's Reflex token
        writer.write(socket._ws.send(Request(host=f"localhost:{port}", target=target, extra_headers=headers)))
        socket._task = asyncio.create_task(socket._read())
        return socket

    def emit(self, event: dict) -> None:
        """Send a Reflex event (name, payload, router_data) as the frontend's ``socket.emit("event", ...)``."""
        self._send(f"42{NAMESPACE}," + json.dumps(["event", event]))

    async def update(self, timeout: float) -> dict:
        """The next update the server emitted; ConnectionError when the connection ended, TimeoutError."""
        update = await asyncio.wait_for(self.updates.get(), timeout)
        if update is None:
            self.updates.put_nowait(None)
            raise ConnectionError(self.ended)
        return update

    def close(self) -> None:
        """Close the websocket and stop reading."""
        if self._ws.state is ConnectionState.OPEN:
            self._writer.write(self._ws.send(CloseConnection(code=1000)))
        if self._task:
            self._task.cancel()
        self._writer.close()

    def _send(self, text: str) -> None:
        self._writer.write(self._ws.send(TextMessage(data=text)))

    def _end(self, why: str) -> None:
        if not self.ended:
            self.ended = why
            self.updates.put_nowait(None)

    async def _read(self) -> None:
        try:
            while not self.ended:
                data = await self._reader.read(65536)
                if not data:
                    self._end("the server closed the connection")
                self._ws.receive_data(data or None)
                for event in self._ws.events():
                    self._on(event)
        except OSError as exc:
            self._end(f"connection lost: {exc!r}")

    def _on(self, event: object) -> None:
        if isinstance(event, RejectConnection):
            self._end(f"websocket handshake refused: HTTP {event.status_code}")
        elif isinstance(event, CloseConnection):
            self._end(f"websocket closed by the server: {event.code} {event.reason}")
        elif isinstance(event, Ping):
            self._writer.write(self._ws.send(event.response()))
        elif isinstance(event, TextMessage):
            self._text.append(event.data)
            if event.message_finished:
                self._packet("".join(self._text))
                self._text.clear()
        elif not isinstance(event, AcceptConnection):
            self._end(f"unexpected websocket event {event!r}")

    def _packet(self, text: str) -> None:
        """One engine.io packet: open, ping, close, or a socket.io packet of the namespace."""
        if text.startswith("0"):
            self._send(f"40{NAMESPACE}," + json.dumps({"event": self._boot}))
        elif text == "2":
            self._send("3")
        elif text.startswith("1"):
            self._end("engine.io close from the server")
        elif text.startswith(f"42{NAMESPACE},"):
            name, data = json.loads(text.split(",", 1)[1])
            if name == "event":
                self.updates.put_nowait(data)
        elif text.startswith((f"41{NAMESPACE}", f"44{NAMESPACE}")):
            self._end(f"socket.io namespace refused or disconnected: {text[:200]}")


@dataclass
class Load:
    """What the clients of one run measured (times in ms)."""

    loads: list[float] = field(default_factory=list)  # connect to page shown
    trips: list[float] = field(default_factory=list)  # event sent to its update
    sent: int = 0
    errors: list[str] = field(default_factory=list)


def _problem(update: dict, names: Names) -> str:
    """What in an update says the page failed (an event such as a redirect, or an error message); "" if none."""
    if update.get("events"):
        return "the answer carried events: " + ", ".join(str(e.get("name")) for e in update["events"])
    delta = update.get("delta") or {}
    if names.var(delta, names.app, "message_ok") is False:
        return f"the page showed an error: {names.var(delta, names.app, 'message')!r}"
    return ""


async def _until(socket: Socket, names: Names, state: str, name: str, value: object) -> None:
    """Read updates until one sets ``state``'s var ``name`` to ``value``, within ``REPLY_SECONDS``; RuntimeError
    on an update that says the page failed."""
    deadline = time.monotonic() + REPLY_SECONDS
    while True:
        update = await socket.update(max(0.0, deadline - time.monotonic()))
        problem = _problem(update, names)
        if problem:
            raise RuntimeError(problem)
        if names.var(update.get("delta") or {}, state, name) == value:
            return


def _router_data() -> dict:
    return {"pathname": PAGE, "asPath": PAGE}


async def client(n: int, port: int, session_token: str, seconds: float, names: Names, load: Load) -> Socket | None:
    """Tab ``n``: open the page, then search every few seconds for ``seconds``; returns its socket, still open."""
    rng = random.Random(n)
    boot = {"name": f"{names.root}.hydrate_and_load", "payload": {}, "router_data": _router_data()}
    search = f"{names.table}.set_search"
    started = time.perf_counter()
    socket, step = None, "opening the page"
    try:
        socket = await Socket.open(port, session_token, boot)
        await _until(socket, names, names.shell, "ready", True)
        load.loads.append((time.perf_counter() - started) * 1000)
        until = time.monotonic() + seconds
        for i in itertools.count():
            await asyncio.sleep(rng.uniform(*PAUSE_SECONDS))
            if time.monotonic() >= until:
                break
            term = SEARCHES[(n + i) % len(SEARCHES)]
            step = f"searching {term!r}"
            sent = time.perf_counter()
            socket.emit({"name": search, "payload": {"value": term}, "router_data": _router_data()})
            load.sent += 1
            await _until(socket, names, names.table, "search", term)
            load.trips.append((time.perf_counter() - sent) * 1000)
    except TimeoutError:
        load.errors.append(f"client {n}, {step}: no answer within {REPLY_SECONDS:g} s")
    except (ConnectionError, OSError, RuntimeError) as exc:
        load.errors.append(f"client {n}, {step}: {exc}")
    return socket


async def run_clients(
    port: int, tokens: list[str], seconds: float, server_pid: int
) -> tuple[Load, list[tuple[int, int]], tuple[float, float, float]]:
    """Every client at once (started one after another over ``RAMP_SECONDS``); the load they measured, and at
    its end, before the sockets close, the workers' memory and the CPU used meanwhile (:meth:`Clock.shares`)."""
    names, load, started = Names.of_app(), Load(), Clock.now(server_pid)

    async def delayed(n: int, token: str) -> Socket | None:
        await asyncio.sleep(n * RAMP_SECONDS / len(tokens))
        return await client(n, port, token, seconds, names, load)

    sockets = await asyncio.gather(*(delayed(n, token) for n, token in enumerate(tokens)))
    memory, cpu = worker_memory(server_pid), Clock.now(server_pid).shares(started)
    for socket in sockets:
        if socket:
            socket.close()
    return load, memory, cpu


@dataclass(frozen=True)
class Run:
    """One worker count's figures."""

    workers: int
    load: Load
    memory: list[tuple[int, int]]  # (RSS, USS) bytes per worker
    cpu: tuple[float, float, float]  # the shares of one CPU the workers, the clients and the machine used
    server_errors: list[str]


def run_workers(
    workers: int, args: argparse.Namespace, template: Path, logins: list[tuple[str, str]], folder: Path
) -> Run:
    """Serve a fresh copy of the database with ``workers`` workers, sign the clients in and load it."""
    from tests.redis_server import redis_server
    from tests.serve_process import NotServing, wait_until_ready

    database, log = folder / f"workers-{workers}.db", folder / f"serve-{workers}.log"
    copy_database(template, database)
    tools = ROOT / ".tools" / "node_modules" / ".bin"
    with redis_server() as redis_url:
        env = os.environ | {
            "JEWELERP_DB_URL": f"sqlite:///{database}",
            "JEWELERP_SCHEDULER": "off",
            "REFLEX_REDIS_URL": redis_url,
            "REFLEX_WEB_WORKDIR": str(args.web_dir),
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        }
        server = start_server(workers, args.port, env, log)
        try:
            wait_until_ready(f"http://127.0.0.1:{args.port}", server, log, START_SECONDS)
            tokens = open_sessions(database, logins, args.clients)
            load, memory, cpu = asyncio.run(run_clients(args.port, tokens, args.seconds, server.pid))
        except NotServing as exc:
            sys.exit(str(exc))
        finally:
            stop_server(server)
    return Run(workers, load, memory, cpu, server_errors(log))


def _p95(values: list[float]) -> float:
    """95th percentile by nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _mib(value: float) -> str:
    return f"{value / 2**20:,.0f} MiB"


def report(run: Run, clients: int, seconds: float) -> None:
    """Print one run's figures."""
    load = run.load
    print(f"{run.workers} worker{'s' if run.workers > 1 else ''}:")
    shown = f": median {statistics.median(load.loads):,.0f} ms, p95 {_p95(load.loads):,.0f} ms" if load.loads else ""
    print(f"  page shown to {len(load.loads)} of {clients} clients{shown}")
    if load.trips:
        print(f"  {load.sent:,} events in {seconds:g} s ({load.sent / seconds:,.1f}/s): round trip median "
              f"{statistics.median(load.trips):,.1f} ms, p95 {_p95(load.trips):,.1f} ms")  # fmt: skip
    print(f"  errors {len(load.errors)}" + "".join(f"\n    {error}" for error in load.errors[:SHOWN_ERRORS]))
    if run.server_errors:
        print(f"  server log: {len(run.server_errors)} error lines, the first:")
        print("".join(f"    {line[:300]}\n" for line in run.server_errors[:SHOWN_ERRORS]), end="")
    per_worker = ", ".join(f"{_mib(rss)} (USS {_mib(uss)})" for rss, uss in run.memory)
    print(f"  memory per worker, RSS: {per_worker}; all workers {_mib(sum(rss for rss, _ in run.memory))}")
    workers, by_clients, machine = run.cpu
    print(f"  CPU used meanwhile, in CPUs of {os.cpu_count()}: the workers {workers:.2f}, the clients "
          f"{by_clients:.2f}, the machine in all {machine:.2f}")  # fmt: skip


def compare(one: Run, many: Run) -> None:
    """Print the ratios of ``many`` workers to ``one``."""

    def rss(run: Run) -> float:
        return statistics.mean(rss for rss, _ in run.memory)

    print(f"{many.workers} workers / {one.workers}: round trip median "
          f"{statistics.median(many.load.trips) / statistics.median(one.load.trips):.2f}x, p95 "
          f"{_p95(many.load.trips) / _p95(one.load.trips):.2f}x; memory per worker {rss(many) / rss(one):.2f}x, "
          f"all workers {rss(many) * len(many.memory) / (rss(one) * len(one.memory)):.2f}x")  # fmt: skip


def main() -> None:
    """Build the database, run the load for each worker count, print the figures; exit 1 on any error."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each client sends events")
    parser.add_argument("--workers", default="1,4", help="worker counts, comma-separated")
    parser.add_argument("--web-dir", type=Path, help="where the frontend is built (default: a temporary folder)")
    parser.add_argument("--port", type=int, default=0, help="the app's port for every run (default: a free one)")
    args = parser.parse_args()
    from tests.pg_cluster import free_port

    args.port = args.port or free_port()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        args.web_dir = args.web_dir or folder / "web"
        template = folder / "demo.db"
        started = time.perf_counter()
        logins = build_database(template)
        print(f"demo database in {time.perf_counter() - started:.0f} s; {args.clients} clients, {args.seconds:g} s "
              f"of events each; SQLite, Redis, granian on {os.cpu_count()} CPUs")  # fmt: skip
        runs = [run_workers(int(n), args, template, logins, folder) for n in args.workers.split(",")]
    for run in runs:
        report(run, args.clients, args.seconds)
    if len(runs) > 1 and all(run.load.trips for run in runs):
        compare(runs[0], runs[-1])
    if any(run.load.errors or len(run.load.loads) < args.clients for run in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
