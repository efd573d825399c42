"""Payments: receipts against issued invoices, refunds of a cancelled invoice, and the store's dues with ageing.

- A **receipt** is one tender (cash, card, UPI or bank transfer) with a gapless number in the store's
  RCT series (``MUM/R2627/00001``). A **split payment** is several receipts (:func:`take_split`
  takes them all or none); a **partial payment** leaves the rest due. Card, UPI and bank receipts need
  their reference (the card's last 4 digits, the UTR).
- **India's cash rule** (Income-tax Act, section 269ST): :func:`check_cash` refuses cash that would bring
  what was received to ₹2,00,000 or more (a) from one person in a day, (b) for one transaction, or (c) for
  one event or occasion of one person, across invoices, bookings, gold schemes and repair jobs; the
  message names the limit and how much cash is still allowed (:func:`cash_room`). See "The cash rule" below.
- ``Invoice.paid`` is the money held against the invoice. It rises with a conditional ``UPDATE ... WHERE
  paid + amount <= payable`` in the receipt's own transaction, so two counters can never overpay.
- **Old gold** is already credited on the invoice (payable = total − credit): :func:`payments_of` lists it
  as "Old gold credit" without a payment row. A booking's **advances** arrive as ``kind="applied"`` rows
  (:mod:`modules.billing.bookings`), with no receipt number: that money was receipted when it came in.
- A **cancelled** invoice takes no payments. What was paid stays on record; :func:`refund_cancelled` pays
  it back as one ``kind="refund"`` row and brings ``paid`` to zero (a manager's job, like the cancel).
- **Dues**: the balance (payable − paid) of every issued invoice, per customer and in ageing buckets by
  days since issue in the store's dates (0–30, 31–60, 61–90, over 90), aggregated in SQL.

Events: ``("billing.payment", "received", {"receipt", "number", "invoice", "booking", "customer_id",
"amount", "method"})`` for every receipt; ``number`` is the invoice's (or the booking's) number and
``amount`` is text.

Permissions: ``billing.payment.take`` (receipts), ``billing.invoice.cancel`` (refunds of a cancelled
invoice), ``billing.report.view`` (dues).

Extension point ``"billing.payment_methods"``: a module contributes dotted paths to :class:`ExternalMethod`
objects (loyalty's points, a savings scheme). Where that module is enabled, :func:`take_payment` accepts its
key: the method's ``take`` applies the redemption in the same transaction and returns the reference to
record; the receipt is numbered as usual and the cash rule does not apply.

Extension point ``"billing.cash_received"``: ``fn(session, actor, customer_id, day) -> Decimal``, the cash a
module received from the customer on the store date ``day`` outside billing's payments (loyalty's scheme
instalments); every installed module's answer counts, enabled in this store or not, as the same business
received that cash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, or_, select, text, type_coerce, update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.db import Money
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields
from jewelerp.events import emit
from jewelerp.money import format_inr
from jewelerp.registry import get_registry
from jewelerp.validation import PAISA, amount_limit_text, read_amount
from modules.billing.invoices import CANCEL
from modules.billing.models import Booking, Invoice, Payment
from modules.billing.numbering import RECEIPT, next_number

TAKE = "billing.payment.take"
REPORT = "billing.report.view"
ZERO = Decimal("0.00")
CASH_LIMIT = Decimal("200000")  # Income-tax Act s.269ST: "two lakh rupees or more" is refused
CASH_RECEIVED = "billing.cash_received"
METHODS = {"cash": "Cash", "card": "Card", "upi": "UPI", "bank": "Bank transfer"}
METHOD_OPTIONS = list(METHODS.items())  # (key, label) for a method drop-down
REFERENCE_HINT = "Card: last 4 digits · UPI or bank: the UTR · cash: leave empty · points: the PIN if asked"
ONLINE = "online"  # paid through a payment gateway (modules.payments): only a gateway's webhook records it
METHOD_LABELS = {**METHODS, ONLINE: "Online (gateway)", "advance": "Booking advance", "old_gold": "Old gold credit"}
KIND_LABELS = {"receipt": "Receipt", "applied": "Advance applied", "refund": "Refund", "credit": "Credit"}
REFERENCES = {
    "card": (re.compile(r"^\d{4}$"), "For a card, enter the card's last 4 digits, e.g. 4821."),
    "upi": (re.compile(r"^[A-Za-z0-9]{6,35}$"), "For UPI, enter the transaction reference (UTR), e.g. 412345678901."),
    "bank": (re.compile(r"^[A-Za-z0-9]{6,35}$"), "For a bank transfer, enter its UTR, e.g. HDFCN52026050112345."),
    ONLINE: (re.compile(r"^[A-Za-z0-9_]{6,60}$"), "An online payment needs the gateway's payment id."),
}
METHOD_HINT = "Choose the method: cash, card, UPI or bank transfer."
AMOUNT_HINT = f"Enter the amount in rupees, more than 0 and up to {amount_limit_text()}, e.g. 25000."
AGEING = (
    ("days_0_30", "0–30 days"),
    ("days_31_60", "31–60 days"),
    ("days_61_90", "61–90 days"),
    ("over_90", "Over 90 days"),
)


@dataclass(frozen=True)
class Tender:
    """One checked tender: how much, by which method, with which reference."""

    method: str
    amount: Decimal
    reference: str


class PaymentMethod(Protocol):
    """A ``"billing.payment_methods"`` contribution (an :class:`ExternalMethod`): its key, label and take."""

    key: str
    label: str

    def take(self, session: Session, actor: Actor, invoice: Invoice, amount: Decimal, reference: str) -> str: ...


class CashReceived(Protocol):
    """A ``"billing.cash_received"`` contribution: the cash the module received from the customer on ``day``."""

    def __call__(self, session: Session, actor: Actor, customer_id: int, day: date) -> Decimal: ...


@dataclass(frozen=True)
class ExternalMethod:
    """A payment method another module provides (contributions key ``"billing.payment_methods"``).

    ``take(session, actor, invoice, amount, reference)`` applies the redemption inside the caller's
    transaction and returns the reference text to record on the receipt; it raises JewelError or
    ValidationError to refuse. ``key`` is at most 10 characters (``Payment.method``).
    """

    key: str
    label: str
    take: Callable[[Session, Actor, Invoice, Decimal, str], str]


@dataclass(frozen=True)
class PaymentLine:
    """One row of an invoice's payments list (a payment row, or the invoice's old gold credit)."""

    receipt: str
    kind: str
    method: str
    amount: Decimal
    reference: str
    on: date | None
    received_by: str


# ---------------------------------------------------------------------------- tenders

PAYMENT_METHODS = "billing.payment_methods"


def external_methods(actor: Actor | None = None) -> dict[str, ExternalMethod]:
    """The contributed payment methods by key: of the modules enabled in the actor's store, or of every
    module when ``actor`` is None (for labels)."""
    return {method.key: method for method in get_registry().contributions(PAYMENT_METHODS, actor)}


def method_options(actor: Actor) -> list[tuple[str, str]]:
    """(key, label) of every payment method the actor's store offers on an invoice: own ones first."""
    return [*METHODS.items(), *((m.key, m.label) for m in external_methods(actor).values())]


def method_label(method: str) -> str:
    """How a payment method reads: "UPI", "Booking advance", "Loyalty points"."""
    if method in METHOD_LABELS:
        return METHOD_LABELS[method]
    external = external_methods().get(method)
    return external.label if external else method


def parse_amount(raw: str | Decimal) -> Decimal | None:
    """Rupees from text ("25,000", "₹1999.50"): more than 0 and at most
    :data:`~jewelerp.validation.MAX_AMOUNT`, with at most 2 decimals, else None."""
    return read_amount(raw, low=PAISA)


def check_method(method: str) -> str:
    """A payment method key (cash, card, upi, bank); ValidationError keyed ``method`` otherwise."""
    key = str(method).strip().lower()
    if key not in METHODS:
        raise ValidationError({"method": METHOD_HINT})
    return key


def parse_tender(
    method: str, amount: str | Decimal, reference: str = "", *, refund: bool = False, online: bool = False
) -> Tender:
    """Check a tender typed at the counter; ValidationError keyed ``method``, ``amount`` or ``reference``.

    A receipt by card, UPI or bank needs its reference; a refund's reference is optional (the transfer may
    not have a UTR yet). Cash is checked against section 269ST where it is received (:func:`check_cash`).
    ``online=True`` (a payment gateway's webhook, never the counter) also accepts :data:`ONLINE` with the
    gateway's payment id as the reference.
    """
    errors: dict[str, str] = {}
    key = str(method).strip().lower()
    if key not in METHODS and not (online and key == ONLINE):
        errors["method"] = METHOD_HINT
    value = parse_amount(amount)
    if value is None:
        errors["amount"] = AMOUNT_HINT
    text = " ".join(str(reference).split())
    if not refund and key in REFERENCES and not REFERENCES[key][0].match(text):
        errors["reference"] = REFERENCES[key][1]
    require_fields(errors)
    return Tender(key, value, text[:120])


# ---------------------------------------------------------------------------- the cash rule (section 269ST)

CLAUSES = {"a": "one person in a day", "b": "one transaction", "c": "one event or occasion"}


@dataclass(frozen=True)
class CashFor:
    """What a cash receipt is for, as section 269ST of the Income-tax Act counts it.

    ``customer_id`` is clienteling's customer number: the "person" of limits (a) and (c). A walk-in (None)
    is one person for this document only, so only limit (b) applies. ``transaction`` names the transaction
    in messages ("invoice MUM/2627/000123"); its cash is the cash receipts of the billing documents
    ``invoice_ids`` and ``booking_ids``, plus ``earlier``: what it received outside billing (a gold
    scheme's instalments). ``occasion`` is the event the money is for ("" for none).
    """

    customer_id: int | None
    customer_name: str
    transaction: str
    invoice_ids: tuple[int, ...] = ()
    booking_ids: tuple[int, ...] = ()
    earlier: Decimal = ZERO
    occasion: str = ""


@dataclass(frozen=True)
class CashRoom:
    """The most cash still allowed, and the limit of section 269ST that sets it (the tightest one).

    ``clause`` is "a", "b" or "c" (:data:`CLAUSES`), ``subject`` whose or what cash that limit counts
    ("Cash today from Asha Rao") and ``received`` the cash it counts already.
    """

    amount: Decimal
    clause: str
    subject: str
    received: Decimal

    def limit(self) -> str:
        """The limit's name: "section 269ST(a), one person in a day"."""
        return f"section 269ST({self.clause}), {CLAUSES[self.clause]}"

    def hint(self) -> str:
        """What the payment form says: "Cash still allowed: ₹45,000.00 (section 269ST(a), one person in a day)"."""
        return f"Cash still allowed: {format_inr(self.amount, paise=True)} ({self.limit()})."

    def refusal(self) -> str:
        """Why more cash than :attr:`amount` is refused: the limit, the cash counted, what is still allowed."""
        more = f"at most {format_inr(self.amount, paise=True)} more in cash" if self.amount > 0 else "no more cash"
        counted = f"; {format_inr(self.received, paise=True)} received already" if self.received else ""
        return (
            f"{self.subject} would reach {format_inr(CASH_LIMIT)} ({self.limit()}{counted}): {more}. "
            "Take the rest by card, UPI or bank transfer."
        )


def cash_for(document: Invoice | Booking) -> CashFor:
    """A sale's document as section 269ST sees it: the invoice and the booking it completes are one
    transaction (advances and later receipts, on any day), of the document's customer and occasion."""
    if isinstance(document, Invoice):
        invoice_id, booking_id, label = document.id, document.booking_id, f"invoice {document.number}"
        label += " and its booking" if booking_id else ""
    else:
        invoice_id, booking_id, label = document.invoice_id, document.id, f"booking {document.number}"
    return CashFor(
        document.customer_id,
        document.customer_name,
        label,
        tuple(x for x in (invoice_id,) if x is not None),
        tuple(x for x in (booking_id,) if x is not None),
        occasion=document.occasion,
    )


def _cash_receipts(session: Session, *where: object) -> Decimal:
    """The cash receipts of billing's payments that match ``where`` (refunds and applied advances never count)."""
    total = session.scalar(
        select(func.sum(Payment.amount)).where(Payment.kind == "receipt", Payment.method == "cash", *where)
    )
    return total or ZERO


def _day_cash(session: Session, actor: Actor, customer_id: int, day: date) -> Decimal:
    """Cash from the customer on the store date ``day``: billing's receipts in every store, and what every
    installed module contributes under ``"billing.cash_received"``."""
    elsewhere = sum(
        (
            Decimal(received(session, actor, customer_id, day))
            for received in get_registry().contributions(CASH_RECEIVED, None)
        ),
        ZERO,
    )
    return elsewhere + _cash_receipts(session, Payment.customer_id == customer_id, Payment.on == day)


def _transaction_cash(session: Session, what: CashFor) -> Decimal:
    """Cash received for the transaction on any day: its documents' cash receipts and ``what.earlier``."""
    if not (what.invoice_ids or what.booking_ids):
        return what.earlier
    documents = or_(Payment.invoice_id.in_(what.invoice_ids), Payment.booking_id.in_(what.booking_ids))
    return what.earlier + _cash_receipts(session, documents)


def _occasion_cash(session: Session, customer_id: int, occasion: str) -> Decimal:
    """Cash from the customer for the occasion on any day: the receipts of their invoices and bookings that
    name it (ignoring case)."""
    name = func.lower(occasion)
    invoices = select(Invoice.id).where(Invoice.customer_id == customer_id, func.lower(Invoice.occasion) == name)
    bookings = select(Booking.id).where(Booking.customer_id == customer_id, func.lower(Booking.occasion) == name)
    return _cash_receipts(session, or_(Payment.invoice_id.in_(invoices), Payment.booking_id.in_(bookings)))


def cash_room(session: Session, actor: Actor, what: CashFor, day: date) -> CashRoom:
    """How much more cash may be received for ``what`` on the store date ``day`` (the caller checked the
    permission). Section 269ST refuses ₹2,00,000 or more in cash (a) from one person in a day, (b) for one
    transaction, (c) for one event or occasion of one person; the tightest limit sets the room.

    Cash once received counts: a refund or a cancelled invoice does not give the room back.
    """
    counted = [("b", f"Cash for {what.transaction}", _transaction_cash(session, what))]
    if what.customer_id is not None:
        who = what.customer_name or f"customer {what.customer_id}"
        when = "today" if day == actor.today() else f"on {day:%d %b %Y}"
        counted.append(("a", f"Cash {when} from {who}", _day_cash(session, actor, what.customer_id, day)))
        if what.occasion:
            cash = _occasion_cash(session, what.customer_id, what.occasion)
            counted.append(("c", f"Cash from {who} for the occasion “{what.occasion}”", cash))
    clause, subject, received = max(counted, key=lambda row: row[2])
    return CashRoom(max(CASH_LIMIT - PAISA - received, ZERO), clause, subject, received)


def _queue_cash(session: Session, what: CashFor) -> None:
    """Make receipts of cash from one customer (a walk-in: for one document) wait for each other.

    SQLite begins every write transaction with ``BEGIN IMMEDIATE``, which already serialises writers; on
    PostgreSQL a transaction-scoped advisory lock per customer (a walk-in's documents) does it.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    if what.customer_id is not None:
        keys = [(269, what.customer_id)]
    else:
        keys = sorted([(2691, i) for i in what.invoice_ids] + [(2692, b) for b in what.booking_ids])
    for space, key in keys:
        session.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(:key AS integer))"),
            {"space": space, "key": key},
        )


def check_cash(session: Session, actor: Actor, amount: Decimal, what: CashFor, day: date) -> None:
    """Refuse cash of ``amount`` for ``what`` on the store date ``day`` when section 269ST forbids it:
    ValidationError keyed ``amount`` naming the limit and the cash still allowed (:func:`cash_room`).

    The one place of the cash rule: billing's receipts, loyalty's scheme instalments and the repairs bridge
    call it in the write transaction that records the cash, so two counters taking cash from one customer
    at once queue and cannot both pass.
    """
    _queue_cash(session, what)
    room = cash_room(session, actor, what, day)
    if amount > room.amount:
        raise ValidationError({"amount": room.refusal()})


def receive(
    session: Session, actor: Actor, tender: Tender, *, invoice: Invoice | None = None, booking: Booking | None = None
) -> Payment:
    """Write one numbered receipt for an issued invoice (raising its ``paid``) or for a booking; the caller
    checked the document and the balance. Cash is checked first against section 269ST (:func:`check_cash`).
    """
    document = invoice if invoice is not None else booking
    today = actor.today()
    if tender.method == "cash":
        check_cash(session, actor, tender.amount, cash_for(document), today)
    if invoice is not None:
        add_paid(session, invoice, tender.amount)
    invoice_id, booking_id = (invoice.id, invoice.booking_id) if invoice is not None else (None, booking.id)
    store = session.get(Store, actor.store_id)
    payment = Payment(
        store_id=store.id,
        invoice_id=invoice_id,
        booking_id=booking_id,
        customer_id=document.customer_id,
        receipt_number=next_number(session, store.id, store.code, RECEIPT, today),
        kind="receipt",
        method=tender.method,
        amount=tender.amount,
        reference=tender.reference,
        on=today,
        received_by=actor.user_name,
    )
    session.add(payment)
    session.flush()
    emit(
        session,
        actor,
        "billing.payment",
        "received",
        {
            "receipt": payment.receipt_number,
            "number": document.number,
            "invoice": invoice_id,
            "booking": booking_id,
            "customer_id": document.customer_id,
            "amount": str(tender.amount),
            "method": tender.method,
        },
    )
    return payment


# ---------------------------------------------------------------------------- invoices


def balance(invoice: Invoice) -> Decimal:
    """What is still due on an invoice: payable − paid."""
    return invoice.payable - invoice.paid


def _invoice(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.store_id != actor.store_id or invoice.kind != "invoice":
        raise NotFound("That invoice does not exist in this store.")
    return invoice


def open_invoice(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    """An issued invoice of the actor's store that can take money; a draft or a cancelled one is refused."""
    invoice = _invoice(session, actor, invoice_id)
    if invoice.status == "draft":
        raise JewelError("Issue the invoice before taking a payment (an advance is taken with a booking).")
    if invoice.status != "issued":
        raise JewelError(f"Invoice {invoice.number} is cancelled: it takes no payments.")
    return invoice


def add_paid(session: Session, invoice: Invoice, amount: Decimal) -> None:
    """Raise ``invoice.paid`` by ``amount`` with a conditional UPDATE that cannot overpay.

    Refuses (JewelError) when the invoice is no longer issued or the amount is above the balance now.
    """
    done = session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == "issued", Invoice.paid + amount <= Invoice.payable)
        .values(paid=Invoice.paid + amount)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(invoice)
    if done:
        return
    if invoice.status != "issued":
        raise JewelError(f"Invoice {invoice.number} was cancelled just now: it takes no payments.")
    raise JewelError(
        f"{format_inr(amount, paise=True)} is more than the balance of {format_inr(balance(invoice), paise=True)} "
        f"on invoice {invoice.number}."
    )


def take_payment(
    session: Session,
    actor: Actor,
    invoice_id: int,
    method: str,
    amount: str | Decimal,
    reference: str = "",
    *,
    online: bool = False,
) -> Payment:
    """Receive one payment against an issued invoice of the actor's store; returns the numbered receipt.

    The amount is more than 0 and at most the balance; bad input raises ValidationError and changes nothing.
    A contributed method (:class:`ExternalMethod`) applies its redemption first and records its reference.
    ``online``: a payment gateway's webhook (see :func:`parse_tender`).
    """
    actor.require(TAKE)
    invoice = open_invoice(session, actor, invoice_id)
    external = external_methods(actor).get(str(method).strip().lower())
    tender = _external_tender(external, amount) if external else parse_tender(method, amount, reference, online=online)
    due = balance(invoice)
    if due <= 0:
        raise JewelError(f"Invoice {invoice.number} is fully paid.")
    if tender.amount > due:
        raise ValidationError(
            {
                "amount": f"{format_inr(tender.amount, paise=True)} is more than the balance of "
                f"{format_inr(due, paise=True)}."
            }
        )
    if external:
        tender = Tender(external.key, tender.amount, external.take(session, actor, invoice, tender.amount, reference))
    return receive(session, actor, tender, invoice=invoice)


def _external_tender(method: ExternalMethod, amount: str | Decimal) -> Tender:
    """A contributed method's amount checked like any other (its reference comes from ``take``)."""
    value = parse_amount(amount)
    if value is None:
        raise ValidationError({"amount": AMOUNT_HINT})
    return Tender(method.key, value, "")


def take_split(
    session: Session, actor: Actor, invoice_id: int, tenders: Sequence[tuple[str, str | Decimal, str]]
) -> list[Payment]:
    """Receive a split payment, e.g. ``[("cash", "50000", ""), ("card", "25000", "4821")]``: all or nothing.

    Each tender gets its own receipt; any refusal raises, and the caller's unit of work writes none.
    """
    if not tenders:
        raise ValidationError({"amount": AMOUNT_HINT})
    return [take_payment(session, actor, invoice_id, *tender) for tender in tenders]


def payments_of(session: Session, actor: Actor, invoice_id: int) -> list[PaymentLine]:
    """An invoice's old gold credit and its payments (receipts, applied advances, refunds), oldest first."""
    actor.require(TAKE)
    invoice = _invoice(session, actor, invoice_id)
    lines = []
    if invoice.old_gold_credit:
        lines.append(PaymentLine("", "credit", "old_gold", invoice.old_gold_credit, "", invoice.invoice_date, ""))
    rows = session.scalars(select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.id))
    return lines + [payment_line(p) for p in rows]


def payment_line(payment: Payment) -> PaymentLine:
    """A payment row as a line of a payments list."""
    return PaymentLine(
        payment.receipt_number or "",
        payment.kind,
        payment.method,
        payment.amount,
        payment.reference,
        payment.on,
        payment.received_by,
    )


def refund_cancelled(session: Session, actor: Actor, invoice_id: int, method: str, reference: str = "") -> Payment:
    """Pay back what a cancelled invoice had received, as one refund row; ``paid`` goes back to 0."""
    actor.require(CANCEL)
    invoice = _invoice(session, actor, invoice_id)
    if invoice.status != "cancelled":
        raise JewelError("Only a cancelled invoice's payments are refunded.")
    amount = invoice.paid
    if amount <= 0:
        raise JewelError(f"Nothing is left to refund on invoice {invoice.number}.")
    tender = parse_tender(method, amount, reference, refund=True)
    done = session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == "cancelled", Invoice.paid == amount)
        .values(paid=ZERO)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(invoice)
    if not done:
        raise JewelError("This invoice's payments were refunded by someone else just now.")
    payment = Payment(
        store_id=invoice.store_id,
        invoice_id=invoice.id,
        booking_id=invoice.booking_id,
        customer_id=invoice.customer_id,
        kind="refund",
        method=tender.method,
        amount=amount,
        reference=tender.reference,
        on=actor.today(),
        received_by=actor.user_name,
    )
    session.add(payment)
    session.flush()
    return payment


# ---------------------------------------------------------------------------- dues and ageing


def _day_starts(actor: Actor) -> tuple[datetime, datetime, datetime]:
    """The UTC instants at which the store's days ``today − 30``, ``− 60`` and ``− 90`` began."""
    today, zone = actor.today(), ZoneInfo(actor.time_zone)
    return tuple(datetime.combine(today - timedelta(days=days), time(), zone).astimezone(UTC) for days in (30, 60, 90))


def _open_dues(actor: Actor) -> list:
    return [
        Invoice.store_id == actor.store_id,
        Invoice.kind == "invoice",
        Invoice.status == "issued",
        Invoice.payable > Invoice.paid,
    ]


def _money(expression: object) -> object:
    return type_coerce(expression, Money())


def dues_statement(actor: Actor) -> Select:
    """Per customer: open invoices, balance per ageing bucket and in total (one grouped SQL statement).

    Walk-in customers (no customer number) are grouped by the name on the invoice.
    """
    start_30, start_60, start_90 = _day_starts(actor)
    due = Invoice.payable - Invoice.paid
    buckets = (
        Invoice.issued_at >= start_30,
        and_(Invoice.issued_at < start_30, Invoice.issued_at >= start_60),
        and_(Invoice.issued_at < start_60, Invoice.issued_at >= start_90),
        Invoice.issued_at < start_90,
    )
    return (
        select(
            Invoice.customer_id.label("customer_id"),
            func.max(Invoice.customer_name).label("customer_name"),
            func.count(Invoice.id).label("invoices"),
            *[
                _money(func.sum(case((bucket, due), else_=0))).label(key)
                for bucket, (key, _label) in zip(buckets, AGEING, strict=True)
            ],
            _money(func.sum(due)).label("total"),
            func.min(Invoice.issued_at).label("oldest"),
        )
        .where(*_open_dues(actor))
        .group_by(Invoice.customer_id, case((Invoice.customer_id.is_(None), Invoice.customer_name), else_=""))
    )


def open_dues_statement(actor: Actor) -> Select:
    """The issued invoices of the store with a balance, one row each."""
    return select(Invoice).where(*_open_dues(actor))


def dues(session: Session, actor: Actor) -> list[dict]:
    """Each customer's dues: ``customer_id``, ``customer_name``, ``invoices``, the four ageing buckets
    (:data:`AGEING` keys) and ``total`` as Decimal, largest total first."""
    actor.require(REPORT)
    rows = session.execute(dues_statement(actor).order_by(_money(func.sum(Invoice.payable - Invoice.paid)).desc()))
    return [dict(row._mapping) for row in rows]


def age_in_days(actor: Actor, issued_at: datetime) -> int:
    """Days from the store-local date of issue to the store's today."""
    return (actor.today() - actor.local(issued_at).date()).days
