"""The public certificate page a customer reaches by scanning a piece's QR tag.

``GET /c/<token>`` is a server-rendered, self-contained HTML page (inline CSS, no
JavaScript, no login) that loads fast on any phone: the store's name, the piece's photos,
category, metal and purity, weights, HUID, stones, lab certificates with their report
files, and the provenance timeline. It never shows a price, a cost, a charge, a supplier
account or anything about a customer. An unknown or revoked token (or a store where the
stock module is off) gets a plain "Not found" page with status 404.

Beside it: ``/c/<token>/qr.png`` (the QR tag image), ``/c/<token>/image/<n>`` (the n-th
photo, from 0), ``/c/<token>/file/<certificate id>`` (a lab report) and
``/c/<token>/document/<event id>`` (a provenance document). Files are read from the
private files folder (:mod:`jewelerp.files`) and only through a valid token; their stored names never appear.

The page is cached per token (:func:`jewelerp.ui.public_page.serve_public_page`): the token is looked up
at most once a second per worker, and the page is rendered again only when the piece's ``public_changed_at``
moved (a change to the piece, its stones, certificates, provenance, photos or a ledger movement:
:mod:`modules.stock.models`) or after 10 minutes (the store, category, metal and design names are not
stamped). A browser's conditional GET gets 304.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from jewelerp.core.models import Store
from jewelerp.db import read_session
from jewelerp.files import MEDIA_TYPES, files_root
from jewelerp.qr import qr_png
from jewelerp.ui.public_page import (
    ASSET_CACHE,
    PageRecord,
    document_head,
    escape,
    live_record,
    not_found_page,
    public_headers,
    serve_public_page,
)
from modules.stock.certificates import LAB_LABELS, certificate_details, piece_certificates
from modules.stock.models import Category, Certificate, Design, Image, Metal, Piece, ProvenanceEvent, Stone
from modules.stock.provenance import PRIVATE_ON_PUBLIC, TimelineEntry, timeline
from modules.stock.tags import piece_url, purity_text

URL_RE = re.compile(r"(https?://[^\s<>\"']+[^\s<>\"'.,;:!?)])")
STONE_NAMES = {"cz": "Cubic zirconia"}


def _linked(text: str) -> str:
    """Escape ``text``, turning web addresses in it into links."""
    parts = []
    for index, part in enumerate(URL_RE.split(text)):
        if index % 2:
            parts.append(f'<a href="{escape(part)}" rel="noopener noreferrer nofollow">{escape(part)}</a>')
        else:
            parts.append(escape(part))
    return "".join(parts)


def find_piece(session: Session, token: str) -> Piece | None:
    """The piece whose live token is ``token``, in a store where stock is enabled; None otherwise."""
    record = live_record(session, Piece, "stock", token)
    return session.get(Piece, record.id) if record is not None else None


def not_found() -> Response:
    """The plain 404 page for unknown and revoked tokens (never cached)."""
    return not_found_page("This certificate link does not exist or is no longer valid.")


@dataclass
class PublicView:
    """Everything the public page shows, loaded in one read session."""

    piece: Piece
    store: Store | None
    category: Category | None
    metal: Metal | None
    design: Design | None
    stones: list[Stone]
    images: list[Image]
    certificates: list[Certificate]
    events: list[TimelineEntry]


def load_view(session: Session, piece: Piece) -> PublicView:
    """Read what the public page of ``piece`` shows (and nothing it must not show)."""
    return PublicView(
        piece=piece,
        store=session.get(Store, piece.store_id),
        category=session.get(Category, piece.category_id),
        metal=session.get(Metal, piece.metal_id),
        design=session.get(Design, piece.design_id) if piece.design_id else None,
        stones=list(session.scalars(select(Stone).where(Stone.piece_id == piece.id).order_by(Stone.id))),  # type: ignore[arg-type]
        images=_images(session, piece),
        certificates=piece_certificates(session, piece.id or 0),
        events=timeline(session, piece.id or 0, public=True),
    )


def _images(session: Session, piece: Piece) -> list[Image]:
    return list(
        session.scalars(
            select(Image).where(Image.piece_id == piece.id).order_by(Image.position, Image.id)  # type: ignore[arg-type]
        )
    )


def _definition(pairs: Iterable[tuple[str, str]]) -> str:
    rows = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in pairs if value)
    return f"<dl>{rows}</dl>" if rows else ""


def _title(view: PublicView) -> str:
    category = view.category.name if view.category else "Jewellery"
    metal = purity_text(view.metal) if view.metal else ""
    return f"{metal} {category}".strip() if metal else category


def _photos(view: PublicView, token: str, title: str) -> str:
    if not view.images:
        return ""
    tags = []
    for index, _image in enumerate(view.images):
        loading = "eager" if index == 0 else "lazy"
        tags.append(
            f'<img src="/c/{escape(token)}/image/{index}" alt="{escape(title)}, photo {index + 1}" '
            f'width="640" height="640" loading="{loading}" decoding="async">'
        )
    return f'<div class="photos">{"".join(tags)}</div>'


def _piece_section(view: PublicView) -> str:
    piece = view.piece
    metal = view.metal
    design = ""
    if view.design is not None:
        design = view.design.name + (f" ({view.design.collection})" if view.design.collection else "")
    pairs = [
        ("Item", view.category.name if view.category else ""),
        ("Design", design),
        ("Metal", metal.metal.strip().title() if metal else ""),
        ("Purity", f"{metal.purity} ({metal.fineness / 10:g}% pure, {metal.fineness} fineness)" if metal else ""),
        ("Gross weight", f"{piece.gross_weight} g"),
        ("Stone weight", f"{piece.stone_weight} g" if piece.stone_weight else ""),
        ("Net weight", f"{piece.net_weight} g"),
        ("Size", piece.size),
        ("BIS HUID", piece.huid or ""),
        ("Description", piece.description),
    ]
    return f"<section><h2>The piece</h2>{_definition(pairs)}</section>"


def _stones_section(view: PublicView) -> str:
    if not view.stones:
        return ""
    rows = []
    for stone in view.stones:
        name = STONE_NAMES.get(stone.kind, stone.kind.capitalize())
        if stone.lab_grown:
            name += " (lab-grown)"
        quality = " · ".join(part for part in (stone.colour, stone.clarity, stone.grade) if part)
        rows.append(
            f"<tr><td>{escape(name)}</td><td>{stone.count}</td>"
            f"<td>{escape(stone.carat)} ct</td><td>{escape(quality)}</td></tr>"
        )
    return (
        '<section><h2>Stones</h2><table class="stones"><thead><tr><th>Stone</th><th>Count</th><th>Weight</th>'
        f"<th>Quality</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _certificates_section(view: PublicView, token: str) -> str:
    if not view.certificates:
        return ""
    blocks = []
    for certificate in view.certificates:
        pairs = [
            ("Lab", LAB_LABELS.get(certificate.lab, certificate.lab)),
            ("Report number", certificate.report_number),
            ("Report date", certificate.issued_on.strftime("%d %b %Y")),
            *certificate_details(certificate),
        ]
        link = ""
        if certificate.file:
            kind = "PDF" if certificate.file.endswith(".pdf") else "image"
            link = (
                f'<a class="button" href="/c/{escape(token)}/file/{certificate.id}" rel="noopener">'
                f"View the lab report ({kind})</a>"
            )
        verify = f'<p class="verify">{_linked(certificate.verify_note)}</p>' if certificate.verify_note else ""
        heading = f"{certificate.lab} report {certificate.report_number}"
        blocks.append(f'<div class="cert"><h3>{escape(heading)}</h3>{_definition(pairs)}{verify}{link}</div>')
    title = "Certificate" if len(blocks) == 1 else "Certificates"
    return f"<section><h2>{title}</h2>{''.join(blocks)}</section>"


def _timeline_section(view: PublicView, token: str) -> str:
    if not view.events:
        return ""
    by_id = {entry.id: entry for entry in view.events}
    items = []
    for entry in view.events:
        details = [part for part in (entry.place, entry.party) if part]
        lines = []
        if details:
            lines.append(f'<div class="detail">{escape(" · ".join(details))}</div>')
        if entry.document:
            lines.append(f'<div class="detail">Document: {escape(entry.document)}</div>')
        if entry.note:
            lines.append(f'<div class="detail">{_linked(entry.note)}</div>')
        if entry.has_file and entry.kind not in PRIVATE_ON_PUBLIC:
            lines.append(
                f'<div class="detail"><a href="/c/{escape(token)}/document/{entry.id}">View the document</a></div>'
            )
        if entry.corrects_id is not None and entry.corrects_id in by_id:
            wrong = by_id[entry.corrects_id]
            corrected = f"“{escape(wrong.label)}” of {escape(wrong.on_text)}"
            lines.append(f'<div class="flag">Corrects the entry {corrected}</div>')
        if entry.corrected:
            lines.append('<div class="flag">Corrected by a later entry</div>')
        css = ' class="corrected"' if entry.corrected else ""
        items.append(
            f'<li{css}><div class="when">{escape(entry.on_text)}</div><div class="what">{escape(entry.label)}</div>'
            f"{''.join(lines)}</li>"
        )
    return f'<section><h2>Provenance</h2><ol class="timeline">{"".join(items)}</ol></section>'


def render_page(view: PublicView, token: str) -> str:
    """The complete HTML of the public page (every value escaped; no price, cost or customer data)."""
    store_name = view.store.name if view.store else ""
    title = _title(view)
    badges = []
    if view.metal and view.metal.hallmarked and view.piece.huid:
        badges.append("BIS hallmarked")
    if view.certificates:
        labs = sorted({certificate.lab for certificate in view.certificates if certificate.lab != "other"})
        badges.append(f"{' · '.join(labs)} certified" if labs else "Lab certified")
    if any(entry.kind == "kimberley_process" and not entry.corrected for entry in view.events):
        badges.append("Kimberley Process")
    badge_html = "".join(f'<span class="badge">{escape(badge)}</span>' for badge in badges)
    address = view.store.address if view.store else ""
    body = "".join(
        (
            _photos(view, token, title),
            f"<h1>{escape(title)}</h1>",
            f'<p class="sku">SKU {escape(view.piece.sku)}</p>',
            f"<div>{badge_html}</div>" if badge_html else "",
            _piece_section(view),
            _stones_section(view),
            _certificates_section(view, token),
            _timeline_section(view, token),
        )
    )
    return (
        document_head(f"{title} · {view.piece.sku}", store_name)
        + f'<header><div class="store">{escape(store_name)}</div>'
        '<div class="sub">Certificate of authenticity</div></header>'
        f"<main>{body}</main>"
        f"<footer>Issued by {escape(store_name)}{', ' + escape(address) if address else ''}.<br>"
        "If the details here do not match your piece, please contact the store.</footer>"
        "</body></html>"
    )


def _render(session: Session, record: PageRecord) -> str:
    """The page of the piece :func:`~jewelerp.ui.public_page.live_record` found, when it is not cached."""
    return render_page(load_view(session, session.get_one(Piece, record.id)), record.token)


def _file_response(folder: Path, relative: str, download_name: str) -> Response:
    """Serve ``relative`` from ``folder`` when it is a file inside it; 404 otherwise."""
    if not relative:
        return not_found()
    root = folder.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return not_found()
    media_type = MEDIA_TYPES.get(target.suffix.lower(), "application/octet-stream")
    return FileResponse(
        target,
        media_type=media_type,
        filename=download_name + target.suffix.lower(),
        content_disposition_type="inline",
        headers=public_headers(ASSET_CACHE),
    )


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-") or "file"


def routes(upload_dir: Path | None = None) -> list[Route]:
    """The public routes (mounted beside the Reflex app through ``contributions['core.api_routes']``).

    ``upload_dir`` is where photos and report files are stored; by default the private files
    folder, looked up when a file is asked for.
    """

    def folder() -> Path:
        return upload_dir or files_root()

    async def page(request: Request) -> Response:
        return await serve_public_page(request, "c", Piece, "stock", _render, not_found)

    def qr(request: Request) -> Response:
        token = request.path_params["token"]
        with read_session() as session:
            piece = find_piece(session, token)
            if piece is None:
                return not_found()
            url = piece_url(session, piece)
        return Response(qr_png(url), media_type="image/png", headers=public_headers(ASSET_CACHE))

    def image(request: Request) -> Response:
        with read_session() as session:
            piece = find_piece(session, request.path_params["token"])
            images = _images(session, piece) if piece is not None else []
        index = request.path_params["n"]
        if piece is None or not 0 <= index < len(images):
            return not_found()
        return _file_response(folder(), images[index].path, f"{_safe_name(piece.sku)}-{index + 1}")

    def certificate_file(request: Request) -> Response:
        with read_session() as session:
            piece = find_piece(session, request.path_params["token"])
            certificate = session.get(Certificate, request.path_params["certificate_id"]) if piece else None
        if piece is None or certificate is None or certificate.piece_id != piece.id:
            return not_found()
        name = _safe_name(f"{certificate.lab}-{certificate.report_number}")
        return _file_response(folder(), certificate.file, name)

    def provenance_file(request: Request) -> Response:
        with read_session() as session:
            piece = find_piece(session, request.path_params["token"])
            event = session.get(ProvenanceEvent, request.path_params["event_id"]) if piece else None
        if piece is None or event is None or event.piece_id != piece.id or event.kind in PRIVATE_ON_PUBLIC:
            return not_found()
        return _file_response(folder(), event.file, _safe_name(f"{piece.sku}-{event.kind}-{event.id}"))

    endpoints: list[tuple[str, Callable[[Request], Response]]] = [
        ("/c/{token}", page),
        ("/c/{token}/qr.png", qr),
        ("/c/{token}/image/{n:int}", image),
        ("/c/{token}/file/{certificate_id:int}", certificate_file),
        ("/c/{token}/document/{event_id:int}", provenance_file),
    ]
    return [Route(path, endpoint, methods=["GET"]) for path, endpoint in endpoints]
