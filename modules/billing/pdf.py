"""Printable billing documents (PDF, reportlab): the invoice, the estimate and the payment receipt.

The invoice (A4 portrait, as many pages as its lines need, the column headings repeated) shows the
store (name, address, state, GSTIN), the customer (name, state as the place of supply, PAN: masked to
its last 4 characters unless the staff member printing may see customers' personal details), one row
per line with its HSN (7113, jewellery) or SAC (9988, services) and, under it, the pricing engine's
breakdown so every figure can be traced; old gold taken in exchange is a credit. Then the tax split
(CGST + SGST within the state, IGST across states), the round-off, the total, the old gold credit, the
payable in words (Indian numbering), the payments with their receipt numbers and the balance. Each
piece carries a QR code of its public certificate page (none while its public link is revoked).

The heading says what the paper is: "TAX INVOICE"; "DRAFT — not a tax invoice" (watermarked) before
issue; a cancelled invoice is watermarked and names its credit note; an estimate says "ESTIMATE" and
until when it is valid. The receipt (A5) names the store, the receipt number and date, the customer,
the invoice or booking it was paid against, the method, the reference and the amount in figures and
words.

The rupee sign: the PDF built-in fonts have no ₹, so DejaVu Sans (Debian's ``fonts-dejavu-core``) is
embedded when it is installed and amounts print as "₹1,24,500.00"; without it the documents use the
built-in Helvetica and print "Rs. 1,24,500.00", as stock's tags do.

Permissions: printing an invoice or estimate needs ``billing.invoice.create``, a receipt
``billing.payment.take``; both only in the actor's own store.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.errors import JewelError, NotFound
from jewelerp.money import format_inr
from modules.billing.invoice_tables import invoice_label
from modules.billing.invoices import lines_of, shown_pan
from modules.billing.models import Booking, CreditNote, Invoice, InvoiceLine, Payment
from modules.billing.payments import METHOD_LABELS, balance
from modules.billing.pricing import INTER_STATE_TAX, INTRA_STATE_TAX
from modules.billing.words import amount_in_words
from modules.stock.pieces import get_piece
from modules.stock.tags import piece_url, qr_png

PAY = "billing.payment.take"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
HSN_JEWELLERY = "7113"
SAC_SERVICES = "9988"
MARGIN = 14 * mm
QR_SIZE = 17 * mm
CELL_PADDING = 3
GRAY = colors.HexColor("#555555")
SHADE = colors.HexColor("#eeeeee")
RULE = colors.HexColor("#9a9a9a")
WATERMARK = colors.Color(0.82, 0.82, 0.82)
TAX_LABELS = {key: f"{label} {pct}%" for key, label, pct in INTRA_STATE_TAX + INTER_STATE_TAX}
ROW_LABELS = {"taxable": "Taxable value", **TAX_LABELS}
# The lines table: #, description, HSN/SAC, net weight, taxable, GST, amount, QR (mm, 182 = A4 within margins).
LINE_COLUMNS = (6, 47, 16, 17, 27, 23, 28, 18)
LINE_HEADINGS = ("#", "Description", "HSN/SAC", "Net wt", "Taxable", "GST", "Amount", "QR")
NUMBER_COLUMNS = range(3, 7)
# The engine prices each piece as if it were sold alone, down to its own round-off and total; the invoice
# rounds its total once, so those two rows are left out of a line's breakdown on paper (one round-off).
INVOICE_LEVEL_KEYS = ("round_off", "total")


# ---------------------------------------------------------------------------- fonts and styles


@dataclass(frozen=True)
class Fonts:
    """The regular and bold font names of a document and how it writes the rupee sign."""

    regular: str
    bold: str
    rupee: str


def document_fonts(folder: Path | None = None) -> Fonts:
    """DejaVu Sans (with ₹) from ``folder`` (default :data:`FONT_DIR`) when installed, else Helvetica ("Rs.")."""
    folder = FONT_DIR if folder is None else folder
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return Fonts("Helvetica", "Helvetica-Bold", "Rs. ")
    if "JewelSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("JewelSans", str(regular)))
        pdfmetrics.registerFont(TTFont("JewelSans-Bold", str(bold)))
    return Fonts("JewelSans", "JewelSans-Bold", "₹")


class _Look:
    """The fonts and paragraph styles of one document, and how text and money are written with them."""

    def __init__(self, fonts: Fonts) -> None:
        self.fonts = fonts
        body = ParagraphStyle("body", fontName=fonts.regular, fontSize=8.5, leading=10.5)
        small = ParagraphStyle("small", parent=body, fontSize=7, leading=8.6, textColor=GRAY)
        bold = ParagraphStyle("bold", parent=body, fontName=fonts.bold)
        self.styles = {
            "body": body,
            "bold": bold,
            "small": small,
            "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
            "small_right": ParagraphStyle("small_right", parent=small, alignment=TA_RIGHT),
            "store": ParagraphStyle("store", parent=bold, fontSize=15, leading=19),
            "title": ParagraphStyle("title", parent=bold, fontSize=13, leading=17, alignment=TA_RIGHT),
            "head": ParagraphStyle("head", parent=bold, fontSize=7.5, leading=9),
            "head_right": ParagraphStyle("head_right", parent=bold, fontSize=7.5, leading=9, alignment=TA_RIGHT),
            "heading": ParagraphStyle("heading", parent=bold, fontSize=10, leading=13, spaceBefore=8, spaceAfter=3),
            "banner": ParagraphStyle("banner", parent=bold, fontSize=10, leading=13, textColor=colors.darkred),
        }

    def text(self, raw: object) -> str:
        """``raw`` escaped for a paragraph, with the rupee sign the fonts can print."""
        return escape(str(raw)).replace("₹", self.fonts.rupee)

    def money(self, amount: Decimal | str) -> str:
        """₹1,24,500.00 (or Rs. 1,24,500.00)."""
        return format_inr(Decimal(str(amount)), paise=True).replace("₹", self.fonts.rupee)

    def p(self, raw: object, style: str = "body") -> Paragraph:
        """A paragraph of plain text (wrapped to its cell)."""
        return Paragraph(self.text(raw), self.styles[style])

    def fit(self, raw: str, width: float, style: str = "right") -> Paragraph:
        """``raw`` on one line within ``width`` points: the font shrinks (to 5 pt at least) rather than overflow."""
        base = self.styles[style]
        plain = str(raw).replace("₹", self.fonts.rupee)
        size = base.fontSize
        while size > 5 and stringWidth(plain, base.fontName, size) > width:
            size -= 0.25
        if size != base.fontSize:
            base = ParagraphStyle(f"{base.name}-{size}", parent=base, fontSize=size, leading=base.leading)
        return Paragraph(self.text(raw), base)

    def facts(self, rows: Sequence[tuple[str, str]], widths: tuple[float, float], style: str = "body") -> Table:
        """A two-column table of label: value pairs (empty values left out)."""
        data = [[self.p(label, "small"), self.p(value, style)] for label, value in rows if value]
        table = Table(data or [["", ""]], colWidths=widths, hAlign="LEFT")
        table.setStyle(_style(("VALIGN", (0, 0), (-1, -1), "TOP"), padding=1))
        return table


def _style(*commands: tuple, padding: float = 2) -> TableStyle:
    base = [(side, (0, 0), (-1, -1), padding) for side in ("TOPPADDING", "BOTTOMPADDING")]
    base += [(side, (0, 0), (-1, -1), CELL_PADDING) for side in ("LEFTPADDING", "RIGHTPADDING")]
    return TableStyle([*base, *commands])


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def _date(value: object) -> str:
    return f"{value:%d %b %Y}" if value else ""


# ---------------------------------------------------------------------------- page furniture


@dataclass(frozen=True)
class _Paper:
    """What every page of a document carries: its size, footer text and watermark."""

    size: tuple[float, float]
    title: str
    footer: str
    watermark: str = ""

    @property
    def width(self) -> float:
        """The width between the margins."""
        return self.size[0] - 2 * MARGIN


def _render(look: _Look, paper: _Paper, story: list[Flowable], author: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=paper.size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=paper.title,
        author=author,
        creator="JewelERP",
    )

    def decorate(canvas: Canvas, document: SimpleDocTemplate) -> None:
        width, height = paper.size
        canvas.saveState()
        if paper.watermark:
            canvas.setFillColor(WATERMARK)
            canvas.setFont(look.fonts.bold, 72 if paper.size == A4 else 48)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, 0, paper.watermark)
            canvas.rotate(-40)
            canvas.translate(-width / 2, -height / 2)
        canvas.setFillColor(GRAY)
        canvas.setFont(look.fonts.regular, 7)
        canvas.drawString(MARGIN, MARGIN - 2 * mm, paper.footer)
        canvas.drawRightString(width - MARGIN, MARGIN - 2 * mm, f"Page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _letterhead(look: _Look, store: Store, title: str, facts: list[tuple[str, str]], width: float) -> Table:
    """The store on the left; what the document is, its number and dates on the right."""
    left = [look.p(store.name, "store")]
    left += [look.p(text) for text in (store.address, store.state) if text]
    left.append(look.p(f"GSTIN: {store.gstin or 'not registered'}", "bold"))
    right = [look.p(title, "title"), Spacer(1, 2), look.facts(facts, (width * 0.17, width * 0.37))]
    table = Table([[left, right]], colWidths=(width * 0.45, width * 0.55))
    table.setStyle(_style(("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black)))
    return table


# ---------------------------------------------------------------------------- the invoice


@dataclass(frozen=True)
class _Heading:
    title: str
    watermark: str
    banner: str


def _heading(session: Session, invoice: Invoice) -> _Heading:
    """The title, watermark and any banner that say what this paper is (and is not)."""
    watermark = {"draft": "DRAFT", "cancelled": "CANCELLED"}.get(invoice.status, "")
    if invoice.kind == "estimate":
        banner = "An estimate is not a tax invoice."
        if invoice.valid_until:
            banner = f"Valid until {_date(invoice.valid_until)}. {banner}"
        converted = session.get(Invoice, invoice.converted_to_id) if invoice.converted_to_id else None
        if converted is not None:
            banner = f"Converted to invoice {invoice_label(converted)}. {banner}"
        return _Heading("ESTIMATE", watermark, banner)
    if invoice.status == "draft":
        return _Heading("DRAFT — not a tax invoice", watermark, "")
    if invoice.status == "cancelled":
        note = session.scalars(select(CreditNote).where(CreditNote.invoice_id == invoice.id)).first()
        banner = "CANCELLED"
        if note is not None:
            banner += f" by credit note {note.number} on {_date(note.created_at)}: {note.reason}"
        return _Heading("TAX INVOICE", watermark, banner)
    return _Heading("TAX INVOICE", watermark, "")


def _invoice_facts(actor: Actor, invoice: Invoice) -> list[tuple[str, str]]:
    facts = [
        ("Estimate no." if invoice.kind == "estimate" else "Invoice no.", invoice_label(invoice)),
        ("Date", _date(invoice.invoice_date)),
        ("Issued", actor.local(invoice.issued_at).strftime("%d %b %Y %H:%M") if invoice.issued_at else ""),
        ("Valid until", _date(invoice.valid_until) if invoice.kind == "estimate" else ""),
    ]
    if invoice.priced_on and invoice.priced_on != invoice.invoice_date:
        facts.append(("Priced at", f"the rates of {_date(invoice.priced_on)}"))
    return facts


def _customer(actor: Actor, look: _Look, invoice: Invoice, store: Store, width: float) -> Table:
    rows = [
        ("Bill to", invoice.customer_name or "Walk-in customer"),
        ("Customer no.", str(invoice.customer_id or "")),
        ("PAN", shown_pan(actor, invoice.customer_pan)),
        ("Place of supply", invoice.customer_state or store.state),
    ]
    return look.facts(rows, (width * 0.16, width * 0.6), "bold")


def _hsn(line: InvoiceLine) -> str:
    return {"piece": HSN_JEWELLERY, "service": SAC_SERVICES}.get(line.kind, "")


def _qr(session: Session, actor: Actor, look: _Look, line: InvoiceLine) -> Flowable | str:
    """The QR of the piece's public certificate page (read through stock's services)."""
    if line.kind != "piece" or not line.piece_id:
        return ""
    piece = get_piece(session, actor, line.piece_id)
    if piece.token_revoked_at is not None:
        return look.p("Link revoked", "small")
    return Image(io.BytesIO(qr_png(piece_url(session, piece), box_size=4)), QR_SIZE, QR_SIZE)


def _main_row(session: Session, actor: Actor, look: _Look, line: InvoiceLine, room: list[float]) -> list:
    """The line's own row after its number; ``room`` is the width inside each column of the table."""
    title = [look.p(line.description, "bold")]
    if line.kind == "old_gold":
        title.append(look.p("A credit: no GST, deducted after tax", "small"))
        figures = ["", "", look.fit(look.money(-line.amount), room[6])]
    else:
        gst = line.cgst + line.sgst + line.igst
        figures = [look.fit(look.money(x), room[i]) for i, x in ((4, line.taxable), (5, gst), (6, line.amount))]
    weight = f"{line.net_weight:,.3f} g" if line.net_weight else ""
    return [title, _hsn(line), weight, *figures, _qr(session, actor, look, line)]


def _detail_rows(look: _Look, line: InvoiceLine, room: float) -> list[list]:
    """The pricing engine's breakdown of a line: label, basis, amount."""
    rows = []
    for item in json.loads(line.breakdown or "[]"):
        key = str(item.get("key", ""))
        if key in INVOICE_LEVEL_KEYS:
            continue
        label = str(item.get("label") or ROW_LABELS.get(key, key.replace("_", " ").capitalize()))
        amount = look.fit(look.money(item.get("amount", "0")), room, "small_right")
        rows.append(["", look.p(label, "small"), look.p(item.get("basis", ""), "small"), "", "", "", amount, ""])
    return rows


def _lines_table(session: Session, actor: Actor, look: _Look, lines: list[InvoiceLine], width: float) -> Table:
    widths = [w * width / sum(LINE_COLUMNS) for w in LINE_COLUMNS]
    room = [w - 2 * CELL_PADDING for w in widths]
    data: list[list] = [
        [look.p(h, "head_right" if i in NUMBER_COLUMNS else "head") for i, h in enumerate(LINE_HEADINGS)]
    ]
    commands: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (3, 0), (6, -1), "RIGHT"),
        ("FONT", (0, 1), (-1, -1), look.fonts.regular, 8),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
    ]
    for number, line in enumerate(lines, start=1):
        if number > 1:
            commands.append(("LINEABOVE", (0, len(data)), (-1, len(data)), 0.4, RULE))
        data.append([str(number), *_main_row(session, actor, look, line, room)])
        for row in _detail_rows(look, line, room[6]):
            commands.append(("SPAN", (2, len(data)), (5, len(data))))
            data.append(row)
    if len(data) == 1:
        data.append(["", look.p("No lines.", "small"), "", "", "", "", "", ""])
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(_style(*commands))
    return table


def _totals(look: _Look, invoice: Invoice, width: float) -> Table:
    taxes = INTER_STATE_TAX if invoice.igst else INTRA_STATE_TAX
    rows = [("Taxable value", invoice.taxable)]
    rows += [(TAX_LABELS[key], getattr(invoice, key)) for key, _label, _pct in taxes]
    rows += [("Round-off", invoice.round_off), ("Total", invoice.total)]
    if invoice.old_gold_credit:
        rows.append(("Less old gold credit", -invoice.old_gold_credit))
    rows.append(("Payable", invoice.payable))
    data = [
        [look.p(label, "bold" if label in ("Total", "Payable") else "body"), look.money(amount)]
        for label, amount in rows
    ]
    table = Table(data, colWidths=(width * 0.28, width * 0.2), hAlign="RIGHT")
    last = len(data) - 1
    table.setStyle(
        _style(
            ("ALIGN", (1, 0), (1, -1), "RIGHT"),
            ("FONT", (1, 0), (1, -1), look.fonts.regular, 8.5),
            ("FONT", (1, last), (1, last), look.fonts.bold, 10),
            ("LINEABOVE", (0, last), (-1, last), 0.8, colors.black),
            ("BACKGROUND", (0, last), (-1, last), SHADE),
        )
    )
    return table


def _payment_row(look: _Look, payment: Payment) -> list:
    refund = payment.kind == "refund"
    method = METHOD_LABELS.get(payment.method, payment.method) + (" (refund)" if refund else "")
    return [
        _date(payment.on),
        look.p(payment.receipt_number or "—"),
        look.p(method),
        look.p(payment.reference),
        look.money(-payment.amount if refund else payment.amount),
    ]


def _payments(session: Session, look: _Look, invoice: Invoice, width: float) -> list[Flowable]:
    """The payments against the invoice, what was paid and the balance due."""
    payments = session.scalars(
        select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.on, Payment.id)
    ).all()
    if not payments and invoice.status != "issued":
        return []
    story: list[Flowable] = [look.p("Payments", "heading")]
    if payments:
        heads = [look.p(h, "head") for h in ("Date", "Receipt", "Method", "Reference")]
        heads.append(look.p("Amount", "head_right"))
        table = Table(
            [heads, *(_payment_row(look, p) for p in payments)],
            colWidths=[width * share for share in (0.13, 0.3, 0.17, 0.22, 0.18)],
            repeatRows=1,
        )
        table.setStyle(
            _style(
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("FONT", (0, 1), (-1, -1), look.fonts.regular, 8),
                ("ALIGN", (4, 0), (4, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            )
        )
        story.append(table)
    else:
        story.append(look.p("No payments yet.", "small"))
    summary = [("Paid", look.money(invoice.paid))]
    if invoice.status == "issued":
        summary.append(("Balance due", look.money(balance(invoice))))
    story += [Spacer(1, 3), look.facts(summary, (width * 0.16, width * 0.3), "bold")]
    return story


def _closing(look: _Look, invoice: Invoice, store: Store, lines: list[InvoiceLine], width: float) -> Flowable:
    """The notes and the signature block, kept on one page."""
    story: list[Flowable] = [Spacer(1, 8)]
    if any(line.kind == "piece" for line in lines):
        story.append(look.p("Scan a piece's QR code to see its certificate and provenance.", "small"))
    signature = Table(
        [
            [look.p(f"Prepared by {invoice.created_by}", "small"), look.p(f"For {store.name}", "right")],
            ["", look.p("Authorised signatory", "small_right")],
        ],
        colWidths=(width * 0.5, width * 0.5),
    )
    signature.setStyle(_style(("TOPPADDING", (0, 1), (-1, 1), 22)))
    return KeepTogether([*story, Spacer(1, 10), signature])


def invoice_pdf(session: Session, actor: Actor, invoice_id: int) -> bytes:
    """The invoice (or estimate) of the actor's store as an A4 PDF; see the module docstring for what it shows."""
    lines = lines_of(session, actor, invoice_id)  # checks the permission and the store
    invoice = session.get(Invoice, invoice_id)
    store = session.get(Store, invoice.store_id)
    look = _Look(document_fonts())
    heading = _heading(session, invoice)
    label = invoice_label(invoice)
    paper = _Paper(A4, f"{heading.title} {label}", f"{store.name} · {heading.title} {label}", heading.watermark)
    width = paper.width
    story: list[Flowable] = [_letterhead(look, store, heading.title, _invoice_facts(actor, invoice), width)]
    if heading.banner:
        story += [Spacer(1, 4), look.p(heading.banner, "banner")]
    story += [
        Spacer(1, 6),
        _customer(actor, look, invoice, store, width),
        Spacer(1, 6),
        _lines_table(session, actor, look, lines, width),
        Spacer(1, 4),
        _totals(look, invoice, width),
        Spacer(1, 4),
        look.p(f"Amount payable in words: {amount_in_words(invoice.payable)}", "bold"),
    ]
    if invoice.kind == "invoice":
        story += _payments(session, look, invoice, width)
    story.append(_closing(look, invoice, store, lines, width))
    return _render(look, paper, story, store.name)


def invoice_file_name(invoice: Invoice) -> str:
    """``invoice-MUM-2026-27-000001.pdf``, ``estimate-MUM-2026-27-EST-000001.pdf``."""
    kind = "estimate" if invoice.kind == "estimate" else "invoice"
    return f"{kind}-{_slug(invoice_label(invoice))}.pdf"


# ---------------------------------------------------------------------------- the receipt


def _payment(session: Session, actor: Actor, payment_id: int) -> Payment:
    actor.require(PAY)
    payment = session.get(Payment, payment_id)
    if payment is None or payment.store_id != actor.store_id:
        raise NotFound("That receipt does not exist in this store.")
    if payment.kind == "applied":
        raise JewelError("An advance applied to an invoice has no receipt of its own: its receipt is the booking's.")
    return payment


def receipt_pdf(session: Session, actor: Actor, payment_id: int) -> bytes:
    """The receipt (or refund voucher) of a payment in the actor's store, as an A5 PDF."""
    payment = _payment(session, actor, payment_id)
    store = session.get(Store, payment.store_id)
    invoice = session.get(Invoice, payment.invoice_id) if payment.invoice_id else None
    booking = session.get(Booking, payment.booking_id) if payment.booking_id else None
    refund = payment.kind == "refund"
    title = "REFUND VOUCHER" if refund else "PAYMENT RECEIPT"
    look = _Look(document_fonts())
    number = payment.receipt_number or f"#{payment.id}"
    paper = _Paper(A5, f"{title} {number}", f"{store.name} · {title} {number}")
    width = paper.width
    party = invoice or booking
    rows = [
        ("Paid to" if refund else "Received from", (party.customer_name if party else "") or "Walk-in customer"),
        ("Against invoice", invoice_label(invoice) if invoice else ""),
        ("Against booking", booking.number if booking else ""),
        ("Method", METHOD_LABELS.get(payment.method, payment.method)),
        ("Reference", payment.reference),
        ("Amount", look.money(payment.amount)),
        ("Received by" if not refund else "Paid by", payment.received_by),
    ]
    facts = [("Receipt no.", number), ("Date", _date(payment.on))]
    story: list[Flowable] = [
        _letterhead(look, store, title, facts, width),
        Spacer(1, 8),
        look.facts(rows, (width * 0.28, width * 0.7), "bold"),
        Spacer(1, 6),
        look.p(f"Amount in words: {amount_in_words(payment.amount)}", "bold"),
        Spacer(1, 26),
        look.p(f"For {store.name}", "right"),
        look.p("Authorised signatory", "small_right"),
    ]
    return _render(look, paper, story, store.name)


def receipt_file_name(payment: Payment) -> str:
    """``receipt-MUM-2026-27-RCT-000001.pdf``."""
    return f"receipt-{_slug(payment.receipt_number or str(payment.id))}.pdf"
