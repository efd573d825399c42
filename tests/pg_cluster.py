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


@contextmanager
def cluster() -> Iterator[str]:
    """A running throwaway server; yields its SQLAlchemy URL (maintenance database ``postgres``)."""
    bin_dir = binaries()
    folder = Path(tempfile.mkdtemp(prefix="jewelerp-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVER_USER)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    data, log, port = folder / "data", folder / "server.log", free_port()  # the log is the server's own
    try:
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync"], log)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        options += " -c synchronous_commit=off -c max_connections=200"
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"], log)
        try:
            yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}/postgres"
        finally:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], log)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
