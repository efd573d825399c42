"""Files a person chose, kept on disk (never in page state) until the form that needs them is saved.

A page stages a file as soon as it is chosen, after checking the session and the permission (see
:mod:`jewelerp.ui.file_uploads`): the file is checked and prepared (a photo shrunk to a JPEG) in a worker
thread and written under a random name into the person's staging folder,
``<files root>/.staging/<user id>/<purpose>/`` (folders 0700, files 0600). The page's state keeps only each
file's id and the name to show. One person may have at most :data:`MAX_FILES` files and :data:`MAX_BYTES`
staged at once. A staged file is removed when its form is saved or cleared; one left behind (a closed tab)
is swept away by the next staging once it is older than :data:`EXPIRY_SECONDS`.
"""

from __future__ import annotations

import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jewelerp.errors import JewelError
from jewelerp.files import create_private, files_root, private_dir

STAGING = ".staging"
MAX_FILES = 60
MAX_BYTES = 150 * 1024 * 1024
EXPIRY_SECONDS = 2 * 60 * 60
NAME_MAX = 120
ID_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.[a-z]{3,4}$")
PURPOSE_RE = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
GONE = "The chosen files were kept for two hours and are gone. Choose them again."
_LOCK = threading.Lock()  # checking the cap and writing are one step within this process


@dataclass(frozen=True)
class StagedFile:
    """A staged file: the ``name`` the person gave it and the checked, prepared file at ``path``."""

    name: str
    path: Path


class StagingFull(JewelError):
    """The person has too many files (or bytes) waiting to be saved."""


def _user_folder(user_id: int | None) -> Path:
    return files_root() / STAGING / str(int(user_id or 0))


def _purpose_folder(user_id: int | None, purpose: str) -> Path:
    if not PURPOSE_RE.match(purpose):
        raise ValueError(f"bad staging purpose {purpose!r}")
    return _user_folder(user_id) / purpose


def display_name(name: str) -> str:
    """The file's own name (no folders, no control characters), shortened for messages and lists."""
    text = "".join(ch for ch in name.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable()).strip()
    return text[:NAME_MAX] or "file"


def _usage(folder: Path) -> tuple[int, int]:
    """How many files, and bytes, a person has staged."""
    sizes = [p.stat().st_size for p in folder.glob("*/*") if p.is_file()] if folder.is_dir() else []
    return len(sizes), sum(sizes)


def sweep(now: float | None = None) -> None:
    """Remove staged files older than :data:`EXPIRY_SECONDS`, and folders left empty."""
    oldest = (now or time.time()) - EXPIRY_SECONDS
    root = files_root() / STAGING
    if not root.is_dir():
        return
    for user in root.iterdir():
        for path in user.glob("*/*"):
            if path.is_file() and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
        if not any(user.glob("*/*")):
            shutil.rmtree(user, ignore_errors=True)


def stage(user_id: int | None, purpose: str, name: str, suffix: str, content: bytes) -> dict[str, str]:
    """Keep prepared ``content`` for the person; returns ``{"id", "name"}`` for the page's state.

    Raises :class:`StagingFull` when it would pass the person's cap (nothing is written then).
    """
    folder = _purpose_folder(user_id, purpose)
    with _LOCK:
        sweep()
        count, size = _usage(_user_folder(user_id))
        if count >= MAX_FILES or size + len(content) > MAX_BYTES:
            raise StagingFull("Too many files are waiting to be saved. Save or remove them first.")
        file_id = f"{secrets.token_urlsafe(16)}{suffix}"
        with create_private(private_dir(folder) / file_id) as out:
            out.write(content)
    return {"id": file_id, "name": display_name(name)}


def _entries(user_id: int | None, purpose: str, entries: Iterable[dict[str, str]]) -> list[StagedFile]:
    folder = _purpose_folder(user_id, purpose)
    return [
        StagedFile(display_name(e.get("name", "")), folder / e["id"]) for e in entries if ID_RE.match(e.get("id", ""))
    ]


def take(user_id: int | None, purpose: str, entries: Iterable[dict[str, str]]) -> list[StagedFile]:
    """The person's staged files named by ``entries`` (from the page's state), in order.

    Only files in the person's own folder for ``purpose`` are found; raises JewelError when one has expired.
    """
    entries = list(entries)
    files = _entries(user_id, purpose, entries)
    if len(files) != len(entries) or not all(f.path.is_file() for f in files):
        raise JewelError(GONE)
    return files


def discard(files: Iterable[StagedFile]) -> None:
    """Remove staged files (their form was saved, or they are no longer wanted)."""
    for staged in files:
        staged.path.unlink(missing_ok=True)


def discard_entries(user_id: int | None, purpose: str, entries: Iterable[dict[str, str]]) -> None:
    """Remove the person's staged files named by ``entries``."""
    discard(_entries(user_id, purpose, entries))
