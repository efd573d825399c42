"""Private files: the photos, designs and documents people upload, kept where no web server serves them.

Files live under ``<data dir>/files/<folder>/<random name>`` (folders 0700, files 0600), where the data dir
is the SQLite database's folder (:func:`jewelerp.keys.data_dir`), never Reflex's upload folder, which Reflex
serves to anyone at ``/_upload``. A record stores its file's path relative to that root. Staff reach a file
through ``/api/file/<module>/<kind>/<record id>`` (:mod:`jewelerp.ui.private_files`), which checks the
session and asks the module's :data:`FileChecker` whether the person may see that record; public pages hand
out only the files they show, through their own token routes and :func:`file_response`.

A file stored inside a transaction that rolls back is removed with it, and a file being replaced is removed
only once the change is committed: a failed request leaves the files as it found them.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from jewelerp.auth.actor import Actor
from jewelerp.keys import data_dir

ROOT_NAME = "files"
NAME_BYTES = 16  # 128 random bits per stored name
_NEW = "jewelerp.files.new"  # session.info keys: files stored, and files to remove, in this transaction
_OLD = "jewelerp.files.old"
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".pdf": "application/pdf",
}
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class StoredFile:
    """A private file a module's checker allows: its ``path`` under the root and the ``name`` to show it as."""

    path: str
    name: str


class FileChecker(Protocol):
    """The ``core.files`` extension point: ``checker(session, actor, kind, record_id)``, the file of that
    record when the actor may see it.

    Raises :class:`~jewelerp.errors.NotFound` (no such record or file, or not in the actor's reach) or
    :class:`~jewelerp.errors.PermissionDenied`. A module names its checker in ``contributions['core.files']``.
    """

    def __call__(self, session: Session, actor: Actor, kind: str, record_id: int) -> StoredFile: ...


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) readable by this user only; returns it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def files_root() -> Path:
    """The folder that holds every private file (created on first use)."""
    return private_dir(data_dir() / ROOT_NAME)


def create_private(target: Path) -> BinaryIO:
    """Open a new file at ``target`` for writing, created 0600; refuses to replace an existing one."""
    return os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def keep(session: Session, folder: str, suffix: str, content: bytes | Path, root: Path | None = None) -> str:
    """Store ``content`` (bytes, or a prepared file to copy) as a new private file; returns its path under the root.

    The name is random; ``session``'s transaction owns the file: it is removed again if the transaction
    rolls back. ``root`` defaults to :func:`files_root`.
    """
    relative = f"{folder}/{secrets.token_urlsafe(NAME_BYTES)}{suffix}"
    target = (root or files_root()) / relative
    private_dir(target.parent)
    session.connection()  # the transaction has begun, so its rollback is seen
    session.info.setdefault(_NEW, []).append(target)
    if isinstance(content, Path):
        _copy(content, target)
    else:
        with create_private(target) as out:
            out.write(content)
    return relative


def _copy(source: Path, target: Path) -> None:
    """A hard link when both are on one disk (no bytes copied), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        with source.open("rb") as src, create_private(target) as out:
            shutil.copyfileobj(src, out)


def remove_when_committed(session: Session, relative: str, root: Path | None = None) -> None:
    """Remove the private file at ``relative`` once ``session``'s transaction commits (e.g. a replaced photo)."""
    if relative:
        session.info.setdefault(_OLD, []).append((root or files_root()) / relative)


def find(relative: str, root: Path | None = None) -> Path | None:
    """The private file at ``relative``, or None when it is missing or would lie outside the root."""
    if not relative:
        return None
    base = (root or files_root()).resolve()
    target = (base / relative).resolve()
    return target if target.is_relative_to(base) and target.is_file() else None


def file_response(request: Request, path: Path, name: str, cache: str) -> Response:
    """Serve ``path`` inline as ``name`` (its suffix added) with ``Cache-Control: cache``.

    Answers 304 when the browser's copy is current, so ``no-cache`` costs one short request per view.
    """
    suffix = path.suffix.lower()
    response = FileResponse(
        path,
        media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
        filename=f"{name}{suffix}",
        content_disposition_type="inline",
        stat_result=path.stat(),
        headers={"Cache-Control": cache, **FILE_HEADERS},
    )
    etag = response.headers["etag"]
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})
    return response


def _unlink_all(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_new_files(session: OrmSession, _previous: object) -> None:
    """The transaction rolled back: remove the files it stored and keep the ones it meant to remove."""
    if session.in_transaction():  # a savepoint rolled back; the transaction goes on
        return
    session.info.pop(_OLD, None)
    _unlink_all(session.info.pop(_NEW, []))


@event.listens_for(OrmSession, "after_commit")
def _remove_old_files(session: OrmSession) -> None:
    """The transaction committed: its new files stay, the files it replaced go."""
    if session.in_nested_transaction():  # a savepoint was released; nothing is final yet
        return
    session.info.pop(_NEW, None)
    _unlink_all(session.info.pop(_OLD, []))
