"""Invoices: drafts, lines (stock pieces, services, old gold), issue with a gapless number, cancellation.

- A **piece line** is priced by :func:`modules.billing.pricing.price` from the piece's own making,
  wastage and stone values (stock's :func:`modules.stock.pieces.stones_of`), at the store's rate
  of the invoice date (:func:`require_rate`), with the store's hallmark charge for a piece with a
  HUID (:func:`modules.billing.tag_price.hallmark_charge`) and an optional discount. The line keeps
  the rupees of discount given and its category for reports: "diamond" when a diamond is set in the
  piece, else the metal (gold, silver, ...).
- A **service line** (polishing, resizing, engraving, job work, ...) is a taxable amount with the tax
  class chosen for it (REPAIR, SAC 9987, by default).
- **GST per line** (:mod:`modules.billing.line_tax`): a piece takes the class of its category's HSN (7113
  jewellery, 7118 coins), a service its chosen class; the rate is the class's rate in effect on the invoice
  date, for a registered buyer when a GSTIN is given; CGST + SGST or IGST follows the place of supply
  (:func:`modules.billing.supply.place_of_supply`: the store's state over the counter, the delivery state,
  or a registered buyer's state). The customer's address, state, GSTIN and delivery address are checked
  when the draft is made or changed (:func:`set_recipient`), and the lines taxed again then and at issue.
- An **old gold line** is a purchase (:mod:`modules.billing.old_gold`): its own voucher, drafted with the
  line and numbered in its own series when the invoice is issued, valued at the net weight × the day's
  rate at the tested fineness less a deduction %. It carries no GST and is credited **after tax**: the
  payable is total − credit rounded to the rupee, its own round-off shown (``settlement_round_off``).
- **Totals**: taxable = Σ line taxable values; each GST line is the Σ of the lines' GST as the
  pricing engine works it out per line; the total is rounded once to the rupee (half up) with
  the round-off shown. For one piece the invoice equals the pricing engine's breakdown.
- **Issue** takes the number (:mod:`modules.billing.numbering`) and marks every piece sold through
  stock's ledger in the same transaction: a piece sold elsewhere fails the whole issue, and the
  number goes back (gapless). A sale above ₹2,00,000, or one that takes the customer's purchases of the
  day above it, needs the customer's PAN (Rule 114B: :func:`pan_required`, :func:`check_pan`). A draft
  may name the **occasion** it is for (:func:`set_occasion`), for the cash rule's section 269ST(c).
- A draft over the store's discount limit or approval amount is issued only once a manager has
  approved it (:mod:`modules.billing.approvals`); changing its lines clears the approval. A draft
  with ``priced_on`` (an estimate converted within its validity, a booking with a rate lock) is
  priced at that date's rates and may be issued on a later day. An estimate is never issued.
- An issued invoice is never edited or deleted: :func:`cancel_invoice` writes a credit note with its
  own gapless number and returns the pieces to stock.

Events: ``("billing.invoice", "issued", {"customer_id", "number", "amount", "issued_at", "invoice_date"})`` with
``amount`` the value before tax as text and ``invoice_date`` the invoice's date (ISO), and
``("billing.invoice", "cancelled", {"number"})``.

Permissions: ``billing.invoice.create`` (drafts, lines, issue) and ``billing.invoice.cancel``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields
from jewelerp.events import emit
from jewelerp.masking import mask_pan
from jewelerp.money import RUPEE, ZERO, format_inr
from jewelerp.registry import get_registry
from jewelerp.validation import (
    PAISA,
    amount_limit_text,
    check_lengths,
    read_amount,
)
from modules.billing.approvals import check_approval, clear_approval
from modules.billing.customer_link import billed_customer
from modules.billing.line_tax import line_rate, piece_class, retax, service_breakdown, supply_of, write_line
from modules.billing.models import Booking, CreditNote, Invoice, InvoiceLine
from modules.billing.numbering import CREDIT_NOTE, INVOICE, financial_year, next_number
from modules.billing.old_gold import (
    OldGoldEntry,
    cancel_exchanges,
    draft_exchange,
    drop_draft,
    issue_exchanges,
    settle,
)
from modules.billing.pricing import HUNDRED, Discount, PriceBreakdown, PriceInput, paisa, price
from modules.billing.rates import require_rate
from modules.billing.supply import NO_RECIPIENT, Recipient, check_recipient, write_recipient
from modules.billing.tag_price import hallmark_charge
from modules.billing.tax_classes import REPAIR, class_on
from modules.clienteling.api import PII
from modules.stock.api import (
    Metal,
    StoneSummary,
    get_metal,
    get_piece,
    metal_label,
    return_piece,
    sell_piece,
    stones_of,
)

CREATE = "billing.invoice.create"
CANCEL = "billing.invoice.cancel"
MAKING_DISCOUNT = "billing.making_discount"
PAN_THRESHOLD = Decimal("200000")
PAN_RE = re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$")
CUSTOMER_LABELS = {"customer_name": "The customer's name"}
COIN_HSN = "7118"  # Customs Tariff heading 7118, coin: loyalty's "coin" earn rule


# ---------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class SaleSummary:
    """What other modules may read of an issued or cancelled invoice (loyalty earns on it).

    ``lines`` are (category, value before tax) of its piece and service lines (:func:`earn_category`).
    ``paid_in_full`` is True when nothing is left to pay.
    """

    invoice_id: int
    number: str
    customer_id: int | None
    customer_name: str
    status: str
    issued_at: datetime | None
    taxable: Decimal
    paid_in_full: bool
    lines: tuple[tuple[str, Decimal], ...]


def sale_summary(session: Session, actor: Actor, number: str) -> SaleSummary:
    """The summary of invoice ``number`` of the actor's store (NotFound otherwise); staff who issue
    invoices or take payments may read it."""
    if not (actor.can(CREATE) or actor.can("billing.payment.take")):
        actor.require(CREATE)
    invoice = session.scalars(
        select(Invoice).where(Invoice.store_id == actor.store_id, Invoice.kind == "invoice", Invoice.number == number)
    ).first()
    if invoice is None:
        raise NotFound(f"Invoice {number} does not exist in this store.")
    lines = tuple((earn_category(x), x.taxable) for x in _lines(session, invoice.id) if x.kind != "old_gold")
    return SaleSummary(
        invoice.id,
        number,
        invoice.customer_id,
        invoice.customer_name,
        invoice.status,
        invoice.issued_at,
        invoice.taxable,
        invoice.status == "issued" and invoice.paid >= invoice.payable,
        lines,
    )


def earn_category(line: InvoiceLine) -> str:
    """A sale line's category for loyalty: "service", "coin" for a coin (HSN 7118), else its report category."""
    if line.kind == "service":
        return "service"
    return "coin" if line.hsn_sac == COIN_HSN else line.category


def _invoice(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.store_id != actor.store_id:
        raise NotFound("That invoice does not exist in this store.")
    return invoice


def _draft(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    actor.require(CREATE)
    invoice = _invoice(session, actor, invoice_id)
    if invoice.status != "draft":
        what = "Estimate" if invoice.kind == "estimate" else "Invoice"
        raise JewelError(f"{what} {invoice.number} is {invoice.status}: it cannot be changed.")
    return invoice


def _store(session: Session, actor: Actor) -> Store:
    return session.get(Store, actor.store_id)


def _lines(session: Session, invoice_id: int) -> list[InvoiceLine]:
    return list(
        session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.id))
    )


class MakingDiscountSource(Protocol):
    """A ``"billing.making_discount"`` contribution: the making-charge discount % it grants the customer, or None."""

    def __call__(self, session: Session, actor: Actor, customer_id: int) -> Decimal | None: ...


def customer_making_discount(session: Session, actor: Actor, customer_id: int | None) -> Discount | None:
    """The largest making-charge discount other modules grant the customer (e.g. a loyalty tier's benefit).

    Contributions ``"billing.making_discount"``: ``fn(session, actor, customer_id) -> Decimal | None``, a %,
    from the modules enabled in the actor's store. Applied to a piece line when no making discount is typed.
    """
    if customer_id is None:
        return None
    granted = [
        pct
        for source in get_registry().contributions(MAKING_DISCOUNT, actor)
        if (pct := source(session, actor, customer_id))
    ]
    return Discount("percent", max(granted)) if granted else None


def _check_sellable(session: Session, invoice: Invoice, piece: Any) -> None:
    """A piece sells from stock, or from a reservation only through the booking that reserved it."""
    if piece.status == "reserved":
        booking = session.get(Booking, invoice.booking_id) if invoice.booking_id else None
        if booking is None or booking.piece_id != piece.id:
            raise JewelError(f"{piece.sku} is reserved for an advance booking; complete that booking to sell it.")
    elif piece.status != "in_stock":
        raise JewelError(f"{piece.sku} is not in stock ({piece.status.replace('_', ' ')}).")


def lines_of(session: Session, actor: Actor, invoice_id: int) -> list[InvoiceLine]:
    """The lines of an invoice of the actor's store, in the order added."""
    actor.require(CREATE)
    _invoice(session, actor, invoice_id)
    return _lines(session, invoice_id)


# ---------------------------------------------------------------------------- drafts and lines


def documents_with_service_line(session: Session, store_id: int, prefix: str) -> list[Invoice]:
    """The store's estimates and invoices (any status) with a service line whose text starts with ``prefix``,
    oldest first: how a module finds the billing documents of its own record (a repair job's number)."""
    lines = select(InvoiceLine.invoice_id).where(
        InvoiceLine.kind == "service", InvoiceLine.description.startswith(prefix, autoescape=True)
    )
    stmt = select(Invoice).where(Invoice.store_id == store_id, Invoice.id.in_(lines)).order_by(Invoice.id)
    return list(session.scalars(stmt))


def create_draft(
    session: Session,
    actor: Actor,
    *,
    customer_id: int | None = None,
    customer_name: str = "",
    customer_pan: str = "",
    recipient: Recipient = NO_RECIPIENT,
) -> Invoice:
    """Start a draft invoice in the actor's store, dated the store's today (its rates price the lines).

    ``customer_id`` is clienteling's customer number (optional: a walk-in sale has none); it must
    name a customer, whose name fills a blank ``customer_name`` (:mod:`modules.billing.customer_link`).
    ``recipient`` holds the customer's address, state, GSTIN and delivery address
    (:func:`modules.billing.supply.check_recipient`); bad input raises ValidationError and writes nothing.
    """
    actor.require(CREATE)
    pan = customer_pan.strip().upper()
    errors: dict[str, str] = {}
    if pan and not PAN_RE.match(pan):
        errors["customer_pan"] = "PAN is 5 letters, 4 digits and a letter, e.g. ABCDE1234F."
    customer_id, name = billed_customer(session, actor, customer_id, customer_name)
    check_lengths(Invoice, {"customer_name": name}, errors, CUSTOMER_LABELS)
    details = check_recipient(recipient, errors)
    require_fields(errors)
    invoice = Invoice(
        store_id=actor.store_id,
        customer_id=customer_id,
        customer_name=name,
        customer_pan=pan,
        created_by=actor.user_name,
        invoice_date=actor.today(),
    )
    write_recipient(invoice, details)
    supply_of(invoice, _store(session, actor).state_code)
    session.add(invoice)
    session.flush()
    return invoice


def set_recipient(session: Session, actor: Actor, invoice_id: int, recipient: Recipient) -> Invoice:
    """Change a draft's customer address, state, GSTIN and delivery address; its lines are taxed again
    (the place of supply, and a job-work rate for a registered buyer, may change)."""
    invoice = _draft(session, actor, invoice_id)
    errors: dict[str, str] = {}
    details = check_recipient(recipient, errors)
    require_fields(errors)
    write_recipient(invoice, details)
    retax(session, invoice, _lines(session, invoice.id), _store(session, actor).state_code, invoice.invoice_date)
    return _recompute(session, invoice)


def shown_pan(actor: Actor, pan: str) -> str:
    """A customer's PAN as this actor may see it: whole with clienteling's PII permission, else masked.

    The invoice keeps the whole PAN (Rule 114B asks for it on the record of the sale); pages and the
    printed invoice show it masked to staff who may not see customers' personal details.
    """
    return pan if actor.can(PII) else mask_pan(pan)


def set_customer_pan(session: Session, actor: Actor, invoice_id: int, pan: str) -> Invoice:
    """Record the customer's PAN on a draft (Rule 114B: :func:`pan_reason`)."""
    invoice = _draft(session, actor, invoice_id)
    value = pan.strip().upper()
    if not PAN_RE.match(value):
        raise ValidationError({"customer_pan": "PAN is 5 letters, 4 digits and a letter, e.g. ABCDE1234F."})
    invoice.customer_pan = value
    session.add(invoice)
    session.flush()
    return invoice


def set_occasion(session: Session, actor: Actor, invoice_id: int, occasion: str) -> Invoice:
    """Name the event or occasion a draft's sale is for ("Wedding of Asha, Dec 2026"; empty for none).

    The cash a customer pays for one occasion is counted together under section 269ST(c) of the
    Income-tax Act (:func:`modules.billing.payments.check_cash`); the name is matched ignoring case.
    """
    invoice = _draft(session, actor, invoice_id)
    text, errors = " ".join(occasion.split()), {}
    check_lengths(Invoice, {"occasion": text}, errors, {"occasion": "The occasion"})
    require_fields(errors)
    invoice.occasion = text
    session.add(invoice)
    session.flush()
    return invoice


def pan_required(amount: Decimal) -> bool:
    """Whether a sale of ``amount`` needs the buyer's PAN on its documents.

    Income-tax Rules 1962, Rule 114B (substituted from 1 January 2016 by the Income-tax (22nd Amendment)
    Rules 2015, notification S.O. 3545(E) of 30 December 2015), table item 18: sale of goods or services
    of any nature, "amount exceeding two lakh rupees per transaction", whatever the mode of payment. The
    law says *exceeding*: a sale of exactly ₹2,00,000 needs none.
    """
    return amount > PAN_THRESHOLD


def purchases_of_day(session: Session, customer_id: int | None, day: date, *, besides: int | None = None) -> Decimal:
    """The totals of a customer's issued invoices dated ``day``, in every store, other than ``besides``
    (nothing for a walk-in, who has no customer number)."""
    if customer_id is None:
        return ZERO
    total = session.scalar(
        select(func.sum(Invoice.total)).where(
            Invoice.kind == "invoice",
            Invoice.status == "issued",
            Invoice.customer_id == customer_id,
            Invoice.invoice_date == day,
            Invoice.id != (besides or 0),
        )
    )
    return total or ZERO


def pan_reason(
    session: Session,
    customer_id: int | None,
    customer_name: str,
    amount: Decimal,
    day: date,
    *,
    besides: int | None = None,
) -> str:
    """Why a sale of ``amount`` on ``day`` needs the customer's PAN (Rule 114B, :func:`pan_required`), or "".

    The sale alone exceeds ₹2,00,000, or the customer's invoices issued that day do with it: the bills of
    one day's purchases are read as one transaction, so splitting a purchase does not avoid the PAN.
    """
    if pan_required(amount):
        return f"A sale of more than {format_inr(PAN_THRESHOLD)} needs the customer's PAN (Rule 114B), e.g. ABCDE1234F."
    day_total = amount + purchases_of_day(session, customer_id, day, besides=besides)
    if not pan_required(day_total):
        return ""
    return (
        f"With this sale, {customer_name or 'the customer'}'s purchases on {day:%d %b %Y} come to "
        f"{format_inr(day_total, paise=True)}, more than {format_inr(PAN_THRESHOLD)}: that needs the customer's "
        "PAN (Rule 114B), e.g. ABCDE1234F."
    )


def check_pan(session: Session, invoice: Invoice, day: date) -> None:
    """Refuse (ValidationError keyed ``customer_pan``) to issue ``invoice`` on ``day`` without a PAN when
    :func:`pan_reason` asks for one."""
    if PAN_RE.match(invoice.customer_pan or ""):
        return
    reason = pan_reason(session, invoice.customer_id, invoice.customer_name, invoice.total, day, besides=invoice.id)
    if reason:
        raise ValidationError({"customer_pan": reason})


def add_piece_line(
    session: Session,
    actor: Actor,
    invoice_id: int,
    piece_id: int,
    discount: Discount | None = None,
    making_discount: Discount | None = None,
) -> InvoiceLine:
    """Add a stock piece at the actor's branch, priced at the rate of the invoice date.

    ``making_discount`` comes off the making charges only; ``discount`` off the whole price before GST.

    The piece must be in stock here (or reserved by this invoice's own booking); it is marked sold
    only when the invoice is issued.
    """
    invoice = _draft(session, actor, invoice_id)
    piece = get_piece(session, actor, piece_id)
    if piece.store_id != actor.store_id:
        raise JewelError(f"{piece.sku} is not at this branch.")
    _check_sellable(session, invoice, piece)
    if making_discount is None:
        making_discount = customer_making_discount(session, actor, invoice.customer_id)
    if any(line.piece_id == piece.id for line in _lines(session, invoice.id)):
        raise JewelError(f"{piece.sku} is already on this invoice.")
    rate = require_rate(session, actor, piece.metal_id, invoice.priced_on or invoice.invoice_date)
    metal = get_metal(session, piece.metal_id)
    stones = stones_of(session, actor, piece.id)
    hallmark = hallmark_charge(session, actor.store_id, piece)
    tax_class = piece_class(session, piece, invoice.invoice_date)
    tax_rate = line_rate(invoice, tax_class)
    breakdown = price(
        PriceInput(
            rate=rate,
            net_weight=piece.net_weight,
            wastage_pct=piece.wastage_pct,
            making_rule=piece.making_rule,
            making_value=piece.making_value,
            stones_value=stones.value,
            hallmark_charge=hallmark,
            making_discount=making_discount,
            discount=discount,
            tax_rate=tax_rate,
            inter_state=supply_of(invoice, _store(session, actor).state_code),
        )
    )
    line = InvoiceLine(
        invoice_id=invoice.id,
        kind="piece",
        piece_id=piece.id,
        description=f"{piece.sku} {piece.description or metal_label(metal)}".strip()[:300],
        metal_id=piece.metal_id,
        net_weight=piece.net_weight,
        rate=rate,
        discount=_discount_given(breakdown),
        category=_category(metal, stones),
    )
    write_line(line, breakdown, tax_class, tax_rate)
    session.add(line)
    session.flush()
    _recompute(session, invoice)
    return line


def _discount_given(breakdown: PriceBreakdown) -> Decimal:
    """The rupees taken off a piece line: the discount on making plus the overall discount."""
    return sum((abs(breakdown.amount(key)) for key in ("making_discount", "discount")), ZERO)


def _category(metal: Metal, stones: StoneSummary) -> str:
    """A piece line's category for reports: "diamond" when a diamond is set in it, else its metal (gold, ...)."""
    return "diamond" if stones.has_diamond else metal.metal.strip().lower()[:10]


def add_service_line(
    session: Session,
    actor: Actor,
    invoice_id: int,
    description: str,
    amount: str | Decimal,
    tax_class: str = REPAIR,
    *,
    includes_tax: bool = False,
) -> InvoiceLine:
    """Add a service of the tax class ``tax_class`` (REPAIR, JOB_WORK, ...): its amount in rupees before GST,
    or with GST when ``includes_tax`` (taxable = amount × 100 / (100 + rate), to the paisa).

    Bad input raises ValidationError keyed ``description``, ``amount`` or ``tax_class`` and writes nothing.
    """
    invoice = _draft(session, actor, invoice_id)
    errors: dict[str, str] = {}
    text = " ".join(description.split())
    if not text:
        errors["description"] = "Describe the service, e.g. Polishing."
    check_lengths(InvoiceLine, {"description": text}, errors, {"description": "The service"})
    value = read_amount(amount, low=PAISA)
    if value is None:
        errors["amount"] = f"Enter the amount in rupees, more than 0 and up to {amount_limit_text()}, e.g. 500."
    require_fields(errors)
    chosen = class_on(session, str(tax_class).strip().upper(), invoice.invoice_date)
    tax_rate = line_rate(invoice, chosen)
    taxable = paisa(value * HUNDRED / (HUNDRED + tax_rate)) if includes_tax else value
    inter_state = supply_of(invoice, _store(session, actor).state_code)
    line = InvoiceLine(invoice_id=invoice.id, kind="service", description=text)
    write_line(line, service_breakdown(taxable, tax_rate, inter_state), chosen, tax_rate)
    session.add(line)
    session.flush()
    _recompute(session, invoice)
    return line


def add_old_gold(session: Session, actor: Actor, invoice_id: int, entry: OldGoldEntry) -> InvoiceLine:
    """Take old gold in exchange: a purchase voucher drafted with a credit line (:func:`draft_exchange`).

    The value is credited after tax (it carries no GST); the voucher is numbered when the invoice is issued.
    """
    invoice = _draft(session, actor, invoice_id)
    line = draft_exchange(session, actor, invoice, entry)
    _recompute(session, invoice)
    return line


def remove_line(session: Session, actor: Actor, line_id: int) -> None:
    """Take a line off a draft invoice."""
    line = session.get(InvoiceLine, line_id)
    if line is None:
        raise NotFound("That invoice line does not exist.")
    invoice = _draft(session, actor, line.invoice_id)
    drop_draft(session, line.id)
    session.delete(line)
    session.flush()
    _recompute(session, invoice)


def _recompute(session: Session, invoice: Invoice, *, lines_changed: bool = True) -> Invoice:
    """Total the lines; a change to a draft's lines clears its approval (it must be approved again)."""
    if lines_changed and invoice.status == "draft":
        clear_approval(invoice)
    lines = _lines(session, invoice.id)
    sale = [x for x in lines if x.kind != "old_gold"]
    taxable = sum((x.taxable for x in sale), ZERO)
    cgst, sgst, igst = (sum((getattr(x, k) for x in sale), ZERO) for k in ("cgst", "sgst", "igst"))
    gross = taxable + cgst + sgst + igst
    total = gross.quantize(RUPEE, ROUND_HALF_UP).quantize(Decimal("0.01"))
    credit = sum((x.amount for x in lines if x.kind == "old_gold"), ZERO)
    invoice.taxable, invoice.cgst, invoice.sgst, invoice.igst = taxable, cgst, sgst, igst
    invoice.round_off, invoice.total = total - gross, total
    invoice.old_gold_credit = credit
    invoice.settlement_round_off, invoice.payable = settle(total, credit)
    keys = ("taxable", "cgst", "sgst", "igst", "round_off", "total", "old_gold_credit", "settlement_round_off")
    invoice.breakdown = json.dumps([{"key": k, "amount": str(getattr(invoice, k))} for k in (*keys, "payable")])
    session.add(invoice)
    session.flush()
    return invoice


# ---------------------------------------------------------------------------- issue and cancel


def issue_invoice(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    """Issue a draft: totals, PAN rule, the gapless number, pieces sold through stock, the event.

    Runs inside the caller's unit of work: any failure (a piece sold elsewhere meanwhile, a
    missing PAN) rolls back everything, the number included.
    """
    invoice = _draft(session, actor, invoice_id)
    lines = _lines(session, invoice.id)
    today = actor.today()
    if not any(x.kind != "old_gold" for x in lines):
        raise JewelError("Add a piece or a service before issuing the invoice.")
    if invoice.kind == "estimate":
        raise JewelError("An estimate is not issued: quote it, then convert it to an invoice.")
    if invoice.priced_on is None and invoice.invoice_date != today:
        raise JewelError(
            f"This draft was priced at the rates of {invoice.invoice_date:%d %b %Y}; "
            "start a new invoice at today's rates."
        )
    retax(session, invoice, lines, _store(session, actor).state_code, today)  # GST is charged at the day of issue
    _recompute(session, invoice, lines_changed=False)
    check_approval(session, actor, invoice)
    check_pan(session, invoice, today)
    if invoice.payable < 0:
        raise JewelError("The old gold credit is more than the invoice total; settle the difference separately.")
    taken = session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == "draft")
        .values(status="issued")
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise JewelError("This invoice was issued by someone else just now.")
    store = _store(session, actor)
    number = next_number(session, store.id, store.code, INVOICE, today)
    for line in lines:
        if line.kind == "piece":
            _check_sellable(session, invoice, get_piece(session, actor, line.piece_id))
            sell_piece(session, actor, line.piece_id, number)
    issue_exchanges(session, actor, invoice, lines, today)
    invoice.status, invoice.number, invoice.issued_at = "issued", number, utcnow()
    invoice.invoice_date = today  # a draft priced at another date's rates (priced_on) is dated when issued
    invoice.financial_year = financial_year(today)
    session.add(invoice)
    session.flush()
    emit(
        session,
        actor,
        "billing.invoice",
        "issued",
        {
            "customer_id": invoice.customer_id,
            "number": number,
            "amount": str(invoice.taxable),
            "issued_at": invoice.issued_at.isoformat(),
            "invoice_date": invoice.invoice_date.isoformat(),
        },
    )
    return invoice


def cancel_invoice(session: Session, actor: Actor, invoice_id: int, reason: str) -> CreditNote:
    """Cancel an issued invoice with a credit note (its own gapless number); the pieces go back to stock."""
    actor.require(CANCEL)
    invoice = _invoice(session, actor, invoice_id)
    text = " ".join(reason.split())
    if not text:
        raise ValidationError({"reason": "Give the reason for cancelling the invoice."})
    errors: dict[str, str] = {}
    check_lengths(CreditNote, {"reason": text}, errors, {"reason": "The reason"})
    require_fields(errors)
    if invoice.status != "issued":
        raise JewelError(
            "Only an issued invoice can be cancelled."
            if invoice.status == "draft"
            else "This invoice is already cancelled."
        )
    taken = session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == "issued")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise JewelError("This invoice was cancelled by someone else just now.")
    store = _store(session, actor)
    number = next_number(session, store.id, store.code, CREDIT_NOTE, actor.today())
    for line in _lines(session, invoice.id):
        if line.kind == "piece":
            return_piece(session, actor, line.piece_id, number)
    cancel_exchanges(session, actor, invoice, text, number)
    note = CreditNote(store_id=store.id, number=number, invoice_id=invoice.id, reason=text, created_by=actor.user_name)
    invoice.status = "cancelled"
    session.add(invoice)
    session.add(note)
    session.flush()
    emit(session, actor, "billing.invoice", "cancelled", {"number": invoice.number})
    return note
