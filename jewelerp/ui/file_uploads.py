"""Receiving photos and documents on a page: the session and permission first, then the bytes, checked
and prepared in a worker thread and staged on disk (:mod:`jewelerp.staging`); state keeps only ids and names.

A picker whose files wait for a form (intake photos, a design, a lab report) stages them with
:func:`stage_uploads` and keeps the returned entries in a backend var; the form's service call takes them
with :class:`StagedBatch`. A picker that saves at once (more photos for a job) uses :func:`receive_uploads`
and removes the staged files when the save is done, whatever its outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import reflex as rx

from jewelerp.auth.actor import Actor
from jewelerp.core.audit import record_refusal
from jewelerp.errors import JewelError, ValidationError
from jewelerp.images import ImageTooLarge
from jewelerp.staging import StagedFile, discard, discard_entries, stage, take
from jewelerp.ui.state import AppState
from jewelerp.ui.uploads import check_uploader

MB = 1024 * 1024
_PREPARING = asyncio.Semaphore(2)  # files decoded at once by this process (two cores)

Prepare = Callable[[str, bytes], tuple[str, bytes]]
"""``prepare(name, content) -> (suffix, content to keep)``; raises ValidationError for a file it refuses."""


@dataclass(frozen=True)
class UploadRule:
    """What one file picker accepts: where its files wait, who may send them and how each is checked."""

    purpose: str
    permission: str
    field: str
    prepare: Prepare
    max_bytes: int = 10 * MB
    max_files: int = 1


@dataclass
class StagedBatch:
    """The staged files a form saves: taken inside the service call, removed once it has succeeded."""

    purpose: str
    entries: list[dict[str, str]]
    files: list[StagedFile] = field(default_factory=list)

    def take(self, actor: Actor) -> list[StagedFile]:
        """The actor's staged files for this form (JewelError when they expired)."""
        self.files = take(actor.user_id, self.purpose, self.entries)
        return self.files

    def take_one(self, actor: Actor) -> tuple[str, bytes | StagedFile]:
        """For a form with one file: its name and the staged file, or ``("", b"")`` when none was chosen."""
        files = self.take(actor)
        return (files[0].name, files[0]) if files else ("", b"")

    def done(self) -> None:
        """Remove the files the form saved."""
        discard(self.files)


async def _refuse(state: AppState, actor: Actor, rule: UploadRule, exc: JewelError) -> None:
    """Show why a file was refused; an image too large to decode is logged as a refused upload."""
    state.errors = exc.fields if isinstance(exc, ValidationError) else {rule.field: exc.message}
    state._say(exc.message, ok=False)
    if isinstance(exc, ImageTooLarge):
        await asyncio.to_thread(
            record_refusal,
            "upload",
            state._client_ip(),
            {"permission": rule.permission, "reason": exc.message},
            user_id=actor.user_id,
            user_name=actor.user_name,
            store_id=actor.store_id,
        )


def _prepare_and_stage(actor: Actor, rule: UploadRule, name: str, content: bytes) -> dict[str, str]:
    """Check and prepare one file, then stage it (runs in a worker thread)."""
    if len(content) > rule.max_bytes:
        raise ValidationError({rule.field: f"{name} is larger than {rule.max_bytes // MB} MB."})
    suffix, prepared = rule.prepare(name, content)
    return stage(actor.user_id, rule.purpose, name, suffix, prepared)


async def _stage(
    state: AppState, files: list[rx.UploadFile], rule: UploadRule, held: int
) -> tuple[Actor | None, list[dict[str, str]], bool]:
    """Check the session, then stage as many of ``files`` as the form has room for.

    Returns the actor (None when refused), the new entries and whether a file was refused.
    """
    actor = await check_uploader(state, rule.permission)
    if actor is None:
        return None, [], True
    state._clear_messages()
    room = max(rule.max_files - held, 0)
    if len(files) > room:
        state.errors = {rule.field: f"At most {rule.max_files} files; the others were left out."}
    staged: list[dict[str, str]] = []
    try:
        for upload in files[:room]:
            name = str(upload.name or upload.filename or "file")
            content = await upload.read(rule.max_bytes + 1)
            async with _PREPARING:
                staged.append(await asyncio.to_thread(_prepare_and_stage, actor, rule, name, content))
    except JewelError as exc:
        await _refuse(state, actor, rule, exc)
        return actor, staged, True
    return actor, staged, False


async def stage_uploads(
    state: AppState, files: list[rx.UploadFile], rule: UploadRule, held: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Check the session and ``rule.permission`` before reading anything, then check, prepare and stage
    the chosen files; returns ``held`` (the form's staged entries) with the new ones added.

    A refused file is reported under ``rule.field``; the files before it stay staged.
    """
    _actor, staged, _refused = await _stage(state, files, rule, len(held))
    return [*held, *staged]


async def receive_uploads(state: AppState, files: list[rx.UploadFile], rule: UploadRule) -> list[StagedFile]:
    """Like :func:`stage_uploads` for a picker that saves at once: the staged files, ready for a service.

    When one file is refused none is returned (the person chooses again). The caller removes the
    files with :func:`jewelerp.staging.discard` when the save is done.
    """
    actor, staged, refused = await _stage(state, files, rule, 0)
    if actor is None:
        return []
    if refused:
        discard_entries(actor.user_id, rule.purpose, staged)
        return []
    return take(actor.user_id, rule.purpose, staged)


def forget_staged(state: AppState, rule: UploadRule, entries: list[dict[str, str]]) -> None:
    """Remove a form's staged files (its "Remove" button); a page whose session ended just drops them."""
    if entries:
        state._run(lambda _s, a: discard_entries(a.user_id, rule.purpose, entries), write=False)
