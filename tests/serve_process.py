"""Waiting for a ``jewelerp serve`` started in a child process (the browser test of several workers and the
benches that load a served app)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx


class NotServing(RuntimeError):
    """The server stopped, or did not get ready in time; the message ends with its log's last lines."""


def wait_until_ready(url: str, server: subprocess.Popen, log: Path, seconds: float) -> None:
    """Wait until ``url``'s ``/api/ready`` answers 200 (the first start builds the frontend: minutes);
    :class:`NotServing` when ``server`` exits or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise NotServing(f"jewelerp serve exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise NotServing(f"jewelerp serve did not get ready in {seconds:.0f} s:\n{log.read_text()[-3000:]}")
