"""A throwaway Redis for tests: Debian's ``redis-server`` on a random local port, no persistence.

``scripts/dev.sh test`` installs it from apt when missing; a test that needs it asks for the ``redis_url``
fixture (tests/conftest.py), which starts one server per run and empties it before each test, or for
``redis_process`` to restart it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.pg_cluster import free_port

SERVER = "redis-server"


class RedisServer:
    """``redis-server`` on 127.0.0.1:``port`` with no persistence, its files in ``folder``."""

    def __init__(self, binary: str, folder: Path, port: int) -> None:
        self.binary, self.folder, self.port = binary, folder, port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Its URL (database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers."""
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command = [self.binary, *options, "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        _wait_for(self.port, self.process)

    def stop(self) -> None:
        """Stop it (what it held is gone)."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        """Stop it and start a new one on the same port, empty: a Redis restart that loses its data."""
        self.stop()
        self.start()


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    """A running :class:`RedisServer` on a free port; stopped and its folder removed after."""
    binary = shutil.which(SERVER)
    if binary is None:
        raise RuntimeError("redis-server is not installed: apt-get install redis-server (scripts/dev.sh does)")
    folder = Path(tempfile.mkdtemp(prefix="jewelerp-redis-"))
    server = RedisServer(binary, folder, free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[str]:
    """A running Redis on 127.0.0.1 and a free port; yields its URL (database 0). Stopped and removed after."""
    with running_redis() as server:
        yield server.url


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 10) -> None:
    import redis

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with code {process.returncode}")
        try:
            redis.Redis(port=port, socket_timeout=1).ping()
            return
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer on port {port} within {seconds:.0f} s")
