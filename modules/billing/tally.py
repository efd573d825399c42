"""The month's vouchers as Tally XML for the accountant: sales invoices, receipts and refunds, credit notes.

The file is Tally's import envelope (``ENVELOPE/HEADER/TALLYREQUEST`` "Import Data", ``BODY/IMPORTDATA`` with
``REQUESTDESC`` naming the "Vouchers" report and ``REQUESTDATA`` holding one ``TALLYMESSAGE/VOUCHER`` per
document), built with ElementTree so every name and narration is escaped. Ledgers are the store's settings
``billing.tally_*_ledger`` (defaults in the billing manifest); a setting left blank takes its default.

Tally's sign convention: a debit line has ``ISDEEMEDPOSITIVE`` Yes and a negative ``AMOUNT``, a credit line No
and a positive one, so every voucher's amounts add up to zero (debits = credits).

- **Sales** (each invoice issued in the month, one cancelled since included, as in the GST summary): Dr party
  the amount to collect, Dr old gold the exchange credit; Cr sales the taxable value, Cr CGST / SGST / IGST,
  and the invoice's and the settlement's round-off on the round-off ledger (either side).
- **Credit Note** (each written in the month): the sale reversed: Dr sales and taxes, Cr party the invoice
  total, the invoice's round-off reversed. The old gold taken in stays bought.
- **Receipt** (money received in the month, by the store's date): Dr the method's ledger (cash, bank, card,
  UPI; another module's method, e.g. "Gold scheme", a ledger of its name), Cr party. **Payment**: a refund,
  the other way round. Booking advances moved onto their invoice move no money and are left out.

Permission: ``billing.returns.export`` in the store.
"""

from __future__ import annotations

import calendar
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.money import ZERO
from modules.billing import TALLY_LEDGERS
from modules.billing.gstr1 import RETURNS, local_day
from modules.billing.models import CreditNote, Invoice, Payment
from modules.billing.payments import METHODS, external_methods
from modules.billing.reports import ReportStore, _day_starts, _issued_between, report_stores, written_between

LEDGER_KEYS = ("sales", "cgst", "sgst", "igst", "round_off", "party", "cash", "bank", "card", "upi", "old_gold")


@dataclass(frozen=True)
class Voucher:
    """One Tally voucher: its type, number, date, narration and ledger lines (``+`` credit, ``−`` debit)."""

    kind: str
    number: str
    day: date
    narration: str
    party: str
    entries: tuple[tuple[str, Decimal], ...]

    @property
    def debits(self) -> Decimal:
        """The voucher's debit total."""
        return -sum((a for _ledger, a in self.entries if a < 0), ZERO)

    @property
    def credits(self) -> Decimal:
        """The voucher's credit total."""
        return sum((a for _ledger, a in self.entries if a > 0), ZERO)


def ledgers(session: Session, store_id: int) -> dict[str, str]:
    """The store's Tally ledger names by role (``sales``, ``cgst`` ... ``old_gold``)."""
    defaults = {key: default for key, _what, default in TALLY_LEDGERS}
    named = {key: str(get_setting(session, store_id, f"billing.tally_{key}_ledger")).strip() for key in LEDGER_KEYS}
    return {key: name or defaults[key] for key, name in named.items()}


def _entries(*lines: tuple[str, Decimal]) -> tuple[tuple[str, Decimal], ...]:
    """Lines on the same ledger added up; lines of zero left out."""
    sums: dict[str, Decimal] = {}
    for ledger, amount in lines:
        sums[ledger] = sums.get(ledger, ZERO) + amount
    return tuple((ledger, amount) for ledger, amount in sums.items() if amount)


def _sale(names: dict[str, str], invoice: Invoice) -> tuple[tuple[str, Decimal], ...]:
    """The sale's lines, credits positive: what a Sales voucher books and a Credit Note reverses."""
    return (
        (names["sales"], invoice.taxable),
        (names["cgst"], invoice.cgst),
        (names["sgst"], invoice.sgst),
        (names["igst"], invoice.igst),
        (names["round_off"], invoice.round_off),
    )


def month_vouchers(session: Session, actor: Actor, year: int, month: int) -> list[Voucher]:
    """The actor's store's sales, credit notes, receipts and refunds of the month, in date order."""
    store = report_stores(session, actor, permission=RETURNS)[0]
    names = ledgers(session, store.id)
    start = date(year, month, 1)
    end = start.replace(day=calendar.monthrange(year, month)[1])
    starts = _day_starts(store, start, end)
    vouchers = _sales(session, store, starts, names) + _credit_notes(session, store, starts, names)
    vouchers += _payments(session, actor, store, start, end, names)
    return sorted(vouchers, key=lambda v: (v.day, v.kind, v.number))


def _sales(session: Session, store: ReportStore, starts: list[datetime], names: dict[str, str]) -> list[Voucher]:
    stmt = _issued_between(select(Invoice), store, starts, ("issued", "cancelled")).order_by(Invoice.number)
    vouchers = []
    for invoice in session.scalars(stmt):
        entries = _entries(
            (names["party"], -invoice.payable),
            (names["old_gold"], -invoice.old_gold_credit),
            *_sale(names, invoice),
            (names["round_off"], invoice.settlement_round_off),
        )
        day = local_day(invoice.issued_at, store.time_zone)
        narration = f"Invoice {invoice.number} to {invoice.customer_name or 'a walk-in customer'}"
        vouchers.append(Voucher("Sales", invoice.number, day, narration, names["party"], entries))
    return vouchers


def _credit_notes(session: Session, store: ReportStore, starts: list[datetime], names: dict[str, str]) -> list[Voucher]:
    stmt = written_between(select(CreditNote, Invoice), store, starts).join(
        Invoice, Invoice.id == CreditNote.invoice_id
    )
    vouchers = []
    for note, invoice in session.execute(stmt.order_by(CreditNote.number)):
        reversed_sale = ((ledger, -amount) for ledger, amount in _sale(names, invoice))
        entries = _entries(*reversed_sale, (names["party"], invoice.total))
        day = local_day(note.created_at, store.time_zone)
        narration = f"Credit note {note.number} cancels invoice {invoice.number}: {note.reason}"
        vouchers.append(Voucher("Credit Note", note.number, day, narration, names["party"], entries))
    return vouchers


def _payments(
    session: Session, actor: Actor, store: ReportStore, start: date, end: date, names: dict[str, str]
) -> list[Voucher]:
    others = {key: method.label for key, method in external_methods(actor).items()}
    stmt = (
        select(Payment, Invoice.number, Invoice.customer_name)
        .outerjoin(Invoice, Invoice.id == Payment.invoice_id)
        .where(
            Payment.store_id == store.id,
            Payment.on >= start,
            Payment.on <= end,
            Payment.kind.in_(("receipt", "refund")),
        )
        .order_by(Payment.on, Payment.id)
    )
    vouchers = []
    for payment, invoice_number, customer in session.execute(stmt):
        ledger = names[payment.method] if payment.method in METHODS else others.get(payment.method, payment.method)
        sign = 1 if payment.kind == "receipt" else -1
        entries = _entries((ledger, -sign * payment.amount), (names["party"], sign * payment.amount))
        against = f"invoice {invoice_number}" if invoice_number else "a booking"
        who = f" from {customer}" if customer and sign > 0 else ""
        narration = f"{'Received' if sign > 0 else 'Refunded'} for {against}{who}"
        if payment.reference:
            narration += f" (ref. {payment.reference})"
        kind = "Receipt" if sign > 0 else "Payment"
        vouchers.append(Voucher(kind, payment.receipt_number or "", payment.on, narration, names["party"], entries))
    return vouchers


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _child(parent: ET.Element, tag: str, text: str | None = None, **attributes: Any) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def tally_xml(vouchers: list[Voucher]) -> bytes:
    """Tally's import envelope holding the vouchers (UTF-8, escaped by ElementTree)."""
    envelope = ET.Element("ENVELOPE")
    _child(_child(envelope, "HEADER"), "TALLYREQUEST", "Import Data")
    importdata = _child(_child(envelope, "BODY"), "IMPORTDATA")
    description = _child(importdata, "REQUESTDESC")
    _child(description, "REPORTNAME", "Vouchers")
    data = _child(importdata, "REQUESTDATA")
    for voucher in vouchers:
        message = _child(data, "TALLYMESSAGE", **{"xmlns:UDF": "TallyUDF"})
        element = _child(message, "VOUCHER", VCHTYPE=voucher.kind, ACTION="Create")
        _child(element, "DATE", voucher.day.strftime("%Y%m%d"))
        _child(element, "VOUCHERTYPENAME", voucher.kind)
        if voucher.number:
            _child(element, "VOUCHERNUMBER", voucher.number)
        _child(element, "PARTYLEDGERNAME", voucher.party)
        _child(element, "NARRATION", voucher.narration)
        for ledger, amount in voucher.entries:
            line = _child(element, "ALLLEDGERENTRIES.LIST")
            _child(line, "LEDGERNAME", ledger)
            _child(line, "ISDEEMEDPOSITIVE", "Yes" if amount < 0 else "No")
            _child(line, "AMOUNT", _amount(amount))
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)
