"""QR tags: public links of pieces, QR images and printable label sheets.

Every piece has a random public token (``secrets.token_urlsafe(16)``: 128 bits). Its QR
code encodes ``<stock.public_base_url>/c/<token>``, the public certificate page. A token
can be revoked (the page then answers "not found") and reissued (a new token, so tags
printed with the old one stop working).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable, Sequence
from typing import Protocol

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError
from jewelerp.pdf_fonts import document_fonts
from jewelerp.qr import qr_code
from jewelerp.registry import get_registry
from modules.stock.certificates import piece_here
from modules.stock.models import Metal, Piece

# The label sheet: A4 with 65 sticker labels of 38.1 x 21.2 mm, 5 across and 13 down
# (the common "65-up" layout of Avery L7651/J8651 and compatible jewellery tag sheets).
LABEL_WIDTH = 38.1 * mm
LABEL_HEIGHT = 21.2 * mm
COLUMNS = 5
ROWS = 13
LEFT_MARGIN = 4.7 * mm
TOP_MARGIN = 10.7 * mm
COLUMN_PITCH = 40.6 * mm
ROW_PITCH = 21.2 * mm
LABELS_PER_SHEET = COLUMNS * ROWS
LABEL_PADDING = 1.0 * mm
QR_QUIET_MODULES = 2  # white modules around the code inside its square (the label edge adds more)
MAX_LABELS = 20 * LABELS_PER_SHEET


def public_url(session: Session, store_id: int, token: str) -> str:
    """The address a piece's QR encodes: ``<stock.public_base_url of the store>/c/<token>``."""
    base = str(get_setting(session, store_id, "stock.public_base_url")).strip().rstrip("/")
    return f"{base}/c/{token}"


def piece_url(session: Session, piece: Piece) -> str:
    """The public address of ``piece`` (its current branch's base URL)."""
    return public_url(session, piece.store_id, piece.public_token)


def revoke_token(session: Session, actor: Actor, piece_id: int) -> Piece:
    """Stop the piece's public link from working (its page answers "not found"); already revoked is fine."""
    actor.require("stock.tag.manage")
    piece = piece_here(session, actor, piece_id)
    if piece.token_revoked_at is None:
        piece.token_revoked_at = utcnow()
        session.add(piece)
        session.flush()
    return piece


def reissue_token(session: Session, actor: Actor, piece_id: int) -> Piece:
    """Give the piece a new random token (128 bits); the old link stops working and a new tag is needed."""
    actor.require("stock.tag.manage")
    piece = piece_here(session, actor, piece_id)
    piece.public_token = secrets.token_urlsafe(16)
    piece.token_revoked_at = None
    session.add(piece)
    session.flush()
    return piece


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw ``url`` as vector squares in the ``size`` square whose lower-left corner is (x, y)."""
    matrix = qr_code(url, border=QR_QUIET_MODULES).get_matrix()
    module = size / len(matrix)
    canvas.setFillGray(0)
    for row, cells in enumerate(matrix):
        top = y + size - (row + 1) * module
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            start = column
            while column < len(cells) and cells[column]:
                column += 1
            canvas.rect(x + start * module, top, (column - start) * module, module, stroke=0, fill=1)


def _fit(text: str, font: str, size: float, width: float, smallest: float = 4.5) -> tuple[str, float]:
    """Shrink the font until ``text`` fits ``width``, then cut it with an ellipsis."""
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.25
    while len(text) > 1 and stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text, size


def purity_text(metal: Metal) -> str:
    """'Gold 22K 916', 'Silver 925', 'Platinum 950'."""
    name = metal.metal.strip().title()
    fineness = str(metal.fineness)
    purity = metal.purity.strip()
    return f"{name} {purity}" if fineness in purity else f"{name} {purity} {fineness}".replace("  ", " ")


def _label_lines(piece: Piece, metal: Metal | None, price: str | None) -> list[tuple[str, str, float]]:
    fonts = document_fonts()
    lines = [
        (piece.sku, fonts.bold, 7.0),
        (purity_text(metal) if metal else "", fonts.regular, 6.0),
        (f"Net {piece.net_weight} g", fonts.regular, 6.0),
    ]
    if price:
        lines.append((price, fonts.bold, 6.0))
    return lines


def _draw_label(canvas: Canvas, url: str, lines: list[tuple[str, str, float]], x: float, y: float) -> None:
    qr_size = LABEL_HEIGHT - 2 * LABEL_PADDING
    _draw_qr(canvas, url, x + LABEL_PADDING, y + LABEL_PADDING, qr_size)
    text_x = x + LABEL_PADDING + qr_size + 0.6 * mm
    text_width = x + LABEL_WIDTH - LABEL_PADDING - text_x
    line_height = 2.6 * mm
    baseline = y + LABEL_HEIGHT / 2 + (len(lines) - 1) * line_height / 2 - 1.0 * mm
    for text, font, size in lines:
        fitted, fitted_size = _fit(text, font, size, text_width)
        canvas.setFont(font, fitted_size)
        canvas.drawString(text_x, baseline, fitted)
        baseline -= line_height


TAG_PRICE = "stock.tag_price"


class TagPrice(Protocol):
    """A ``"stock.tag_price"`` contribution: the price printed on the piece's tag ("₹1,24,500"), or None."""

    def __call__(self, session: Session, actor: Actor, piece_id: int) -> str | None: ...


def contributed_pricer(session: Session, actor: Actor) -> Callable[[Piece], str] | None:
    """Tag prices from the modules enabled here that contribute ``stock.tag_price`` (billing).

    The first that can price a piece wins; one answering None leaves it to the next.
    """
    pricers: list[TagPrice] = get_registry().contributions(TAG_PRICE, actor)
    if not pricers:
        return None
    return lambda piece: next((p for p in (f(session, actor, piece.id) for f in pricers) if p), "")


def label_sheet_pdf(
    session: Session,
    actor: Actor,
    piece_ids: Sequence[int],
    price_for: Callable[[Piece], str] | None = None,
    skip: int = 0,
) -> bytes:
    """A4 PDF of tag labels for pieces at the actor's branch, one label per piece, in the given order.

    The sheet is the 65-up sticker sheet: 5 x 13 labels of 38.1 x 21.2 mm (Avery
    L7651/J8651 layout: 4.7 mm side and 10.7 mm top margins, 40.6 mm across, 21.2 mm
    down), the size used for jewellery tag stickers and for the flag of two-part
    "rat-tail" barbell tags. Each label has the QR of the piece's public page on the
    left and, on the right, the SKU, metal and purity, the net weight and, when the
    store's ``stock.label_show_price`` setting is on and ``price_for`` is given, a
    price line.

    ``price_for(piece) -> str`` prices a piece at today's rate (e.g. "₹1,24,500"); the
    stock module keeps no selling prices, so a caller that can price (billing) passes
    it, or an enabled module contributes ``"stock.tag_price"`` (see :func:`contributed_pricer`).
    With no pricer at all no price line is printed even when the setting is on.
    The rupee sign prints as "Rs." (the PDF's built-in fonts have no ₹).
    ``skip`` leaves that many labels of the first sheet blank (a sheet already partly
    used). Pieces whose public link is revoked are refused: reissue the link first.
    """
    actor.require("stock.tag.manage")
    ids = list(dict.fromkeys(int(piece_id) for piece_id in piece_ids))
    if not ids:
        raise ValidationError({"piece_ids": "Choose the pieces to print tags for."})
    if len(ids) + skip > MAX_LABELS:
        raise ValidationError({"piece_ids": f"Print at most {MAX_LABELS:,} tags at a time."})
    if not 0 <= skip < LABELS_PER_SHEET:
        raise ValidationError({"skip": f"Skip between 0 and {LABELS_PER_SHEET - 1} labels."})
    found = {piece.id: piece for piece in session.scalars(select(Piece).where(Piece.id.in_(ids)))}  # type: ignore[union-attr]
    missing = [piece_id for piece_id in ids if piece_id not in found]
    if missing:
        raise NotFound("Some of those pieces do not exist.")
    pieces = [found[piece_id] for piece_id in ids]
    elsewhere = [piece.sku for piece in pieces if piece.store_id != actor.store_id]
    if elsewhere:
        raise JewelError(f"Not at this branch: {', '.join(elsewhere[:10])}.")
    revoked = [piece.sku for piece in pieces if piece.token_revoked_at is not None]
    if revoked:
        raise JewelError(f"The public link is revoked for {', '.join(revoked[:10])}; reissue it before printing.")
    price_for = price_for or contributed_pricer(session, actor)
    show_price = bool(get_setting(session, actor.store_id, "stock.label_show_price")) and price_for is not None
    metals = {metal.id: metal for metal in session.scalars(select(Metal))}
    bases = {store_id: public_url(session, store_id, "") for store_id in {piece.store_id for piece in pieces}}
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("Jewellery tags")
    canvas.setCreator("JewelERP")
    _page_width, page_height = A4
    for index, piece in enumerate(pieces, start=skip):
        slot = index % LABELS_PER_SHEET
        if slot == 0 and index > skip:
            canvas.showPage()
        row, column = divmod(slot, COLUMNS)
        x = LEFT_MARGIN + column * COLUMN_PITCH
        y = page_height - TOP_MARGIN - (row + 1) * ROW_PITCH
        price = price_for(piece) if show_price and price_for is not None else None
        lines = _label_lines(piece, metals.get(piece.metal_id), price)
        _draw_label(canvas, bases[piece.store_id] + piece.public_token, lines, x, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
