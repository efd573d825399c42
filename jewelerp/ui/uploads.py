"""Labelled uploads (every file picker of the app), the drop zone used wherever a spreadsheet is imported, and
reading its upload safely."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from jewelerp.auth.actor import Actor
from jewelerp.core.audit import record_refusal
from jewelerp.errors import AuthError, JewelError, PermissionDenied
from jewelerp.spreadsheets import UnsafeFile
from jewelerp.ui.state import AppState

T = TypeVar("T")
_SHEET_READERS = threading.BoundedSemaphore(2)  # spreadsheets parsed at once by this process (two cores)

SPREADSHEETS = {
    "text/csv": [".csv"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
}


def labelled_upload(*children: rx.Component, label: str, **props: Any) -> rx.Component:
    """``rx.upload`` whose file input is named ``label`` for screen readers and browser tests (WCAG 1.3.1, 4.1.2:
    the input react-dropzone renders is otherwise nameless)."""
    picker = rx.upload(*children, **props)
    file_input(picker).custom_attrs["aria-label"] = label
    return picker


def file_input(picker: rx.Component) -> rx.Component:
    """The ``<input type="file">`` inside an ``rx.upload``'s drop area."""
    return picker.children[0].children[0]


def spreadsheet_drop_zone(upload_id: str, label: str, max_bytes: int) -> rx.Component:
    """A labelled area to drop or choose one .csv or .xlsx file; shows the chosen name."""
    return labelled_upload(
        rx.vstack(
            rx.icon("file-spreadsheet", size=28, color="var(--amber-9)"),
            rx.text("Drop the file here, or click to choose it", size="2"),
            rx.foreach(rx.selected_files(upload_id), lambda f: rx.text(f, weight="bold", size="2")),
            align="center",
            spacing="2",
        ),
        id=upload_id,
        accept=SPREADSHEETS,
        multiple=False,
        max_files=1,
        max_size=max_bytes,
        padding="1.75em",
        width="100%",
        label=label,
        cursor="pointer",
    )


async def first_upload(files: list[rx.UploadFile], max_bytes: int) -> tuple[str, bytes] | None:
    """The name and bytes (at most ``max_bytes`` + 1, so size checks can refuse) of the first file, if any."""
    if not files:
        return None
    upload = files[0]
    return str(upload.name or upload.filename or ""), await upload.read(max_bytes + 1)


async def check_uploader(state: AppState, permission: str) -> Actor | None:
    """The signed-in actor when they hold ``permission``; otherwise None, after saying why and logging the refusal.

    Call it first in an upload handler, before touching the files.
    """
    actor: Actor | None = None
    try:
        actor = state._actor()
        actor.require(permission)
    except (AuthError, PermissionDenied) as exc:
        state._say(exc.message, ok=False)
        await _log_refusal(state, actor, {"permission": permission, "reason": exc.message})
        return None
    return actor


async def read_spreadsheet(
    state: AppState,
    files: list[rx.UploadFile],
    permission: str,
    max_bytes: int,
    parse: Callable[[str, bytes], T],
) -> tuple[str, T] | None:
    """Check the session and ``permission``, then read the first file and ``parse`` it in a worker thread.

    Nothing is read before the check passes, at most ``max_bytes`` + 1 bytes are read, and
    the event loop never parses. Returns the file's name and what ``parse`` made of it, or
    None after telling the person why (a refusal or a zip bomb is logged with the client's IP).
    """
    actor = await check_uploader(state, permission)
    if actor is None:
        return None
    if not _SHEET_READERS.acquire(blocking=False):
        state._say("Another file is being read. Try again in a moment.", ok=False)
        return None
    try:
        chosen = await first_upload(files, max_bytes)
        if chosen is None:
            state._say("Choose a .csv or .xlsx file first.", ok=False)
            return None
        name, content = chosen
        return name, await asyncio.to_thread(parse, name, content)
    except UnsafeFile as exc:
        state._say(exc.message, ok=False)
        await _log_refusal(state, actor, {"permission": permission, "reason": exc.message})
    except JewelError as exc:
        state._say(exc.message, ok=False)
    finally:
        _SHEET_READERS.release()
    return None


async def _log_refusal(state: AppState, actor: Actor | None, detail: dict[str, Any]) -> None:
    """Record a refused upload (in a worker thread: it is a database write)."""
    await asyncio.to_thread(
        record_refusal,
        "upload",
        state._client_ip(),
        detail,
        user_id=actor.user_id if actor else None,
        user_name=actor.user_name if actor else "anonymous",
        store_id=actor.store_id if actor else None,
    )
