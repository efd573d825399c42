"""A throwaway PostgreSQL server for a test run: ``python -m tests.pg_cluster CMD ...``.

It makes a cluster with Debian's ``initdb`` in a temporary folder, starts it with ``pg_ctl`` on a random
local port (durability off: the data is thrown away), runs ``CMD`` with ``JEWELERP_TEST_PG_URL`` naming the
server, then stops it and removes the folder, whatever ``CMD`` did. The exit code is ``CMD``'s.
PostgreSQL refuses to run as root, so as root the server runs as Debian's ``postgres`` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from jewelerp.testing import TEST_PG_ENV

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
USER = "jewelerp"
SERVER_USER = "postgres"  # Debian's package makes it; the server runs as it when we are root


class ClusterError(RuntimeError):
    """The throwaway server could not be made or started; the message says why."""


def binaries() -> Path:
    """The folder of the newest installed PostgreSQL's ``initdb`` and ``pg_ctl``."""
    versions = sorted(DEBIAN_BINARIES.glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    if not versions:
        raise ClusterError("PostgreSQL is not installed: apt-get install postgresql (scripts/dev.sh does)")
    return versions[-1].parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], server_log: Path) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        logged = server_log.read_text(errors="replace") if server_log.exists() else ""
        raise ClusterError(f"{Path(command[0]).name} failed:\n{done.stdout}{done.stderr}{logged}")


class Cluster:
    """A throwaway server made in ``folder`` on ``port``: :meth:`start`, :meth:`stop`, :meth:`restart` (a test
    of what the app does while PostgreSQL restarts runs one of its own)."""

    def __init__(self, folder: Path, port: int) -> None:
        self.bin_dir, self.folder, self.port = binaries(), folder, port
        self.data, self.log = folder / "data", folder / "server.log"  # the log is the server's own
        self.running = False

    @property
    def url(self) -> str:
        """Its SQLAlchemy URL (maintenance database ``postgres``)."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def create(self) -> None:
        """Make the cluster (``initdb``)."""
        self._pg("initdb", "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += " -c full_page_writes=off -c synchronous_commit=off -c max_connections=200"
        self._pg("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: open transactions are rolled back and their connections closed, as a
        service restart does; ``immediate``: no shutdown at all)."""
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        self.running = False

    def restart(self) -> None:
        """Stop (fast) and start again on the same port; connections open before are dead."""
        self.stop()
        self.start()

    def _pg(self, program: str, *args: str) -> None:
        _run([str(self.bin_dir / program), *args], self.log)


@contextmanager
def running_cluster() -> Iterator[Cluster]:
    """A running throwaway :class:`Cluster`; stopped and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="jewelerp-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVER_USER)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    try:
        server = Cluster(folder, free_port())
        server.create()
        server.start()
        try:
            yield server
        finally:
            if server.running:
                server.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def cluster() -> Iterator[str]:
    """A running throwaway server; yields its SQLAlchemy URL (maintenance database ``postgres``)."""
    with running_cluster() as server:
        yield server.url


def main(argv: list[str]) -> int:
    """Run ``argv`` with a throwaway server named in :data:`jewelerp.testing.TEST_PG_ENV`."""
    if not argv:
        print("usage: python -m tests.pg_cluster CMD [ARGS ...]", file=sys.stderr)
        return 2
    try:
        with cluster() as url:
            print(f"[jewelerp] PostgreSQL for the tests at {url}", flush=True)
            return subprocess.call(argv, env={**os.environ, TEST_PG_ENV: url})
    except ClusterError as exc:
        print(f"[jewelerp] {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
