"""Server-side search, filter, sort and paging for list pages, and the one-time files of exports.

A :class:`TableSpec` says what a list shows; its ``query`` builds one SQL
statement from a :class:`TableQuery`, so only one page of rows is ever loaded.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, literal, or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, shown_row
from jewelerp.errors import JewelError
from jewelerp.validation import clean_search

EXPORT_DIR = Path(tempfile.gettempdir()) / "jewelerp-exports"
EXPORT_TTL_SECONDS = 600
COUNT_CAP = 1_000  # a list counts at most this many rows past the current page: exact counts scan everything


@dataclass(frozen=True)
class Filter:
    """A drop-down filter of (value, label) options, fixed or loaded per actor; "" means all."""

    key: str
    label: str
    options: tuple[tuple[str, str], ...] = ()
    all_label: str = ""
    options_loader: Callable[[Session, Actor], list[tuple[str, str]]] | None = None

    @property
    def empty_label(self) -> str:
        """Text of the option that applies no filter."""
        return self.all_label or f"All {self.label.lower()}"


STORE_SCOPE = Filter("scope", "Stores", (("all", "Every store"),), all_label="This store")


@dataclass(frozen=True)
class TableQuery:
    """What the person asked for: search text, filters, sort and page."""

    search: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    descending: bool = False
    offset: int = 0
    limit: int | None = 25


@dataclass(frozen=True)
class TableSpec:
    """A list page's data: ``base`` builds the filtered statement, ``row`` turns one result into a dict of typed
    values per column key (see :mod:`jewelerp.columns`) plus extra keys such as ``_link``."""

    name: str
    title: str
    permission: str
    columns: tuple[Column, ...]
    base: Callable[[Actor, TableQuery], Select]
    row: Callable[[Any, Actor], dict[str, Any]]
    sort_columns: dict[str, Any]
    default_sort: str
    filters: tuple[Filter, ...] = ()
    search_columns: tuple[Any, ...] = ()
    extra_search: Callable[[str], list[Any]] | None = None
    search_index: Callable[[str], Any | None] | None = None
    newest_first: bool = False

    def statement(self, actor: Actor, q: TableQuery) -> Select:
        """The filtered and searched statement without order or paging; the search text is cleaned first."""
        q = replace(q, search=clean_search(q.search))
        stmt = self.base(actor, q)
        text = q.search
        if not text:
            return stmt
        indexed = self.search_index(text) if self.search_index else None
        if indexed is not None:
            return stmt.where(indexed)
        like = f"%{text.lower()}%"
        clauses = [func.lower(c).like(like) for c in self.search_columns]
        clauses += self.extra_search(text) if self.extra_search else []
        return stmt.where(or_(*clauses)) if clauses else stmt

    def fetch(self, session: Session, actor: Actor, q: TableQuery) -> tuple[list[dict[str, str]], int]:
        """One page of formatted rows and the count, after checking the permission.

        The count stops at ``offset + COUNT_CAP + 1``: more than that reads as "1,000+".
        """
        actor.require(self.permission)
        stmt = self.statement(actor, q)
        capped = stmt.order_by(None).with_only_columns(literal(1), maintain_column_froms=True)
        capped = capped.limit(q.offset + COUNT_CAP + 1)
        total = session.execute(select(func.count()).select_from(capped.subquery())).scalar_one()
        page = _ordered(self, stmt, q).offset(q.offset)
        if q.limit is not None:
            page = page.limit(q.limit)
        return [shown_row(self.columns, self.row(r, actor)) for r in session.execute(page)], total

    def count(self, session: Session, actor: Actor, q: TableQuery) -> int:
        """How many rows match, uncapped (an export's progress counts against it)."""
        actor.require(self.permission)
        stmt = self.statement(actor, q).order_by(None).with_only_columns(literal(1), maintain_column_froms=True)
        return session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()

    def filters_used(self, q: TableQuery, loaded: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
        """The (filter, chosen option) pairs and the search text of ``q``, for an export's title row;
        ``loaded`` holds the options of filters loaded per actor."""
        used = []
        for f in self.filters:
            value = q.filters.get(f.key, "")
            if value:
                used.append((f.label, dict((*f.options, *loaded.get(f.key, []))).get(value, value)))
        if q.search.strip():
            used.append(("Search", q.search.strip()))
        return used

    def iter_rows(self, session: Session, actor: Actor, q: TableQuery) -> Iterator[dict[str, Any]]:
        """Every matching row with typed values, streamed in order (for exports)."""
        actor.require(self.permission)
        stmt = _ordered(self, self.statement(actor, q), q)
        for r in session.execute(stmt.execution_options(yield_per=500)):
            yield self.row(r, actor)


def count_label(total: int, offset: int) -> str:
    """``1,234`` or, when the count was capped, ``1,000+``."""
    limit = offset + COUNT_CAP
    return f"{limit:,}+" if total > limit else f"{total:,}"


def store_scoped(stmt: Select, column: Any, actor: Actor, q: TableQuery, chain_permission: str | None = None) -> Select:
    """Limit to the actor's store unless the :data:`STORE_SCOPE` filter asks for every store.

    With ``chain_permission`` only actors holding it may look beyond their store.
    """
    every_store = q.filters.get(STORE_SCOPE.key) == "all"
    if every_store and (chain_permission is None or actor.can(chain_permission)):
        return stmt
    return stmt.where(column == actor.store_id)


def _ordered(spec: TableSpec, stmt: Select, q: TableQuery) -> Select:
    column = spec.sort_columns.get(q.sort)
    if column is None:  # not `or`: a SQL expression has no truth value
        column = spec.sort_columns[spec.default_sort]
    descending = q.descending != (spec.newest_first and q.sort in ("", spec.default_sort))
    return stmt.order_by(column.desc() if descending else column.asc())


def _export_root() -> Path:
    """:data:`EXPORT_DIR`, private to this user (0700); refuses a folder someone else planted."""
    EXPORT_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = EXPORT_DIR.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise JewelError("The export folder is not safe to use; ask your administrator.")
    if stat.S_IMODE(info.st_mode) != 0o700:
        EXPORT_DIR.chmod(0o700)
    return EXPORT_DIR


def new_export(filename: str) -> tuple[str, Path]:
    """A fresh one-time download token and the path its file must be written to.

    The token's folder is 0700 and the file is created empty with mode 0600, so what the
    caller writes into it is never readable by other accounts on the machine.
    """
    root = _export_root()
    _sweep()
    token = secrets.token_urlsafe(24)
    folder = root / token
    folder.mkdir(mode=0o700)
    path = folder / filename
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return token, path


def _expired(folder: Path) -> bool:
    """Whether an export folder is past its time (one removed meanwhile counts as expired)."""
    try:
        return folder.stat().st_mtime < time.time() - EXPORT_TTL_SECONDS
    except FileNotFoundError:
        return True


def take_export(token: str) -> Path | None:
    """The file behind a download token, if the token is well-formed, known and fresh.

    An export older than :data:`EXPORT_TTL_SECONDS` is refused (and removed) even when the
    sweep has not run yet.
    """
    if not token or not all(ch.isalnum() or ch in "-_" for ch in token):
        return None
    folder = EXPORT_DIR / token
    if not folder.is_dir():
        return None
    if _expired(folder):
        shutil.rmtree(folder, ignore_errors=True)
        return None
    files = list(folder.glob("*"))
    return files[0] if files else None


def forget_export(path: Path) -> None:
    """Remove a served export so its link works only once."""
    shutil.rmtree(path.parent, ignore_errors=True)


def _sweep() -> None:
    for folder in EXPORT_DIR.iterdir():
        if _expired(folder):
            shutil.rmtree(folder, ignore_errors=True)
