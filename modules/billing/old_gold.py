"""Old gold bought from customers: purchase vouchers (exchange against a sale, or buy-back for money), and
the settlement of a sale against an exchange.

The law, and the reading the code takes:

- **A purchase, not a supply charged GST.** Old jewellery sold by an individual is not sold "in the course
  or furtherance of business" (CGST Act s.7 read with s.2(105)), so it is not a supply and s.9(4) reverse
  charge does not apply (CBEC press release of 14 July 2017 on old gold). Since 1 February 2019 s.9(4)
  applies only to notified classes of recipients (CGST (Amendment) Act 2018); Notification 07/2019-Central
  Tax (Rate) notifies promoters of real estate only, not jewellers. So a voucher charges no tax and is not
  a self-invoice under s.31(3)(f). It is still written as a **purchase voucher** with the particulars of a
  payment voucher (CGST Rules 2017, Rule 52): a consecutive serial number of at most 16 characters, unique
  for the financial year, in its own series (``MUM/G2627/00001``, :data:`OLD_GOLD`); date; the seller's
  name and address; the store's name, address and GSTIN; a description of the goods (metal, tested
  fineness, gross and net weight); the rate and the amount; "tax: nil, reverse charge: not applicable".
- **Value** (:func:`value_old_gold`): net weight × the day's rate at the tested fineness, less the
  deduction %. The rate at a fineness is the store's rate of the day for a purity of exactly that fineness
  (916 → the 22K rate); for any other fineness it is the finest purity's rate of the day pro rata
  (875 → 24K rate × 875 / 999), each rounded to the paisa. The fineness is typed after testing.
- **Exchange** (:func:`draft_exchange`): the voucher is drafted with the invoice's old-gold line and
  numbered, with its stock lot, when the invoice is issued (:func:`issue_exchanges`, same transaction). Its
  amount is credited after tax: the sale invoice keeps its own total and round-off (CGST Act s.15: the old
  gold is not a discount on the sale). The settlement (:func:`settle`) is the invoice total less the
  credit, rounded to the rupee half up, with its own round-off: invoice ₹1,02,345.00 less old gold
  ₹40,123.45 = ₹62,221.55 → collect ₹62,222 (round-off +₹0.45).
- **Buy-back** (:func:`buy_old_gold`): a voucher alone, numbered and paid out at once; the payout is the
  amount rounded to the rupee the same way. **Cash payouts** to one person in one day may not exceed
  ₹10,000 in all (Income-tax Act s.40A(3), Rule 6DD lists no exception for such purchases): the Act
  disallows the expense rather than forbidding the payment, but a store never gains by paying so, and a
  cash payout of ₹2,00,000 or more would also make the seller break s.269ST. So the code refuses, and says
  how much cash is still allowed. Person = the same identity document, or the same customer number.
- **PAN** (Income-tax Rules, Rule 114B, Sl. 18): a purchase of goods exceeding ₹2,00,000 in one
  transaction needs the seller's PAN (an identity document of kind PAN counts; for an exchange, the
  invoice's PAN).
- **Identity document**: the seller's document kind and number (:mod:`jewelerp.id_proof`), kept whole
  (an Aadhaar as its last 4 digits only) and shown masked to staff without ``clienteling.customer.pii``.

Permissions: an exchange goes with the invoice (``billing.invoice.create``); buy-backs and the list of
vouchers need ``billing.old_gold.buy``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import Store
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields
from jewelerp.id_proof import ID_FORMATS, id_kind_label, read_id_proof
from jewelerp.masking import mask_id, mask_pan
from jewelerp.money import PAISA, RUPEE, ZERO, format_inr
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from jewelerp.validation import MAX_GRAMS, MAX_ID, check_lengths, read_grams, read_int, read_percent, too_long
from modules.billing.customer_link import billed_customer
from modules.billing.models import Invoice, InvoiceLine, OldGoldVoucher
from modules.billing.numbering import declare_series, next_number
from modules.billing.pricing import HUNDRED, paisa
from modules.billing.rates import rate_on
from modules.clienteling.api import PII
from modules.stock.api import METALS, purities_of, receive_lot, return_lot

BUY = "billing.old_gold.buy"
CREATE = "billing.invoice.create"
OLD_GOLD = declare_series("OG", "G", "old-gold purchase voucher")
MIN_FINENESS, MAX_FINENESS = 100, 999
PAN_PURCHASE_LIMIT = Decimal("200000")  # Rule 114B Sl. 18: "exceeding two lakh rupees"
CASH_PAYOUT_LIMIT = Decimal("10000")  # Income-tax Act s.40A(3): "exceeds ten thousand rupees" per person per day
PAYOUT_METHODS = {
    "bank": "Bank transfer",
    "upi": "UPI",
    "cheque": "Account payee cheque",
    "cash": "Cash",
}
KIND_LABELS = {"exchange": "Exchange", "buyback": "Buy-back"}
STATUS_LABELS = {"draft": "Draft", "issued": "Issued", "cancelled": "Cancelled"}


@dataclass(frozen=True)
class OldGoldEntry:
    """One item of old gold as typed at the counter, after testing.

    The seller's fields may stay blank on an exchange: they come from the invoice. ``customer_id`` is
    clienteling's customer number (a buy-back's; an exchange takes the invoice's).
    """

    metal: str
    fineness: str
    gross_weight: str
    net_weight: str
    deduction_pct: str = "0"
    id_kind: str = ""
    id_number: str = ""
    seller_name: str = ""
    seller_address: str = ""
    seller_pan: str = ""
    customer_id: str = ""
    item_description: str = ""


ENTRY_FIELDS = tuple(f.name for f in fields(OldGoldEntry))


@dataclass(frozen=True)
class Valuation:
    """What old gold is worth: the rate at its fineness (and the purity whose rate it came from)."""

    rate_metal_id: int
    rate: Decimal
    value: Decimal
    deduction: Decimal
    amount: Decimal


@dataclass(frozen=True)
class _Seller:
    customer_id: int | None
    name: str
    address: str
    pan: str


# ---------------------------------------------------------------------------- the rules


def settle(total: Decimal, credit: Decimal) -> tuple[Decimal, Decimal]:
    """``(round_off, to_collect)``: ``total − credit`` rounded to the rupee, half up, and the rounding.

    The sale's own total is already whole rupees; the old gold's value is not, so the settlement rounds
    on its own: 1,02,345.00 − 40,123.45 = 62,221.55 → (0.45, 62,222.00).
    """
    due = total - credit
    collect = due.quantize(RUPEE, ROUND_HALF_UP).quantize(PAISA) + ZERO  # + 0: never "-0.00"
    return collect - due, collect


def fineness_rate(session: Session, actor: Actor, metal: str, fineness: int, on: date) -> tuple[int, Decimal]:
    """``(metal id, rate per gram)`` of ``metal`` at ``fineness`` on ``on`` in the actor's store.

    A purity of exactly that fineness with a rate of the day gives its rate; otherwise the finest purity
    of the metal with a rate of the day, pro rata by fineness, to the paisa. JewelError when the day has
    no rate for the metal at all.
    """
    purities = purities_of(session, metal)
    rated = [(m, rate) for m in purities if (rate := rate_on(session, actor.store_id, m.id, on)) is not None]
    for purity, rate in rated:
        if purity.fineness == fineness:
            return purity.id, rate
    if not rated:
        raise JewelError(f"No {metal} rate entered for {on:%d %b %Y} in {actor.store_code}; enter today's rates first.")
    finest, rate = rated[0]
    return finest.id, paisa(rate * fineness / finest.fineness)


def value_old_gold(
    session: Session, actor: Actor, metal: str, fineness: int, net_weight: Decimal, deduction_pct: Decimal, on: date
) -> Valuation:
    """Net weight × the rate at the tested fineness, less the deduction %, each step to the paisa."""
    metal_id, rate = fineness_rate(session, actor, metal, fineness, on)
    value = paisa(net_weight * rate)
    deduction = paisa(value * deduction_pct / HUNDRED)
    return Valuation(metal_id, rate, value, deduction, value - deduction)


def shown_id(actor: Actor, number: str) -> str:
    """An identity document's number as this actor may see it: whole with the PII permission, else its last 4."""
    return number if actor.can(PII) else mask_id(number)


# ---------------------------------------------------------------------------- reading what was typed


def _read_metal(entry: OldGoldEntry, errors: dict[str, str]) -> tuple[str, int, Decimal, Decimal, Decimal, str]:
    metal = entry.metal.strip().lower()
    if metal not in METALS:
        errors["metal"] = "Choose the metal: gold, silver, platinum or palladium."
    fineness = read_int(entry.fineness, MIN_FINENESS, MAX_FINENESS)
    if fineness is None:
        errors["fineness"] = f"Tested fineness is parts per thousand, {MIN_FINENESS} to {MAX_FINENESS}, e.g. 916."
    gross, net = read_grams(entry.gross_weight), read_grams(entry.net_weight)
    if gross is None or gross <= 0:
        errors["gross_weight"] = f"Gross weight is grams, more than 0 and up to {MAX_GRAMS:,.0f}, e.g. 8.450."
    if net is None or net <= 0:
        errors["net_weight"] = f"Net weight is grams, more than 0 and up to {MAX_GRAMS:,.0f}, e.g. 8.250."
    elif gross is not None and net > gross:
        errors["net_weight"] = f"Net weight cannot be more than the gross weight ({gross:,.3f} g)."
    pct = read_percent(entry.deduction_pct.strip() or "0")
    if pct is None or pct >= HUNDRED:
        errors["deduction_pct"] = "Deduction is a % from 0 to less than 100, e.g. 2."
    description = " ".join(entry.item_description.split())
    if message := too_long(OldGoldVoucher, "description", description, "The description"):
        errors["item_description"] = message
    return metal, fineness or 0, gross or ZERO, net or ZERO, pct or ZERO, description


def _read_seller(session: Session, actor: Actor, entry: OldGoldEntry, errors: dict[str, str], base: _Seller) -> _Seller:
    """The seller: typed fields, else ``base`` (the invoice's customer on an exchange)."""
    customer_id, name = base.customer_id, " ".join(entry.seller_name.split()) or base.name
    if entry.customer_id.strip():
        number = read_int(entry.customer_id, 1, MAX_ID)
        if number is None:
            errors["customer_id"] = "The customer number is a whole number, e.g. 42 (or leave it empty)."
        else:
            try:
                customer_id, name = billed_customer(session, actor, number, name)
            except ValidationError as exc:
                errors.update(exc.fields)
    address = " ".join(entry.seller_address.split()) or base.address
    pan = "".join(entry.seller_pan.split()).upper() or base.pan
    if not name:
        errors.setdefault("seller_name", "Enter the seller's name, as on the identity document.")
    if not address:
        errors["seller_address"] = "Enter the seller's address: a purchase voucher names it (CGST Rules, Rule 52)."
    if pan and not ID_FORMATS["pan"][0].match(pan):
        errors["seller_pan"] = ID_FORMATS["pan"][1]
    check_lengths(
        OldGoldVoucher,
        {"seller_name": name, "seller_address": address},
        errors,
        {"seller_name": "The seller's name", "seller_address": "The address"},
    )
    return _Seller(customer_id, name, address, pan)


def _check_pan(amount: Decimal, seller: _Seller, id_kind: str, id_number: str, errors: dict[str, str]) -> str:
    """The seller's PAN for the voucher; a purchase above ₹2,00,000 must have one (Rule 114B, Sl. 18)."""
    pan = seller.pan or (id_number if id_kind == "pan" else "")
    if amount > PAN_PURCHASE_LIMIT and not pan:
        errors["seller_pan"] = (
            f"This purchase is {format_inr(amount, paise=True)}: above ₹2,00,000 the seller's PAN is needed "
            "(Income-tax Rules, Rule 114B)."
        )
    return pan


def _voucher(session: Session, actor: Actor, entry: OldGoldEntry, base: _Seller, on: date) -> OldGoldVoucher:
    """A voucher (not yet saved) from what was typed, valued at the rates of ``on``; ValidationError else."""
    errors: dict[str, str] = {}
    metal, fineness, gross, net, pct, description = _read_metal(entry, errors)
    seller = _read_seller(session, actor, entry, errors, base)
    proof = read_id_proof(entry.id_kind, entry.id_number, errors)
    require_fields(errors)
    valued = value_old_gold(session, actor, metal, fineness, net, pct, on)
    id_kind, id_number = proof
    pan = _check_pan(valued.amount, seller, id_kind, id_number, errors)
    require_fields(errors)
    voucher = OldGoldVoucher(
        store_id=actor.store_id,
        voucher_date=on,
        customer_id=seller.customer_id,
        seller_name=seller.name,
        seller_address=seller.address,
        seller_pan=pan,
        id_kind=id_kind,
        id_number=id_number,
        metal=metal,
        fineness=fineness,
        rate_metal_id=valued.rate_metal_id,
        description=description or f"Old {metal}",
        gross_weight=gross,
        net_weight=net,
        rate=valued.rate,
        value=valued.value,
        deduction_pct=pct,
        deduction=valued.deduction,
        amount=valued.amount,
        created_by=actor.user_name,
    )
    return voucher


# ---------------------------------------------------------------------------- exchange against a sale


def _line_rows(voucher: OldGoldVoucher) -> str:
    rows = [
        {
            "key": "value",
            "label": "Value",
            "basis": f"{voucher.net_weight:,.3f} g at {voucher.fineness} × {format_inr(voucher.rate, paise=True)}/g",
            "amount": str(voucher.value),
        },
        {
            "key": "deduction",
            "label": "Deduction",
            "basis": f"{voucher.deduction_pct}% of {format_inr(voucher.value, paise=True)}",
            "amount": str(-voucher.deduction),
        },
        {"key": "credit", "label": "Credit", "basis": "A purchase, credited after tax", "amount": str(voucher.amount)},
    ]
    return json.dumps(rows)


def _line_text(voucher: OldGoldVoucher) -> str:
    what = f"{voucher.description} ({voucher.metal.title()} {voucher.fineness} tested)"
    return f"{what}, gross {voucher.gross_weight:,.3f} g, net {voucher.net_weight:,.3f} g"[:300]


def draft_exchange(session: Session, actor: Actor, invoice: Invoice, entry: OldGoldEntry) -> InvoiceLine:
    """Put old gold on a draft invoice (the caller checked it may be changed): its credit line and its
    purchase voucher, drafted until the invoice is issued. The seller defaults to the invoice's customer."""
    base = _Seller(invoice.customer_id, invoice.customer_name, invoice.customer_address, invoice.customer_pan)
    voucher = _voucher(session, actor, replace(entry, customer_id=""), base, invoice.invoice_date)
    line = InvoiceLine(
        invoice_id=invoice.id,
        kind="old_gold",
        description=_line_text(voucher),
        metal_id=voucher.rate_metal_id,
        net_weight=voucher.net_weight,
        rate=voucher.rate,
        deduction_pct=voucher.deduction_pct,
        amount=voucher.amount,
        breakdown=_line_rows(voucher),
    )
    session.add(line)
    session.flush()
    voucher.kind, voucher.invoice_id, voucher.line_id = "exchange", invoice.id, line.id
    session.add(voucher)
    session.flush()
    return line


def drop_draft(session: Session, line_id: int) -> None:
    """Delete the draft voucher of an old-gold line being taken off a draft invoice."""
    voucher = session.scalars(select(OldGoldVoucher).where(OldGoldVoucher.line_id == line_id)).first()
    if voucher is not None:
        session.delete(voucher)
        session.flush()


def copy_draft(session: Session, quoted_line_id: int, invoice: Invoice, line: InvoiceLine) -> None:
    """An estimate converted to an invoice: its old-gold line's draft voucher goes with the copied line."""
    quoted = session.scalars(select(OldGoldVoucher).where(OldGoldVoucher.line_id == quoted_line_id)).first()
    if quoted is None:
        raise JewelError("An old-gold line of this estimate has no purchase voucher details; add it again.")
    skip = {"id", "invoice_id", "line_id", "created_at"}
    copied = OldGoldVoucher(**{f: getattr(quoted, f) for f in OldGoldVoucher.model_fields if f not in skip})
    copied.invoice_id, copied.line_id = invoice.id, line.id
    session.add(copied)
    session.flush()


def _vouchers_of(session: Session, invoice_id: int, status: str) -> list[OldGoldVoucher]:
    return list(
        session.scalars(
            select(OldGoldVoucher)
            .where(OldGoldVoucher.invoice_id == invoice_id, OldGoldVoucher.status == status)
            .order_by(OldGoldVoucher.id)
        )
    )


def _take_in(session: Session, actor: Actor, voucher: OldGoldVoucher, store: Store, today: date) -> None:
    """Number an exchange or buy-back voucher and bring its metal into stock as a lot."""
    voucher.number = next_number(session, store.id, store.code, OLD_GOLD, today)
    voucher.status, voucher.issued_at = "issued", utcnow()
    lot = receive_lot(
        session,
        actor,
        reference=voucher.number,
        metal=voucher.metal,
        fineness=voucher.fineness,
        gross_weight=voucher.gross_weight,
        net_weight=voucher.net_weight,
    )
    voucher.lot_id = lot.id
    session.add(voucher)
    session.flush()


def issue_exchanges(session: Session, actor: Actor, invoice: Invoice, lines: list[InvoiceLine], today: date) -> None:
    """Inside the invoice's issue: number each exchange voucher in its own series, bring the metal into
    stock, and name the voucher on its line. An old-gold line without a voucher (made before vouchers
    existed) is refused: take it off and add it again."""
    vouchers = {v.line_id: v for v in _vouchers_of(session, invoice.id, "draft")}
    store = session.get(Store, actor.store_id)
    for line in lines:
        if line.kind != "old_gold":
            continue
        voucher = vouchers.get(line.id)
        if voucher is None:
            raise JewelError(
                f"The old gold line '{line.description}' has no purchase voucher; remove it and add it again."
            )
        _take_in(session, actor, voucher, store, today)
        line.description = f"{line.description} · voucher {voucher.number}"[:300]
        session.add(line)
    session.flush()


def cancel_exchanges(session: Session, actor: Actor, invoice: Invoice, reason: str, reference: str) -> None:
    """An invoice cancelled: its exchange vouchers are cancelled and their lots go back to the seller whole
    (refused, with everything else, when a lot has already gone to a refiner or been melted)."""
    for voucher in _vouchers_of(session, invoice.id, "issued"):
        if voucher.lot_id is not None:
            return_lot(session, actor, voucher.lot_id, reference)
        voucher.status, voucher.cancel_reason = "cancelled", reason[:300]
        session.add(voucher)
    session.flush()


def exchange_numbers(session: Session, invoice_id: int) -> list[str]:
    """The numbers of an invoice's issued exchange vouchers (for its totals and printout)."""
    return [v.number for v in _vouchers_of(session, invoice_id, "issued") if v.number]


# ---------------------------------------------------------------------------- buy-back


def _cash_paid_today(session: Session, voucher: OldGoldVoucher) -> Decimal:
    """Cash already paid out today to the seller of ``voucher`` (same identity document or customer)."""
    same = [(OldGoldVoucher.id_kind == voucher.id_kind) & (OldGoldVoucher.id_number == voucher.id_number)]
    if voucher.customer_id is not None:
        same.append(OldGoldVoucher.customer_id == voucher.customer_id)
    paid = session.scalar(
        select(func.sum(OldGoldVoucher.paid)).where(
            OldGoldVoucher.id != voucher.id,
            OldGoldVoucher.kind == "buyback",
            OldGoldVoucher.status == "issued",
            OldGoldVoucher.payout_method == "cash",
            OldGoldVoucher.voucher_date == voucher.voucher_date,
            or_(*same),
        )
    )
    return paid or ZERO


def _check_cash(session: Session, voucher: OldGoldVoucher) -> None:
    earlier = _cash_paid_today(session, voucher)
    if earlier + voucher.paid > CASH_PAYOUT_LIMIT:
        left = max(CASH_PAYOUT_LIMIT - earlier, ZERO)
        raise ValidationError(
            {
                "payout_method": (
                    f"Cash paid to one person in a day may not exceed ₹10,000 (Income-tax Act s.40A(3)). "
                    f"{format_inr(earlier)} was paid in cash today; {format_inr(left)} more is allowed. "
                    "Pay by bank transfer, UPI or an account payee cheque."
                )
            }
        )


def buy_old_gold(
    session: Session, actor: Actor, entry: OldGoldEntry, payout_method: str, payout_reference: str = ""
) -> OldGoldVoucher:
    """Buy old gold for money at today's rate: the voucher is numbered, the metal enters stock as a lot, and
    the amount rounded to the rupee is paid out by ``payout_method`` (bank, upi, cheque or cash; every
    method but cash needs its reference). Bad input or a cash payout over the day's limit changes nothing."""
    actor.require(BUY)
    method, reference = payout_method.strip().lower(), " ".join(payout_reference.split())
    errors: dict[str, str] = {}
    if method not in PAYOUT_METHODS:
        errors["payout_method"] = "Choose how the seller is paid: bank transfer, UPI, cheque or cash."
    elif method != "cash" and not reference:
        errors["payout_reference"] = "Give the UTR, UPI reference or cheque number of the payment."
    check_lengths(OldGoldVoucher, {"payout_reference": reference}, errors, {"payout_reference": "The reference"})
    today = actor.today()
    try:
        voucher = _voucher(session, actor, entry, _Seller(None, "", "", ""), today)
    except ValidationError as exc:
        raise ValidationError(errors | exc.fields) from None
    require_fields(errors)
    voucher.kind, voucher.payout_method, voucher.payout_reference = "buyback", method, reference
    voucher.round_off, voucher.paid = settle(voucher.amount, ZERO)
    session.add(voucher)
    _take_in(session, actor, voucher, session.get(Store, actor.store_id), today)  # the number's lock orders payouts
    if method == "cash":
        _check_cash(session, voucher)
    return voucher


# ---------------------------------------------------------------------------- reading vouchers


def get_voucher(session: Session, actor: Actor, voucher_id: int) -> OldGoldVoucher:
    """A voucher of the actor's store: buyers see every voucher, invoice staff the exchanges."""
    if not actor.can(CREATE):
        actor.require(BUY)
    voucher = session.get(OldGoldVoucher, voucher_id)
    if voucher is None or voucher.store_id != actor.store_id:
        raise NotFound("That old-gold voucher does not exist in this store.")
    if voucher.kind == "buyback":
        actor.require(BUY)
    return voucher


def voucher_view(actor: Actor, voucher: OldGoldVoucher) -> dict[str, str]:
    """A voucher as display text, personal details masked unless the actor may see them."""
    pii = actor.can(PII)
    return {
        "id": str(voucher.id),
        "number": voucher.number or "Draft",
        "date": f"{voucher.voucher_date:%d %b %Y}",
        "kind": KIND_LABELS.get(voucher.kind, voucher.kind),
        "status": STATUS_LABELS.get(voucher.status, voucher.status),
        "seller": voucher.seller_name,
        "customer_number": str(voucher.customer_id or ""),
        "address": voucher.seller_address if pii else "•••",
        "pan": voucher.seller_pan if pii else mask_pan(voucher.seller_pan),
        "id_proof": f"{id_kind_label(voucher.id_kind)} {shown_id(actor, voucher.id_number)}",
        "metal": f"{voucher.metal.title()} {voucher.fineness} (tested)",
        "description": voucher.description,
        "gross": f"{voucher.gross_weight:,.3f} g",
        "net": f"{voucher.net_weight:,.3f} g",
        "rate": f"{format_inr(voucher.rate, paise=True)}/g",
        "value": format_inr(voucher.value, paise=True),
        "deduction": f"{voucher.deduction_pct}% = {format_inr(voucher.deduction, paise=True)}",
        "amount": format_inr(voucher.amount, paise=True),
        "round_off": format_inr(voucher.round_off, paise=True),
        "paid": format_inr(voucher.paid, paise=True) if voucher.kind == "buyback" else "",
        "payout": PAYOUT_METHODS.get(voucher.payout_method, "Adjusted against the invoice"),
        "payout_reference": voucher.payout_reference,
    }


def _vouchers_base(actor: Actor, q: TableQuery) -> Select:
    stmt = select(OldGoldVoucher, Invoice.number).join(Invoice, Invoice.id == OldGoldVoucher.invoice_id, isouter=True)
    stmt = stmt.where(OldGoldVoucher.store_id == actor.store_id, OldGoldVoucher.status != "draft")
    if q.filters.get("kind") in KIND_LABELS:
        stmt = stmt.where(OldGoldVoucher.kind == q.filters["kind"])
    return stmt


def _voucher_row(r: Any, actor: Actor) -> dict[str, Any]:
    voucher, invoice_number = r
    shown = voucher_view(actor, voucher)
    keys = ("id", "number", "kind", "status", "seller", "id_proof", "metal", "payout")
    typed = {
        "date": voucher.voucher_date,
        "net": voucher.net_weight,
        "amount": voucher.amount,
        "paid": voucher.paid if voucher.kind == "buyback" else None,
    }
    return {key: shown[key] for key in keys} | typed | {"invoice": invoice_number or ""}


OLD_GOLD_VOUCHERS = TableSpec(
    name="billing-old-gold",
    title="Old-gold purchase vouchers",
    permission=BUY,
    columns=(
        Column("number", "Voucher"),
        Column("date", "Date", kind=Kind.DATE),
        Column("kind", "Kind", sortable=False),
        Column("seller", "Seller", sortable=False),
        Column("id_proof", "Identity document", sortable=False),
        Column("metal", "Metal", sortable=False),
        Column("net", "Net weight", sortable=False, kind=Kind.WEIGHT, shown=lambda grams: f"{grams:,.3f} g"),
        Column("amount", "Amount", sortable=False, kind=Kind.MONEY),
        Column("paid", "Paid out", sortable=False, kind=Kind.MONEY),
        Column("payout", "How", sortable=False),
        Column("invoice", "Against invoice", sortable=False),
        Column("status", "Status", sortable=False),
    ),
    base=_vouchers_base,
    row=_voucher_row,
    sort_columns={"number": OldGoldVoucher.number, "date": OldGoldVoucher.voucher_date},
    default_sort="date",
    newest_first=True,
    filters=(Filter("kind", "Kinds", tuple(KIND_LABELS.items())),),
    search_columns=(OldGoldVoucher.number, OldGoldVoucher.seller_name),
)
