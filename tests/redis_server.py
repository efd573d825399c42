"""A throwaway Redis for tests: Debian's ``redis-server`` on a random local port, no persistence.

``scripts/dev.sh test`` installs it from apt when missing; a test that needs it asks for the ``redis_url``
fixture (tests/conftest.py), which starts one server per run and empties it before each test.
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


@contextmanager
def redis_server() -> Iterator[str]:
    """A running Redis on 127.0.0.1 and a free port; yields its URL (database 0). Stopped and removed after."""
    binary = shutil.which(SERVER)
    if binary is None:
        raise RuntimeError("redis-server is not installed: apt-get install redis-server (scripts/dev.sh does)")
    folder = Path(tempfile.mkdtemp(prefix="jewelerp-redis-"))
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)]
    process = subprocess.Popen([binary, *options], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


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
