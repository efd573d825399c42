"""Helpers for the tests of the cached public pages (the certificate page, a job's status page): what a request
renders and which queries it runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import event

from jewelerp.db import get_engine


def count_renders(monkeypatch: pytest.MonkeyPatch, public: ModuleType) -> list[Any]:
    """Wrap ``public.render_page`` (a module's page renderer); the list gets the arguments of each call, so a
    page answered from the cache adds nothing."""
    calls: list[Any] = []
    render = public.render_page

    def counting(*args: Any) -> str:
        calls.append(args)
        return render(*args)

    monkeypatch.setattr(public, "render_page", counting)
    return calls


@contextmanager
def selects() -> Iterator[list[str]]:
    """The SELECT statements run on the database inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
