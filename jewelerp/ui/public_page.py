"""What every public page (no login, reached by a QR code) shares: the token shape, the security and cache
headers, the escaping, the look, the "Not found" answer, and the cache of rendered pages.

The pages are server-rendered HTML with inline CSS and no JavaScript, so they load at once on any phone.
Modules serve them from their ``core.api_routes`` contribution (the certificate page, a repair's status).

**The page cache.** A page is rendered from a dozen queries, so :func:`serve_public_page` keeps the HTML per
``(kind, token)`` in a bounded LRU of the process (:data:`PAGES`). Every request still runs one indexed lookup
(:func:`live_record`): the token's record, unless revoked, in a store where its module is enabled, with its
stamp ``public_changed_at``. So revoking, reissuing or switching the module off stops the page at once on every
worker, and only a miss loads and renders. An entry is reused while the record's stamp is the one it was
rendered at, for at most :data:`PAGE_TTL` seconds. The owning module keeps the stamp (:func:`stamp_public_page`):
a change to the record or to a row it lists sets it in the same transaction. Master data a page shows (the
store's name and address, a category, metal or design, stage names, another module switched on or off) is not
stamped: a change to it shows within the TTL, 10 minutes.

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
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, event, inspect, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from jewelerp.core.models import ModuleState
from jewelerp.db import read_session, utcnow

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PAGE_CACHE = "no-cache"  # revalidate every time: a revoked link must stop working at once
ASSET_CACHE = "public, max-age=300"
PAGE_TTL = 600.0  # seconds a rendered page is reused at most: master data it shows is not stamped
PAGE_CACHE_SIZE = 2000  # rendered pages kept per process, the least recently asked for dropped first
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
:root{--ink:#1f1b16;--muted:#6b6359;--line:#e7e0d6;--card:#fff;--bg:#f7f4ef;--gold:#9a7b2f;--gold-soft:#f3ead6;
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


# ---------------------------------------------------------------------------- the cache


@dataclass(frozen=True)
class CachedPage:
    """A rendered page as :data:`PAGES` keeps it."""

    stamp: datetime | None  # the record's stamp it was rendered at
    body: bytes
    etag: str
    last_modified: datetime  # to the second, aware UTC
    stored_at: float  # time.monotonic()


class PageCache:
    """A bounded, thread-safe LRU of rendered pages keyed by ``(kind, token)``."""

    def __init__(self, size: int = PAGE_CACHE_SIZE) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[str, str], CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._pages

    def get(self, key: tuple[str, str], stamp: datetime | None) -> CachedPage | None:
        """The page under ``key`` if it was rendered at ``stamp`` less than :data:`PAGE_TTL` seconds ago."""
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.stamp != stamp or time.monotonic() - page.stored_at >= PAGE_TTL:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, str], page: CachedPage) -> None:
        """Keep ``page`` under ``key``, dropping the least recently used pages beyond the size."""
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def drop(self, key: tuple[str, str]) -> None:
        """Forget the page under ``key`` (a revoked or unknown token)."""
        with self._lock:
            self._pages.pop(key, None)


PAGES = PageCache()


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


def cached_page(
    request: Request,
    kind: str,
    token: str,
    stamp: datetime | None,
    last_modified: datetime,
    render: Callable[[], str],
) -> Response:
    """The page ``(kind, token)``: from :data:`PAGES` while it was rendered at ``stamp`` within the TTL, else
    ``render()``, kept for the next request.

    200 with the HTML, ``ETag`` and ``Last-Modified`` (``last_modified``), or 304 without a body when the
    browser's copy is current (:func:`_not_modified`); both with the public headers and ``no-cache``.
    """
    key = (kind, token)
    page = PAGES.get(key, stamp)
    if page is None:
        body = render().encode()
        page = CachedPage(stamp, body, _etag(body), _utc(last_modified).replace(microsecond=0), time.monotonic())
        PAGES.put(key, page)
    headers = public_headers(PAGE_CACHE) | {
        "ETag": page.etag,
        "Last-Modified": format_datetime(page.last_modified, usegmt=True),
    }
    if _not_modified(request, page):
        return Response(status_code=304, headers=headers)
    return HTMLResponse(page.body, headers=headers)


def serve_public_page(
    request: Request,
    kind: str,
    model: type[Any],
    module: str,
    render: Callable[[Session, PageRecord], str],
    not_found: Callable[[], Response],
) -> Response:
    """Answer ``GET /<kind>/<token>``: the one lookup (:func:`live_record`), then :func:`cached_page`.

    ``render(session, record)`` builds the HTML on a miss, in the lookup's read session; an unknown or revoked
    token, or a store where ``module`` is off, gets ``not_found()`` and its cached page is dropped.
    """
    token = request.path_params["token"]
    with read_session() as session:
        record = live_record(session, model, module, token)
        if record is None:
            PAGES.drop((kind, token))
            return not_found()
        return cached_page(request, kind, token, record.stamp, record.last_modified, lambda: render(session, record))
