"""The header search: one box that asks every enabled module's searchers and groups what they find.

Modules contribute :class:`jewelerp.registry.Searcher` entries (``Module.searchers``); each names
``fn(session, actor, query) -> list[SearchHit]`` that finds records of the actor's current store by what a
person types at a counter: a phone, a SKU, a HUID, a document number. :func:`global_search` cleans the text
once (:func:`read_query`), skips searchers of modules that are off in the store or whose permission the
actor lacks, and returns the hits grouped by kind. Searchers use indexed lookups only (an exact value or the
start of one, :func:`starts_with`), so the box answers as fast as a person types.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.registry import call, get_registry

MAX_QUERY = 80  # longer text is no number, name or phone anyone types: nothing is searched
MIN_SIGNIFICANT = 2  # letters and digits a query needs before anything is searched
MAX_RECORD_ID = 2**31 - 1  # ids are INTEGER columns on PostgreSQL: a larger number names no record
LIMIT_PER_KIND = 5
_RECORD_NUMBER = re.compile(r"#?(\d{1,10})")


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, cleaned once for every searcher.

    ``text``: trimmed, inner spaces collapsed; ``code``: upper case without spaces (SKUs, HUIDs, document
    numbers); ``record_id``: the number typed as ``42`` or ``#42`` when it can be a record's id, else None;
    ``limit``: how many hits of each kind to return.
    """

    text: str
    code: str
    record_id: int | None
    limit: int


@dataclass(frozen=True)
class SearchHit:
    """One record found: its title, a line of detail and the page that opens it."""

    title: str
    detail: str
    link: str


@dataclass(frozen=True)
class SearchGroup:
    """The hits of one kind (``"Customers"``), in the order their searcher returned them."""

    kind: str
    hits: list[SearchHit]


def read_query(typed: str, limit: int = LIMIT_PER_KIND) -> SearchQuery | None:
    """The cleaned query, or None when there is nothing worth searching: text longer than :data:`MAX_QUERY`,
    or with fewer than :data:`MIN_SIGNIFICANT` letters and digits (``"--"``, ``"+"``, ``"a"``) unless it is a
    record number written ``#7``."""
    if len(typed) > MAX_QUERY:
        return None
    text = " ".join(typed.split())
    number = _RECORD_NUMBER.fullmatch(text)
    if sum(ch.isalnum() for ch in text) < MIN_SIGNIFICANT and not (number and text.startswith("#")):
        return None
    record_id = int(number.group(1)) if number else None
    return SearchQuery(
        text=text,
        code="".join(text.split()).upper(),
        record_id=record_id if record_id is not None and 1 <= record_id <= MAX_RECORD_ID else None,
        limit=max(1, limit),
    )


def global_search(
    session: Session, actor: Actor, typed: str, limit_per_kind: int = LIMIT_PER_KIND
) -> list[SearchGroup]:
    """What ``typed`` finds in the actor's store, grouped by kind in the modules' dependency order.

    Only modules enabled in the store are asked, and of them only the searchers whose permission the actor
    holds; a kind with no hit is left out. Nothing is searched for a query :func:`read_query` refuses.
    """
    query = read_query(typed, limit_per_kind)
    if query is None:
        return []
    groups: list[SearchGroup] = []
    for module in get_registry().modules:
        if module.name not in actor.enabled_modules:
            continue
        for searcher in module.searchers:
            if not actor.can(searcher.permission):
                continue
            hits: list[SearchHit] = call(searcher.fn)(session, actor, query)
            if hits:
                groups.append(SearchGroup(searcher.kind, hits[: query.limit]))
    return groups


def starts_with(column: Any, prefix: str) -> Any:
    """``column`` starts with ``prefix`` (case as stored), written so that the column's ordinary index answers
    it on SQLite and PostgreSQL alike, in the index's order (a query ordered by the column stops after its
    limit however many records share a short prefix): a range from the prefix to the next string after every
    string that starts with it. The range assumes strings sort by their characters' codes, as SQLite's do and
    PostgreSQL's under the ``C`` and ``C.UTF-8`` collations; the ``LIKE`` keeps it exact under any other."""
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = and_(column >= prefix, column.like(pattern, escape="\\"))
    following = ord(prefix[-1]) + 1
    following = 0xE000 if 0xD800 <= following <= 0xDFFF else following  # surrogates are no characters
    if following <= sys.maxunicode:  # else nothing follows the last character: the range stays open
        found = and_(found, column < prefix[:-1] + chr(following))
    return found


def unindexed(column: Any) -> Any:
    """``column`` as an expression no index answers (``store_id + 0``, ``kind || ''``), for the filters beside a
    search's own: SQLite keeps no statistics here and would otherwise read every row of a store (or every
    invoice of a kind) through that column's index instead of the few the search's index finds."""
    return column + 0 if column.type.python_type is int else column.concat("")


def in_store(column: Any, store_id: int) -> Any:
    """``column`` (a record's ``store_id``) is ``store_id``, as a filter beside the search's own index."""
    return unindexed(column) == store_id


def numbered(
    session: Session, actor: Actor, query: SearchQuery, model: Any, link: str, detail: Callable[[Any], str], *where: Any
) -> list[SearchHit]:
    """Records of ``model`` (a table with ``store_id`` and an indexed ``number``) in the actor's store whose
    number starts with the query's code, each opening ``link`` (``"/billing/bookings/{id}"``) with ``detail(record)``
    as its line; ``where`` narrows them further (an invoice's kind)."""
    stmt = (
        select(model)
        .where(in_store(model.store_id, actor.store_id), starts_with(model.number, query.code), *where)
        .order_by(model.number)
        .limit(query.limit)
    )
    return [SearchHit(record.number, detail(record), link.format(id=record.id)) for record in session.scalars(stmt)]
