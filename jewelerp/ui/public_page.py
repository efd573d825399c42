"""What every public page (no login, reached by a QR code) shares: the token shape, the security and cache
headers, the escaping, the look, the "Not found" answer, and the cache of rendered pages.

The pages are server-rendered HTML with inline CSS and no JavaScript, so they load at once on any phone.
Modules serve them from their ``core.api_routes`` contribution (the certificate page, a repair's status).

**The page cache.** A page is rendered from a dozen queries, so :func:`serve_public_page` keeps the HTML per
``(kind, token)`` in a bounded cache of the process (:data:`PAGES`, the oldest page dropped first) and answers a
cached page from memory, on the server's event loop, with no query. A page not cached runs one indexed lookup
(:func:`live_record`) in a thread: the token's record, unless revoked, in a store where its module is enabled,
with its stamp ``public_changed_at``; then it is rendered and kept, for at most :data:`PAGE_TTL` seconds. The
owning module keeps the stamp (:func:`stamp_public_page`): a change to the record or to a row it lists sets it in
the same transaction.

Changes reach the cache through the stamps (:class:`ChangeWatch`). A commit of this process that touches a
page's record or a module switch makes the next page look first, so it shows at once in the worker that made
it; every process also looks once a second (:data:`LOOK_EVERY`) for what other workers and the command line
committed: an edit, a revocation, a reissued token or a module switched off stops the old page on every worker
within a second. The look reads the stamps from :data:`LOOK_BACK` (two minutes) before the previous look, as a
stamp is set a little before its transaction commits: a transaction longer than that, or servers whose clocks
disagree by more, show their change within the TTL instead. Master data a page shows (the store's name and
address, a category, metal or design, stage names) is not stamped: a change to it shows within the TTL, 10
minutes.

Answers carry a strong ``ETag`` (a digest of the HTML) and ``Last-Modified`` (the stamp, or the record's
creation when it has none), and a conditional GET whose validator still holds gets 304 with no body.
``Cache-Control: no-cache`` makes the browser ask every time, so a revoked link stops at once. The ETag is the
validator that counts (browsers send it whenever they have one): ``Last-Modified`` moves only with the stamp, to
the second, so a client that revalidates with ``If-Modified-Since`` alone misses a master-data change and a
second change within the same second.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, event, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from jewelerp.core.models import ModuleState
from jewelerp.db import read_session, utcnow

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PAGE_CACHE = "no-cache"  # revalidate every time: a revoked link must stop working at once
ASSET_CACHE = "public, max-age=300"
PAGE_TTL = 600.0  # seconds a rendered page is reused at most: master data it shows is not stamped
PAGE_CACHE_SIZE = 2000  # rendered pages kept per process, the least recently asked for dropped first
LOOK_EVERY = 1.0  # seconds between a process's looks for what other processes changed (:class:`ChangeWatch`)
LOOK_BACK = timedelta(minutes=2)  # how far before its previous look each look reads stamps: a stamp is set when
# its transaction flushes, a little before it commits, and by the writing server's clock
STAMP = "public_changed_at"  # the column of a page's record that says when what the page shows last changed
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}
STYLE = """
:root{--ink:#1f1b16;--muted:#6b6359;--line:#e7e0d6;--card:#fff;--bg:#f7f4ef;--gold:#7a5f1f;--gold-soft:#f3ead6;
color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--ink:#f1ece4;--muted:#b3a99b;--line:#3a342c;--card:#211d18;
--bg:#16130f;--gold:#d9b869;--gold-soft:#2e2719}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--ink);
background:var(--bg);-webkit-text-size-adjust:100%}
header{background:var(--card);border-bottom:1px solid var(--line);padding:.9rem 1.1rem;text-align:center}
header .store{font-size:1.05rem;font-weight:650;letter-spacing:.08em;text-transform:uppercase;color:var(--gold)}
header .sub{font-size:.8rem;color:var(--muted)}
main{max-width:40rem;margin:0 auto;padding:1rem .9rem 2rem}
.photos{display:flex;gap:.6rem;overflow-x:auto;scroll-snap-type:x mandatory;margin:0 -.9rem 1rem;padding:0 .9rem}
.photos img{flex:0 0 100%;width:100%;aspect-ratio:1/1;object-fit:cover;border-radius:1rem;background:var(--card);
scroll-snap-align:center;border:1px solid var(--line)}
h1{font-size:1.5rem;line-height:1.25;margin:.2rem 0 .2rem}
h2{font-size:1.05rem;margin:0 0 .6rem;letter-spacing:.02em}
.sku{color:var(--muted);font-size:.9rem;margin:0 0 1rem}
.badge{display:inline-block;background:var(--gold-soft);color:var(--gold);border-radius:999px;padding:.1rem .6rem;
font-size:.78rem;font-weight:600;margin:0 .3rem .3rem 0}
section{background:var(--card);border:1px solid var(--line);border-radius:1rem;padding:1rem 1.1rem;margin:0 0 1rem}
dl{display:grid;grid-template-columns:minmax(7rem,40%) 1fr;gap:.35rem .8rem;margin:0}
dt{color:var(--muted);font-size:.9rem}dd{margin:0;font-weight:500;overflow-wrap:anywhere}
.cert{border-top:1px solid var(--line);padding-top:.9rem;margin-top:.9rem}
.cert:first-of-type{border-top:0;padding-top:0;margin-top:0}
.cert h3{font-size:1rem;margin:0 0 .5rem}
.verify{font-size:.88rem;color:var(--muted);margin:.6rem 0 0;overflow-wrap:anywhere}
a{color:var(--gold)}
.button{display:inline-block;margin-top:.7rem;padding:.5rem .9rem;border:1px solid var(--gold);border-radius:.6rem;
text-decoration:none;font-weight:600;font-size:.9rem}
.stones{width:100%;border-collapse:collapse;font-size:.9rem}
.stones th{text-align:left;color:var(--muted);font-weight:500;padding:.2rem .4rem .3rem 0}
.stones td{padding:.3rem .4rem .3rem 0;border-top:1px solid var(--line)}
ol.timeline{list-style:none;margin:0;padding:0 0 0 1.1rem;border-left:2px solid var(--gold-soft)}
ol.timeline li{position:relative;padding:0 0 1rem .4rem}
ol.timeline li:last-child{padding-bottom:0}
ol.timeline li::before{content:"";position:absolute;left:-1.55rem;top:.35rem;width:.75rem;height:.75rem;
border-radius:50%;background:var(--gold);border:2px solid var(--card)}
.when{font-size:.8rem;color:var(--muted)}
.what{font-weight:600}
.detail{font-size:.9rem;overflow-wrap:anywhere}
.corrected .what,.corrected .detail{text-decoration:line-through;color:var(--muted)}
.flag{font-size:.78rem;color:var(--muted);font-style:italic}
footer{text-align:center;color:var(--muted);font-size:.8rem;padding:0 1rem 2rem}
"""


def escape(value: object) -> str:
    """HTML-escape anything shown on a public page."""
    return html.escape(str(value), quote=True)


def public_headers(cache: str) -> dict[str, str]:
    """The security headers of every public answer, with its ``Cache-Control``."""
    return {"Cache-Control": cache, **SECURITY_HEADERS}


def document_head(page: str, store_name: str, style: str = STYLE) -> str:
    """A public page's HTML up to ``<body>``: its title names the page and the store ("Ring · MUM-000012 ·
    Zaveri Bazaar, Mumbai — JewelERP"), as the signed-in pages' titles do."""
    title = f"{page} · {store_name}" if store_name else page
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)} — JewelERP</title><style>{style}</style></head><body>"
    )


def not_found_page(message: str) -> Response:
    """The plain 404 page for an unknown or revoked link (never cached); ``message`` says what to do."""
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>Not found</title><style>{STYLE}</style></head>'
        f"<body><main><h1>Not found</h1><p>{escape(message)}</p></main></body></html>"
    )
    return HTMLResponse(document, status_code=404, headers=public_headers("no-store"))


def _utc(moment: datetime) -> datetime:
    """``moment`` as aware UTC (a database without time zones gives back naive UTC times)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# ---------------------------------------------------------------------------- the one lookup of a request


@dataclass(frozen=True)
class PageRecord:
    """What the one lookup of a public request reads of the page's record."""

    token: str
    id: int
    store_id: int
    stamp: datetime | None  # public_changed_at: None until something the page shows changes
    last_modified: datetime  # the stamp, or the record's creation without one; aware UTC


@cache
def _lookup(model: type[Any], module: str) -> Select:
    """The query of :func:`live_record`, built once per model: on a cached page it is most of the work."""
    record, switch = model.__table__.c, ModuleState.__table__.c
    joined = model.__table__.join(
        ModuleState.__table__, and_(switch.store_id == record.store_id, switch.module == module, switch.enabled)
    )
    return (
        select(record.id, record.store_id, record.public_changed_at, record.created_at)
        .select_from(joined)
        .where(record.public_token == bindparam("token"), record.token_revoked_at.is_(None))
    )


def live_record(session: Session, model: type[Any], module: str, token: str) -> PageRecord | None:
    """The record of ``model`` whose live public token is ``token``, in a store where ``module`` is enabled.

    One query on the token's unique index, joined to the store's switch of the module; None for a malformed,
    unknown or revoked token, and where the module is off. ``model`` has the columns ``id``, ``store_id``,
    ``public_token``, ``token_revoked_at``, ``public_changed_at`` and ``created_at``.
    """
    if not TOKEN_RE.match(token):
        return None
    row = session.connection().execute(_lookup(model, module), {"token": token}).first()
    if row is None:
        return None
    record_id, store_id, stamp, created_at = row
    return PageRecord(token, record_id, store_id, stamp, _utc(stamp or created_at))


# ---------------------------------------------------------------------------- the stamp


_WATCHED: dict[type, tuple[type, str | None]] = {}  # model -> (page record model, attribute holding its id)


def stamp_public_page(record: type[Any], parts: Mapping[type[Any], str]) -> None:
    """Keep ``record.public_changed_at`` (what :data:`PAGES` compares) in step with what its public page shows.

    Before every flush: a new ``record``, or one with a change other than the stamp, and a new, changed or
    deleted row of a model of ``parts`` (whose attribute named there holds the record's id) set the record's
    stamp to now, in the same flush and so in the same transaction as the change. A bulk ``update()`` is not
    seen: a service that changes the record that way adds a row of a part beside it (stock's ledger adds a
    movement, repairs' stage move a stage move). The owning module calls it once, when its models are imported.
    """
    _WATCHED[record] = (record, None)
    for model, key in parts.items():
        _WATCHED[model] = (record, key)
    if not event.contains(Session, "before_flush", _bump_stamps):
        event.listen(Session, "before_flush", _bump_stamps)
        event.listen(Session, "after_commit", _note_commit)


def _changed(session: Session, obj: Any, ignore: str | None = None) -> bool:
    """Whether ``obj`` is new, deleted, or has an attribute other than ``ignore`` really changed."""
    if obj in session.new or obj in session.deleted:
        return True
    return any(attr.history.has_changes() for attr in inspect(obj).attrs if attr.key != ignore)


def _bump_stamps(session: Session, _context: Any, _instances: Iterable[Any] | None) -> None:
    """The ``before_flush`` hook of :func:`stamp_public_page`."""
    stamped: dict[int, Any] = {}  # id(record) -> record
    wanted: set[tuple[type, Any]] = set()  # (record model, id) of the records of changed parts
    for obj in (*session.new, *session.dirty, *session.deleted):
        record, key = _WATCHED.get(type(obj), (None, None))
        if record is None:
            continue
        if key is None:
            if obj not in session.deleted and _changed(session, obj, STAMP):
                stamped[id(obj)] = obj
        elif _changed(session, obj):
            history = inspect(obj).attrs[key].history  # a part moved to another record changes both pages
            wanted.update((record, value) for value in (getattr(obj, key), *history.deleted) if value is not None)
    with session.no_autoflush:
        for record, record_id in wanted:
            row = session.get(record, record_id)
            if row is not None and row not in session.deleted:
                stamped[id(row)] = row
    now = utcnow()
    for row in stamped.values():
        setattr(row, STAMP, now)
    if any(
        type(obj) in _WATCHED or type(obj) is ModuleState for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info[_TOUCHED] = True


_TOUCHED = "jewelerp.public_pages_touched"  # session.info flag: this transaction touches what a page shows (a
# rolled-back one keeps it until its session's next commit or its end: at worst one needless look for changes)


def _note_commit(session: Session) -> None:
    """After a commit that touched a page's record or a module switch: this process looks for changes before
    answering its next page (:data:`CHANGES`), so the change shows at once here."""
    if session.info.pop(_TOUCHED, False):
        CHANGES.ask()


# ---------------------------------------------------------------------------- the cache


@dataclass(frozen=True)
class CachedPage:
    """A rendered page as :data:`PAGES` keeps it."""

    record_id: int  # the id of the page's record
    stamp: datetime | None  # the record's stamp it was rendered at
    body: bytes
    etag: str
    last_modified: datetime  # to the second, aware UTC
    stored_at: float  # time.monotonic()
    headers: Mapping[str, str]  # of its answers: the public ones, no-cache, ETag and Last-Modified


class PageCache:
    """A bounded, thread-safe cache of rendered pages keyed by ``(kind, token)``, the oldest stored dropped first
    (a hit takes no lock, so it does not reorder)."""

    def __init__(self, size: int = PAGE_CACHE_SIZE) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[str, str], CachedPage] = OrderedDict()
        self._tokens: dict[tuple[str, int], str] = {}  # (kind, record id) -> the token its cached page is under
        self._lock = threading.Lock()

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._pages

    def get(self, key: tuple[str, str]) -> CachedPage | None:
        """The page under ``key`` if it was rendered less than :data:`PAGE_TTL` seconds ago."""
        page = self._pages.get(key)
        if page is None or time.monotonic() - page.stored_at >= PAGE_TTL:
            return None
        return page

    def put(self, key: tuple[str, str], page: CachedPage) -> None:
        """Keep ``page`` under ``key``, dropping the least recently stored pages beyond the size."""
        with self._lock:
            self._drop((key[0], self._tokens.get((key[0], page.record_id), key[1])))
            self._pages[key] = page
            self._tokens[(key[0], page.record_id)] = key[1]
            while len(self._pages) > self.size:
                self._drop(next(iter(self._pages)))

    def drop(self, key: tuple[str, str]) -> None:
        """Forget the page under ``key`` (a revoked or unknown token)."""
        with self._lock:
            self._drop(key)

    def drop_changed(self, kind: str, record_id: int, token: str, stamp: datetime | None) -> None:
        """Forget the page of record ``record_id`` of ``kind`` unless it is under ``token`` at ``stamp``."""
        with self._lock:
            cached = self._tokens.get((kind, record_id))
            if cached is not None and (cached != token or self._pages[(kind, cached)].stamp != stamp):
                self._drop((kind, cached))

    def clear(self) -> None:
        """Forget every page (a module switched on or off somewhere)."""
        with self._lock:
            self._pages.clear()
            self._tokens.clear()

    def _drop(self, key: tuple[str, str]) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            del self._tokens[(key[0], page.record_id)]


PAGES = PageCache()
_KINDS: dict[str, type[Any]] = {}  # kind -> its record model, as pages of it are served


@cache
def _stamps_since(model: type[Any]) -> Select:
    """The records of ``model`` stamped at or after ``:since`` (on the stamp's index)."""
    record = model.__table__.c
    return select(record.id, record.public_token, record.public_changed_at).where(
        record.public_changed_at >= bindparam("since")
    )


class ChangeWatch:
    """How a process learns what other processes (workers, the command line) changed on its cached pages.

    At most every :data:`LOOK_EVERY` seconds, and before the next page after a commit of this process that
    touched a page's record or a module switch (:meth:`ask`), one look (:meth:`look`) reads the records stamped
    since :data:`LOOK_BACK` before the previous look, and drops each cached page whose token or stamp differs
    (an edit, a revocation, a reissued token); and the module switches, clearing every page when one moved.
    A look costs a query of the (small) module switch table and one on the stamp index per kind of page,
    however many pages are cached.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked = 0  # bumped by :meth:`ask`
        self._answered = 0  # the value of ``_asked`` when the last look began
        self._looked_at = -LOOK_EVERY  # time.monotonic() when the last look began
        self._since = utcnow() - LOOK_BACK  # the stamps the next look reads from
        self._switches: frozenset[tuple[Any, ...]] | None = None

    def ask(self) -> None:
        """Make the next page look first (this process committed a change)."""
        self._asked += 1

    def due(self) -> bool:
        """Whether a page must wait for a look before it is answered from :data:`PAGES`."""
        return self._asked != self._answered or time.monotonic() - self._looked_at >= LOOK_EVERY

    def look(self) -> None:
        """Drop the cached pages changed since the previous look (if a look is still due once this thread may
        look: a look another thread just finished counts)."""
        with self._lock:
            if not self.due():
                return
            asked, began_mono, began = self._asked, time.monotonic(), utcnow()
            with read_session() as session:
                connection = session.connection()
                switches = frozenset(tuple(row) for row in connection.execute(select(ModuleState.__table__)))
                changed = [
                    (kind, *row)
                    for kind, model in tuple(_KINDS.items())
                    for row in _read(connection, model, self._since)
                ]
            if self._switches is not None and switches != self._switches:
                PAGES.clear()
            for kind, record_id, token, stamp in changed:
                PAGES.drop_changed(kind, record_id, token, stamp)
            self._switches, self._since = switches, began - LOOK_BACK
            self._answered, self._looked_at = asked, began_mono


def _read(connection: Connection, model: type[Any], since: datetime) -> list[Any]:
    return connection.execute(_stamps_since(model), {"since": since}).all()


CHANGES = ChangeWatch()


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _not_modified(request: Request, page: CachedPage) -> bool:
    """Whether the browser's copy is still ``page`` (RFC 9110, 13.1.2 and 13.1.3).

    ``If-None-Match`` decides when present: ``*``, or one of its tags equal to the ETag (weakly compared).
    Without it, ``If-Modified-Since`` at or after ``Last-Modified``; a date that does not parse is ignored.
    """
    tags = request.headers.getlist("if-none-match")
    if tags:
        listed = {tag.strip().removeprefix("W/") for value in tags for tag in value.split(",")}
        return "*" in listed or page.etag in listed
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except ValueError:
        return False
    return _utc(when) >= page.last_modified


def _answer(request: Request, page: CachedPage) -> Response:
    """200 with the page's HTML, ``ETag`` and ``Last-Modified``, or 304 without a body when the browser's copy
    is current (:func:`_not_modified`); both with the public headers and ``no-cache``."""
    if _not_modified(request, page):
        return Response(status_code=304, headers=page.headers)
    return HTMLResponse(page.body, headers=page.headers)


def _cached_page(request: Request, kind: str, record: PageRecord, render: Callable[[], str]) -> Response:
    """The page of ``record`` (found by its token): from :data:`PAGES` while it was rendered at the record's
    stamp within the TTL, else ``render()``, kept for the next request; answered by :func:`_answer`."""
    key = (kind, record.token)
    page = PAGES.get(key)
    if page is None or page.stamp != record.stamp:
        body = render().encode()
        etag, modified = _etag(body), record.last_modified.replace(microsecond=0)
        headers = public_headers(PAGE_CACHE) | {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        page = CachedPage(record.id, record.stamp, body, etag, modified, time.monotonic(), headers)
        PAGES.put(key, page)
    return _answer(request, page)


def _look_up_and_answer(
    request: Request,
    kind: str,
    model: type[Any],
    module: str,
    render: Callable[[Session, PageRecord], str],
    not_found: Callable[[], Response],
) -> Response:
    """The lookup (:func:`live_record`), then :func:`_cached_page`; in a thread, as it reads the database."""
    token = request.path_params["token"]
    with read_session() as session:
        record = live_record(session, model, module, token)
        if record is None:
            PAGES.drop((kind, token))
            return not_found()
        return _cached_page(request, kind, record, lambda: render(session, record))


async def serve_public_page(
    request: Request,
    kind: str,
    model: type[Any],
    module: str,
    render: Callable[[Session, PageRecord], str],
    not_found: Callable[[], Response],
) -> Response:
    """Answer ``GET /<kind>/<token>`` for the records of ``model`` (pages of one kind share one model).

    A cached page is answered from memory on the event loop, after a look for changes when one is due
    (:data:`CHANGES`); else the one lookup and ``render(session, record)`` run in a thread
    (:func:`_look_up_and_answer`). An unknown or revoked token, or a store where ``module`` is off, gets
    ``not_found()``.
    """
    _KINDS.setdefault(kind, model)
    if CHANGES.due():
        await run_in_threadpool(CHANGES.look)
    page = PAGES.get((kind, request.path_params["token"]))
    if page is not None:
        return _answer(request, page)
    return await run_in_threadpool(_look_up_and_answer, request, kind, model, module, render, not_found)
