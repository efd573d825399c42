"""HTTP routes mounted beside the Reflex app: health and readiness checks and export downloads, with security
headers. A route (a module's included) that cannot reach the database just now answers 503 with a plain
sentence, not a 500."""

from __future__ import annotations

import os
from typing import Protocol

import reflex as rx
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from jewelerp.db import DATABASE_UNAVAILABLE, is_unavailable, log_unavailable
from jewelerp.ui.private_files import file_route
from jewelerp.ui.table_query import forget_export, take_export
from jewelerp.ui.web_security import SecurityHeaders

MEDIA_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".csv": "text/csv",
    ".json": "application/json",
    ".xml": "application/xml",
}


class ApiRoutes(Protocol):
    """The ``core.api_routes`` extension point: a module's routes (``/api/<module>/...``), mounted for every store
    with no login, so each route checks the session and the module itself."""

    def __call__(self) -> list[Route]: ...


async def health(_request: Request) -> Response:
    """Liveness probe: the worker answers (it reads nothing)."""
    return JSONResponse({"status": "ok"})


def _service_problems() -> dict[str, str]:
    """What the worker needs and cannot reach now: the database and, when configured, Redis."""
    from jewelerp.db import check_database
    from jewelerp.errors import JewelError
    from jewelerp.serve import REDIS_ENV, check_redis

    problems: dict[str, str] = {}
    try:
        check_database()
    except JewelError as exc:
        problems["database"] = exc.message
    if redis_url := os.environ.get(REDIS_ENV):
        try:
            check_redis(redis_url)
        except JewelError as exc:
            problems["redis"] = exc.message
    return problems


async def ready(_request: Request) -> Response:
    """Readiness probe for a load balancer: 200 when the database (and Redis, when set) answer, else 503 with
    which one does not and why (passwords hidden)."""
    problems = await run_in_threadpool(_service_problems)
    if problems:
        return JSONResponse({"status": "unavailable", **problems}, status_code=503)
    return JSONResponse({"status": "ok"})


async def export_download(request: Request) -> Response:
    """Serve a prepared export (spreadsheet, PDF ...) once; the random token in the URL is the only key."""
    path = take_export(request.path_params["token"])
    if path is None:
        return PlainTextResponse("This download has expired. Export again.", status_code=404)
    media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return FileResponse(path, media_type=media_type, filename=path.name, background=BackgroundTask(forget_export, path))


def export_url(token: str) -> str:
    """The backend address of a prepared export."""
    return f"{rx.config.get_config().api_url}/api/export/{token}"


def api_routes() -> list[Route]:
    """Routes of the platform; modules add theirs through ``contributions['core.api_routes']``."""
    return [
        Route("/api/health", health),
        Route("/api/ready", ready),
        Route("/api/export/{token}", export_download),
        file_route(),
    ]


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """A request that failed because the database cannot be used just now (:func:`jewelerp.db.is_unavailable`):
    503 with the plain sentence and a retry hint, logged on one line. Any other database error is re-raised
    (a 500, logged with its traceback)."""
    if not is_unavailable(exc):
        raise exc
    log_unavailable(exc, f"{request.method} {request.url.path} could not reach the database")
    headers = {"Retry-After": "5", "Cache-Control": "no-store"}
    return PlainTextResponse(DATABASE_UNAVAILABLE, status_code=503, headers=headers)


def api_app(routes: list[Route]) -> Starlette:
    """The Starlette app given to ``rx.App(api_transformer=...)``.

    Every response gets the security headers: ``routes`` the strict policy, the Reflex app that
    Reflex mounts beneath (the frontend in production) the frontend's. A database that cannot be
    used answers 503 (:func:`database_unavailable`).
    """
    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders, strict_routes=list(routes))],
        exception_handlers={DBAPIError: database_unavailable, PoolTimeout: database_unavailable},
    )
