"""Printable billing documents (PDF, reportlab): the tax invoice, the estimate and the payment receipt.

**The tax invoice** (A4 portrait, as many pages as its lines need, the column headings repeated) carries every
particular of the CGST Rules 2017, Rule 46:

- (a) the supplier: the store's name, address, state with its code, and GSTIN (:func:`_letterhead`);
- (b), (c) the invoice number (16 characters at most, :mod:`modules.billing.numbering`) and date;
- (d), (e), (f) the recipient: name, address, state with its code, and GSTIN when registered (B2B)
  (:func:`_parties`); the PAN (Income-tax Rule 114B) masked to its last 4 characters unless the staff member
  may see personal details;
- (g), (h), (i) per line: the HSN (goods) or SAC (services) kept on the line with its tax class, the
  description with the metal, purity and BIS HUID of a piece, the quantity with its unit (UQC "PCS") and the
  net weight;
- (j), (k) the line's taxable value after any discount (the pricing engine's breakdown under the line, so
  every figure can be traced) and the invoice total;
- (l), (m) the rate and amount of each tax on each line, in their own columns: CGST and SGST (half the line's
  rate each) within the state, IGST (the whole rate) across states; the totals by tax and rate;
- (n) the place of supply with its state's name and code (:mod:`modules.billing.supply` decides it);
- (o) the delivery address with its state when the goods go elsewhere;
- (p) "Reverse charge: No": no jewellery and no jeweller's service is notified under CGST Act s.9(3)
  (Notifications 4/2017 and 13/2017-Central Tax (Rate)), so the store always pays the tax itself;
- (q) the signature line: "For <store>" over "Authorised signatory".

Then the round-off, the invoice total and, when old gold was taken in, the credit, the settlement round-off and
the payable; the total (and payable) in words (Indian numbering); the payments with their receipt numbers and
the balance. Each piece carries a QR code of its public certificate page (none while its link is revoked).
Invoices issued before these particulars were kept print what they have: lines without an HSN/SAC print 7113
(a piece) or 9988 (a service), without a rate the 3% every line was charged then, and as the place of supply
the customer's typed state when it was charged IGST, else the store's state.

The heading says what the paper is: "TAX INVOICE"; "DRAFT — not a tax invoice" (watermarked) before
issue; a cancelled invoice is watermarked and names its credit note; an estimate says "ESTIMATE" and
until when it is valid.

**The receipt** (A5) names the store, the receipt number and date, the customer, the invoice or booking it was
paid against, the method, the reference and the amount in figures and words. An advance against a booking is
a receipt voucher (Rule 50): it also names the goods booked, the customer's state and says the GST on the
advance is nil. Since Notification 66/2017-Central Tax (15 November 2017) a supplier of goods pays GST on
them when the invoice is issued, not on advances (CGST Act s.12(2)(a)); billing takes advances only for
goods (a repair is invoiced before it is paid, :mod:`modules.repairs_billing.money`). A refund is a refund
voucher (Rule 51).

Credit notes (Rule 53) have no paper of their own: the cancelled invoice prints with its credit note's number,
date and reason.

The rupee sign: the PDF built-in fonts have no ₹, so the documents embed DejaVu Sans
(:mod:`jewelerp.pdf_fonts`) and amounts print as "₹1,24,500.00".

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
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.errors import JewelError, NotFound
from jewelerp.gst import STATES, state_code_of, state_name
from jewelerp.money import format_inr
from jewelerp.pdf_fonts import Fonts, document_fonts
from jewelerp.qr import qr_png
from modules.billing.invoice_tables import invoice_label
from modules.billing.invoices import lines_of, shown_pan
from modules.billing.models import Booking, CreditNote, Invoice, InvoiceLine, Payment
from modules.billing.payments import METHOD_LABELS, balance
from modules.billing.pricing import JEWELLERY_GST, _pct
from modules.billing.supply import is_inter_state, place_of_supply
from modules.billing.words import amount_in_words
from modules.stock.api import get_metal, get_piece, metal_label, piece_url

PAY = "billing.payment.take"
# Lines issued before tax classes kept no HSN/SAC or rate: a piece was printed 7113, a service 9988, all at 3%.
LEGACY_CODES = {"piece": "7113", "service": "9988"}
PIECE_UNIT = "PCS"  # the GST Unique Quantity Code of pieces
REVERSE_CHARGE = "No"  # no jewellery or jeweller's service is notified under CGST Act s.9(3)
ADVANCE_TAX = (
    "Nil: GST on goods is paid when the invoice is issued, not on advances "
    "(Notification 66/2017-Central Tax, 15 November 2017)."
)
MARGIN = 14 * mm
QR_SIZE = 17 * mm
CELL_PADDING = 3
GRAY = colors.HexColor("#555555")
SHADE = colors.HexColor("#eeeeee")
RULE = colors.HexColor("#9a9a9a")
WATERMARK = colors.Color(0.82, 0.82, 0.82)
TAX_NAMES = {"cgst": "CGST", "sgst": "SGST", "igst": "IGST"}
# The lines table (relative widths): within the state one column each for CGST and SGST, across states one for
# IGST; the description takes what is left.
HEAD_COLUMNS = (("#", 5), ("Description", 0), ("HSN/SAC", 16), ("Qty", 11), ("Net wt", 15), ("Taxable value", 22))
TAIL_COLUMNS = (("Amount", 22), ("QR", 17))
INTRA_TAX_COLUMNS = (("cgst", 18), ("sgst", 18))
INTER_TAX_COLUMNS = (("igst", 22),)
TABLE_UNITS = 190
FIRST_NUMBER_COLUMN = 3  # Qty and every column after it up to Amount are right-aligned
# Rows of a line's breakdown the columns already show (taxable value, taxes) or that belong to the whole
# invoice (the engine prices each piece as if sold alone, down to its own round-off and total).
SHOWN_IN_COLUMNS = ("taxable", "cgst", "sgst", "igst", "round_off", "total")


# ---------------------------------------------------------------------------- fonts and styles


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
        """``raw`` escaped for a paragraph."""
        return escape(str(raw))

    def money(self, amount: Decimal | str) -> str:
        """₹1,24,500.00."""
        return format_inr(Decimal(str(amount)), paise=True)

    def p(self, raw: object, style: str = "body") -> Paragraph:
        """A paragraph of plain text (wrapped to its cell)."""
        return Paragraph(self.text(raw), self.styles[style])

    def fit(self, raw: str, width: float, style: str = "right") -> Paragraph:
        """``raw`` on one line within ``width`` points: the font shrinks (to 5 pt at least) rather than overflow."""
        base = self.styles[style]
        size = base.fontSize
        while size > 5 and stringWidth(str(raw), base.fontName, size) > width:
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


def _state_text(code: str, typed: str = "") -> str:
    """ "Karnataka (state code 29)"; a state typed before states were chosen from the list, as typed."""
    return f"{state_name(code)} (state code {code})" if code in STATES else " ".join(typed.split())


def _letterhead(look: _Look, store: Store, title: str, facts: list[tuple[str, str]], width: float) -> Table:
    """The store (Rule 46(a): name, address, state and code, GSTIN) on the left; the document on the right."""
    left = [look.p(store.name, "store")]
    left += [look.p(text) for text in (store.address, _state_text(store.state_code, store.state)) if text]
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


@dataclass(frozen=True)
class _Supply:
    """Where the invoice is supplied (Rule 46(n)) and whether that is across states (IGST)."""

    place: str
    inter_state: bool


def _supply(invoice: Invoice, store: Store) -> _Supply:
    """The place fixed on the invoice; a draft's or estimate's as it would be issued; for an invoice issued before
    places of supply were kept, the customer's typed state when it was charged IGST, else the store's state."""
    code = invoice.place_of_supply
    if not code and invoice.issued_at is None:
        code = place_of_supply(store.state_code, invoice)
    if not code:
        code = state_code_of(invoice.customer_state) if invoice.igst else store.state_code
    place = _state_text(code, invoice.customer_state)
    return _Supply(place, bool(invoice.igst) or is_inter_state(store.state_code, code))


def _parties(actor: Actor, look: _Look, invoice: Invoice, store: Store, supply: _Supply, width: float) -> Table:
    """The recipient (Rule 46(d)-(f)) on the left; place of supply, reverse charge and delivery on the right.

    A sale delivered over the counter says so, with the store's address: that delivery location is what
    fixes its place of supply in the store's state (IGST Act s.10(1)(a), CBIC Circular 209/3/2024-GST).
    """
    recipient = [
        ("Bill to", invoice.customer_name or "Walk-in customer"),
        ("Address", invoice.customer_address),
        ("State", _state_text(invoice.customer_state_code, invoice.customer_state)),
        ("GSTIN", invoice.customer_gstin),
        ("PAN", shown_pan(actor, invoice.customer_pan)),
        ("Customer no.", str(invoice.customer_id or "")),
    ]
    supplied = [("Place of supply", supply.place), ("Reverse charge", REVERSE_CHARGE)]
    if invoice.ship_to_address:
        supplied += [
            ("Deliver to", invoice.ship_to_address),
            ("Delivery state", _state_text(invoice.ship_to_state_code)),
        ]
    elif not invoice.customer_gstin:
        supplied.append(("Delivered at", f"The counter: {store.address}"))
    half = width / 2
    table = Table(
        [[look.facts(recipient, (half * 0.28, half * 0.7), "bold"), look.facts(supplied, (half * 0.3, half * 0.68))]],
        colWidths=(half, half),
    )
    table.setStyle(_style(("VALIGN", (0, 0), (-1, -1), "TOP"), padding=0))
    return table


def _line_rate(line: InvoiceLine) -> Decimal:
    """The line's total GST %: as kept on the line, or the 3% every taxed line was charged before tax classes."""
    if line.tax_rate or not (line.cgst or line.sgst or line.igst):
        return line.tax_rate
    return JEWELLERY_GST


def _line_taxes(line: InvoiceLine, inter_state: bool) -> list[tuple[str, Decimal, Decimal]]:
    """(tax, rate %, amount) of a sale line: CGST and SGST at half its rate each, or IGST at the whole rate."""
    rate = _line_rate(line)
    if inter_state:
        return [("igst", rate, line.igst)]
    return [("cgst", rate / 2, line.cgst), ("sgst", rate / 2, line.sgst)]


@dataclass(frozen=True)
class _Columns:
    """The lines table's headings and relative widths, with where its tax and amount columns are."""

    headings: tuple[str, ...]
    units: tuple[float, ...]
    taxes: tuple[str, ...]

    @property
    def amount(self) -> int:
        """The index of the Amount column."""
        return len(self.headings) - 2


def _columns(inter_state: bool) -> _Columns:
    taxes = INTER_TAX_COLUMNS if inter_state else INTRA_TAX_COLUMNS
    named = [*HEAD_COLUMNS, *((TAX_NAMES[key], units) for key, units in taxes), *TAIL_COLUMNS]
    spare = TABLE_UNITS - sum(units for _name, units in named)
    return _Columns(
        tuple(name for name, _units in named),
        tuple(units or spare for _name, units in named),
        tuple(key for key, _units in taxes),
    )


def _piece_of(session: Session, actor: Actor, line: InvoiceLine) -> Any:
    """The stock piece of a piece line, or None (read through stock's services, never its models)."""
    return get_piece(session, actor, line.piece_id) if line.kind == "piece" and line.piece_id else None


def _qr(session: Session, look: _Look, piece: Any) -> Flowable | str:
    """The QR of the piece's public certificate page."""
    if piece is None:
        return ""
    if piece.token_revoked_at is not None:
        return look.p("Link revoked", "small")
    return Image(io.BytesIO(qr_png(piece_url(session, piece), box_size=4)), QR_SIZE, QR_SIZE)


def _description(session: Session, look: _Look, line: InvoiceLine, piece: Any) -> list[Flowable]:
    """The line's description; a piece's metal and purity and its HUID under it (Rule 46(h))."""
    title = [look.p(line.description, "bold")]
    if line.kind == "old_gold":
        title.append(look.p("A credit: no GST, deducted after tax", "small"))
    elif piece is not None:
        metal = get_metal(session, piece.metal_id)
        facts = [metal_label(metal) if metal else "", f"HUID {piece.huid}" if piece.huid else ""]
        title.append(look.p(" · ".join(fact for fact in facts if fact), "small"))
    return title


def _main_row(
    session: Session, actor: Actor, look: _Look, line: InvoiceLine, columns: _Columns, room: list[float]
) -> list:
    """The line's own row after its number; ``room`` is the width inside each column of the table."""
    weight = f"{line.net_weight:,.3f} g" if line.net_weight else ""
    amount = look.fit(look.money(-line.amount if line.kind == "old_gold" else line.amount), room[columns.amount])
    if line.kind == "old_gold":
        return [_description(session, look, line, None), "", "", weight, "", *("" for _ in columns.taxes), amount, ""]
    piece = _piece_of(session, actor, line)
    taxes = [
        [look.p(_pct(rate), "small_right"), look.fit(look.money(tax), room[index])]
        for index, (_key, rate, tax) in enumerate(_line_taxes(line, len(columns.taxes) == 1), start=6)
    ]
    return [
        _description(session, look, line, piece),
        line.hsn_sac or LEGACY_CODES.get(line.kind, ""),
        f"1 {PIECE_UNIT}" if piece is not None else "",
        weight,
        look.fit(look.money(line.taxable), room[5]),
        *taxes,
        amount,
        _qr(session, look, piece),
    ]


def _detail_rows(look: _Look, line: InvoiceLine, columns: _Columns, room: float) -> list[list]:
    """The pricing engine's breakdown of a line up to its taxable value: label, basis, amount."""
    rows = []
    for item in json.loads(line.breakdown or "[]"):
        key = str(item.get("key", ""))
        if key in SHOWN_IN_COLUMNS:
            continue
        label = str(item.get("label") or key.replace("_", " ").capitalize())
        amount = look.fit(look.money(item.get("amount", "0")), room, "small_right")
        basis = look.p(item.get("basis", ""), "small")
        gap = ["" for _ in range(3, columns.amount)]
        rows.append(["", look.p(label, "small"), basis, *gap, amount, ""])
    return rows


def _lines_table(
    session: Session, actor: Actor, look: _Look, lines: list[InvoiceLine], supply: _Supply, width: float
) -> Table:
    columns = _columns(supply.inter_state)
    widths = [units * width / TABLE_UNITS for units in columns.units]
    room = [w - 2 * CELL_PADDING for w in widths]
    last = columns.amount
    data: list[list] = [
        [
            look.p(h, "head_right" if FIRST_NUMBER_COLUMN <= i <= last else "head")
            for i, h in enumerate(columns.headings)
        ]
    ]
    commands: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (FIRST_NUMBER_COLUMN, 0), (last, -1), "RIGHT"),
        ("FONT", (0, 1), (-1, -1), look.fonts.regular, 8),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
    ]
    for number, line in enumerate(lines, start=1):
        if number > 1:
            commands.append(("LINEABOVE", (0, len(data)), (-1, len(data)), 0.4, RULE))
        data.append([str(number), *_main_row(session, actor, look, line, columns, room)])
        for row in _detail_rows(look, line, columns, room[last]):
            commands.append(("SPAN", (2, len(data)), (last - 1, len(data))))
            data.append(row)
    if len(data) == 1:
        data.append(["", look.p("No lines.", "small"), *("" for _ in range(2, len(widths)))])
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(_style(*commands))
    return table


def _tax_totals(lines: list[InvoiceLine], inter_state: bool) -> list[tuple[str, Decimal]]:
    """Each tax at each rate summed over the sale lines: [("CGST 1.5%", ₹...), ("CGST 9%", ₹...), ...]."""
    sums: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        if line.kind != "old_gold":
            for key, rate, amount in _line_taxes(line, inter_state):
                sums[(key, rate)] = sums.get((key, rate), Decimal("0.00")) + amount
    by_rate = sorted(sums, key=lambda pair: (pair[1], pair[0]))  # CGST 1.5%, SGST 1.5%, CGST 9%, SGST 9%
    return [(f"{TAX_NAMES[key]} {_pct(rate)}", sums[(key, rate)]) for key, rate in by_rate]


def _totals(look: _Look, invoice: Invoice, lines: list[InvoiceLine], supply: _Supply, width: float) -> Table:
    rows = [("Taxable value", invoice.taxable), *_tax_totals(lines, supply.inter_state)]
    rows += [("Round-off", invoice.round_off), ("Total", invoice.total)]
    if invoice.old_gold_credit:  # a purchase settled against the sale, after tax (modules.billing.old_gold)
        rows += [
            ("Less old gold purchase", -invoice.old_gold_credit),
            ("Settlement round-off", invoice.settlement_round_off),
        ]
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


def _in_words(look: _Look, invoice: Invoice) -> list[Flowable]:
    """The total in words and, when old gold made it differ, the payable."""
    words = [look.p(f"Invoice total in words: {amount_in_words(invoice.total)}", "bold")]
    if invoice.payable != invoice.total:
        words.append(look.p(f"Amount payable in words: {amount_in_words(invoice.payable)}", "bold"))
    return words


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
    supply = _supply(invoice, store)
    story: list[Flowable] = [_letterhead(look, store, heading.title, _invoice_facts(actor, invoice), width)]
    if heading.banner:
        story += [Spacer(1, 4), look.p(heading.banner, "banner")]
    story += [
        Spacer(1, 6),
        _parties(actor, look, invoice, store, supply, width),
        Spacer(1, 6),
        _lines_table(session, actor, look, lines, supply, width),
        Spacer(1, 4),
        _totals(look, invoice, lines, supply, width),
        Spacer(1, 4),
        *_in_words(look, invoice),
    ]
    if invoice.kind == "invoice":
        story += _payments(session, look, invoice, width)
    story.append(_closing(look, invoice, store, lines, width))
    return _render(look, paper, story, store.name)


def invoice_file_name(invoice: Invoice) -> str:
    """``invoice-MUM-2627-000001.pdf``, ``estimate-MUM-E2627-00001.pdf``."""
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


def _advance_rows(booking: Booking | None, refund: bool) -> list[tuple[str, str]]:
    """What a receipt voucher for an advance adds (Rule 50): the goods booked, the customer's state, the tax."""
    if booking is None or refund:
        return []
    return [
        ("Goods booked", booking.description),
        ("Customer's state", _state_text(booking.customer_state_code, booking.customer_state)),
        ("GST on this advance", ADVANCE_TAX),
        ("Reverse charge", REVERSE_CHARGE),
    ]


def receipt_pdf(session: Session, actor: Actor, payment_id: int) -> bytes:
    """The receipt, receipt voucher (an advance on a booking) or refund voucher of a payment in the actor's
    store, as an A5 PDF."""
    payment = _payment(session, actor, payment_id)
    store = session.get(Store, payment.store_id)
    invoice = session.get(Invoice, payment.invoice_id) if payment.invoice_id else None
    booking = session.get(Booking, payment.booking_id) if payment.booking_id else None
    refund = payment.kind == "refund"
    title = "REFUND VOUCHER" if refund else "RECEIPT VOUCHER" if booking else "PAYMENT RECEIPT"
    look = _Look(document_fonts())
    number = payment.receipt_number or f"#{payment.id}"
    paper = _Paper(A5, f"{title} {number}", f"{store.name} · {title} {number}")
    width = paper.width
    party = invoice or booking
    rows = [
        ("Paid to" if refund else "Received from", (party.customer_name if party else "") or "Walk-in customer"),
        ("Against invoice", invoice_label(invoice) if invoice else ""),
        ("Against booking", booking.number if booking else ""),
        *_advance_rows(booking, refund),
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
    """``receipt-MUM-R2627-00001.pdf``."""
    return f"receipt-{_slug(payment.receipt_number or str(payment.id))}.pdf"
