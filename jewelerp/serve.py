"""``jewelerp serve``: the production server on one port, with one or several backend workers.

The frontend is compiled and built once and again only when the code changed: a fingerprint of everything
the build reads (the platform, every module's package, ``rxconfig.py``, ``assets/``, the pinned packages,
Reflex's version, the port and the public address) is kept beside the build in ``.web/`` (or
``REFLEX_WEB_WORKDIR``). The backend then runs under granian with ``--workers`` processes, serving the
built frontend, the websocket and the API on the same port. Several workers share the users' state through
Redis (``REFLEX_REDIS_URL``), so they are refused without it. ``--dev`` runs Reflex's development server
instead (hot reload, frontend on 3000, backend on 8000).

Before anything starts, the database and Redis are checked: a wrong or unreachable one is one line naming
it and why, and exit code 1.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

from jewelerp import PROJECT_ROOT
from jewelerp.db import check_database
from jewelerp.errors import JewelError

REDIS_ENV = "REFLEX_REDIS_URL"
WEB_DIR_ENV = "REFLEX_WEB_WORKDIR"  # Reflex's own setting: where the frontend is built (default .web)
BUILD_INPUTS = ("jewelerp", "modules", "assets", "rxconfig.py", "requirements.txt", "pyproject.toml")
BUILD_ENVIRONMENT = ("REFLEX_API_URL", "REFLEX_DEPLOY_URL", "REFLEX_FRONTEND_PATH")  # baked into the pages
SKIPPED_PARTS = {"__pycache__", ".web", ".tools", ".venv", ".data"}
GENERATED_ASSETS = PROJECT_ROOT / "assets" / "external"  # Reflex writes it while compiling


def check_redis(url: str) -> None:
    """Ping Redis at ``url``; JewelError naming it (password hidden) and why when it cannot be used."""
    import redis

    shown = _redis_shown(url)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except ValueError as exc:
        raise JewelError(f"{REDIS_ENV}={shown} is not a Redis URL ({exc}); e.g. redis://localhost:6379/0") from exc
    except redis.RedisError as exc:
        raise JewelError(f"Redis {REDIS_ENV}={shown} cannot be reached: {exc}") from exc


def _redis_shown(url: str) -> str:
    """The Redis URL with any password replaced by ``***``."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


def check_services(workers: int) -> None:
    """The database answers; Redis answers when set; several workers have Redis to share state through."""
    check_database()
    redis_url = os.environ.get(REDIS_ENV, "")
    if redis_url:
        check_redis(redis_url)
    elif workers > 1:
        raise JewelError(
            f"{workers} workers share the users' state through Redis: set {REDIS_ENV}=redis://host:6379/0 "
            "or run one worker"
        )


def _source_files(packages: Iterator[Path]) -> Iterator[Path]:
    for top in packages:
        if top.is_file():
            yield top
            continue
        for path in sorted(top.rglob("*")):
            skipped = SKIPPED_PARTS.intersection(path.parts) or path.is_relative_to(GENERATED_ASSETS)
            if path.is_file() and not skipped and path.suffix != ".pyc":
                yield path


def _build_inputs() -> Iterator[Path]:
    """Every file the frontend build depends on: this checkout's and the pip-installed modules' packages."""
    from jewelerp.registry import get_registry

    yield from (PROJECT_ROOT / name for name in BUILD_INPUTS)
    for module in get_registry().modules:
        spec_root = _package_folder(module.package)
        if spec_root is not None and not spec_root.is_relative_to(PROJECT_ROOT):
            yield spec_root


def _package_folder(package: str) -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec(package.split(".")[0])
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def fingerprint(port: int) -> str:
    """What the build depends on, as one digest: file names and contents, Reflex's version, the port and the
    public addresses (the built pages carry the backend's address)."""
    addresses = " ".join(f"{name}={os.environ.get(name, '')}" for name in BUILD_ENVIRONMENT)
    digest = hashlib.sha256(f"reflex {version('reflex')} port {port} {addresses}\n".encode())
    for path in _source_files(_build_inputs()):
        digest.update(str(path.relative_to(path.anchor)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def web_dir() -> Path:
    """Where the frontend is built: ``REFLEX_WEB_WORKDIR`` (relative to the checkout) or ``.web``."""
    return PROJECT_ROOT / os.environ.get(WEB_DIR_ENV, ".web")


def _stamp() -> Path:
    """Beside the build, inside the folder Reflex empties before every build: a build made by anything else
    (the browser tests' harness, another port) takes the stamp with it, so the next ``serve`` builds again."""
    return web_dir() / "build" / "jewelerp-build.stamp"


def build_is_current(port: int) -> bool:
    """Whether the web folder holds a build of exactly this code for ``port``."""
    built, stamp = web_dir() / "build" / "client" / "index.html", _stamp()
    return built.is_file() and stamp.is_file() and stamp.read_text().strip() == fingerprint(port)


def _port_environment(port: int) -> dict[str, str]:
    """One port for the frontend, the websocket and the API, as ``reflex run --env prod`` uses."""
    return {"REFLEX_FRONTEND_PORT": str(port), "REFLEX_BACKEND_PORT": str(port), "REFLEX_ENV_MODE": "prod"}


def build(port: int) -> None:
    """Compile the app and build the frontend for ``port`` (in a child process: granian must import the app
    fresh), then record the fingerprint."""
    env = {**os.environ, **_port_environment(port)}
    done = subprocess.run([sys.executable, "-m", "jewelerp.serve", "--build-only"], cwd=PROJECT_ROOT, env=env)
    if done.returncode != 0:
        raise JewelError("the frontend build failed (its output is above)")
    _stamp().write_text(fingerprint(port))


def _compile_and_build() -> None:
    """The child process of :func:`build`: Reflex's own production compile and frontend build."""
    from reflex.config import get_config
    from reflex.reflex import _init
    from reflex.utils import build as reflex_build
    from reflex.utils import exec as reflex_exec
    from reflex.utils import prerequisites

    os.chdir(PROJECT_ROOT)
    if prerequisites.needs_reinit():  # a fresh checkout: .web made as `reflex run` (and AppHarnessProd) make it
        _init(name=get_config().app_name)
    prerequisites.get_compiled_app(prerender_routes=reflex_exec.should_prerender_routes(), trigger="export")
    reflex_build.setup_frontend(PROJECT_ROOT)
    reflex_build.build()


def serve(host: str, port: int, workers: int) -> None:
    """Check the services, build when the code changed, then serve on ``host:port`` with ``workers`` workers
    (blocks until stopped)."""
    check_services(workers)
    if build_is_current(port):
        print(f"[jewelerp] the frontend build in {web_dir()} is current", flush=True)
    else:
        print("[jewelerp] building the frontend (the code changed since the last build)", flush=True)
        build(port)
    os.environ.update(_port_environment(port), GRANIAN_WORKERS=str(workers))
    from reflex.config import get_config
    from reflex.utils import exec as reflex_exec
    from reflex_base.environment import environment

    environment.REFLEX_SKIP_COMPILE.set(True)  # built above; the workers inherit these
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)

    os.chdir(PROJECT_ROOT)
    print(f"[jewelerp] serving http://{host}:{port} with {workers} worker(s)", flush=True)
    reflex_exec.run_granian_backend_prod(host, port, get_config().loglevel.subprocess_level())


def serve_dev(port: int, backend_port: int) -> None:
    """Reflex's development server with hot reload (replaces this process)."""
    check_services(1)
    os.chdir(PROJECT_ROOT)
    reflex = [sys.executable, "-m", "reflex", "run", "--frontend-port", str(port), "--backend-port", str(backend_port)]
    os.execv(sys.executable, reflex)


if __name__ == "__main__" and sys.argv[1:] == ["--build-only"]:
    _compile_and_build()
