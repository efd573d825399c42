"""Advance bookings (layaway): a piece reserved for a customer against advances, then sold or released.

- :func:`book_piece` reserves the piece through stock's ledger (``reserve``, referenced by the booking
  number ``MUM/A2627/00001``) and takes the first advance as a numbered receipt. With a **rate
  lock** the booking keeps today's date (``locked_on``) and today's price of the piece (``quoted``); the
  invoice is then priced at that day's rates, and advances may not exceed the locked price.
- The **schedule** is the first advance (due on the booking day) and the planned instalments; each
  instalment shows paid / part paid / due / overdue from the sum of the receipts, oldest first.
- :func:`pay_instalment` takes a further advance (same tenders and cash rule as invoices).
- :func:`complete_booking` makes the invoice (priced at the locked day, or today), issues it, which sells
  the reserved piece, and applies the advances to it (``kind="applied"``). Advances above the invoice's
  payable (the rate fell, no lock) are refunded at once as a ``kind="refund"`` row, so the customer never
  has money stuck on a closed booking. A sale above the store's approval amount
  (:mod:`modules.billing.approvals`) is approved by a manager who completes it; a salesperson's
  completion leaves the draft waiting for approval and the booking open, to be completed again.
- :func:`cancel_booking` releases the piece (``unreserve``) and refunds the advances less the store's
  ``billing.booking_forfeit_pct`` (its refund rule), as one refund row.

Everything happens in the caller's unit of work: a failure midway leaves no booking, payment or stock
movement behind. Permission ``billing.booking.manage``; taking money also needs ``billing.payment.take``.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields
from jewelerp.money import format_inr
from jewelerp.validation import amount_limit_text, check_lengths, read_int, too_long
from modules.billing.approvals import APPROVE, approve, needs_approval, request_approval
from modules.billing.customer_link import billed_customer
from modules.billing.invoices import (
    CUSTOMER_LABELS,
    PAN_RE,
    add_piece_line,
    create_draft,
    issue_invoice,
    lines_of,
    pan_required,
    remove_line,
    set_customer_pan,
)
from modules.billing.models import Booking, BookingInstalment, Invoice, Payment
from modules.billing.numbering import BOOKING, next_number
from modules.billing.payments import (
    TAKE,
    ZERO,
    PaymentLine,
    Tender,
    add_paid,
    balance,
    check_method,
    parse_amount,
    parse_tender,
    payment_line,
    receive,
)
from modules.billing.pricing import HUNDRED, paisa
from modules.billing.rates import require_rate
from modules.billing.supply import Recipient, check_recipient
from modules.billing.tag_price import piece_price
from modules.stock.api import get_metal, get_piece, metal_label, move

MANAGE = "billing.booking.manage"
MAX_INSTALMENTS = 24
STATUSES = (("open", "Open"), ("completed", "Completed"), ("cancelled", "Cancelled"))
PAN_MESSAGE = "PAN is 5 letters, 4 digits and a letter, e.g. ABCDE1234F."


@dataclass(frozen=True)
class InstalmentLine:
    """One instalment with what the receipts cover of it and its status (paid, part paid, due, overdue)."""

    due_on: date
    amount: Decimal
    covered: Decimal
    status: str


@dataclass(frozen=True)
class BookingDetail:
    """Everything the booking page shows."""

    booking: Booking
    advances: Decimal
    schedule: list[InstalmentLine]
    payments: list[PaymentLine]
    refund_on_cancel: Decimal
    forfeit_pct: Decimal


# ---------------------------------------------------------------------------- reading


def get_booking(session: Session, actor: Actor, booking_id: int, *, lock: bool = False) -> Booking:
    """A booking of the actor's store (``lock`` holds its row until the transaction ends)."""
    actor.require(MANAGE)
    booking = session.get(Booking, booking_id, with_for_update=lock or None)
    if booking is None or booking.store_id != actor.store_id:
        raise NotFound("That booking does not exist in this store.")
    return booking


def _open(session: Session, actor: Actor, booking_id: int) -> Booking:
    booking = get_booking(session, actor, booking_id, lock=True)
    if booking.status != "open":
        raise JewelError(f"Booking {booking.number} is {booking.status}.")
    return booking


def advances(session: Session, booking_id: int) -> Decimal:
    """The advances received on a booking (its receipts)."""
    total = session.scalar(
        select(func.sum(Payment.amount)).where(Payment.booking_id == booking_id, Payment.kind == "receipt")
    )
    return total or ZERO


def _schedule(session: Session, booking: Booking, paid: Decimal, today: date) -> list[InstalmentLine]:
    rows = session.scalars(
        select(BookingInstalment)
        .where(BookingInstalment.booking_id == booking.id)
        .order_by(BookingInstalment.due_on, BookingInstalment.id)
    )
    lines, left = [], paid
    for row in rows:
        covered = min(max(left, ZERO), row.amount)
        left -= row.amount
        if covered == row.amount:
            status = "paid"
        elif booking.status != "open":
            status = "closed"
        elif row.due_on < today:
            status = "overdue"
        else:
            status = "part paid" if covered > 0 else "due"
        lines.append(InstalmentLine(row.due_on, row.amount, covered, status))
    return lines


def cancel_terms(session: Session, booking: Booking) -> tuple[Decimal, Decimal]:
    """(refund, forfeit %) if the booking were cancelled now: advances × (100 − forfeit %) / 100."""
    pct = min(max(Decimal(get_setting(session, booking.store_id, "billing.booking_forfeit_pct")), ZERO), HUNDRED)
    return paisa(advances(session, booking.id) * (HUNDRED - pct) / HUNDRED), pct


def booking_detail(session: Session, actor: Actor, booking_id: int) -> BookingDetail:
    """The booking with its advances, schedule, payments and what cancelling would refund."""
    booking = get_booking(session, actor, booking_id)
    paid = advances(session, booking.id)
    refund, pct = cancel_terms(session, booking)
    rows = session.scalars(select(Payment).where(Payment.booking_id == booking.id).order_by(Payment.id))
    payments = [payment_line(p) for p in rows]
    return BookingDetail(booking, paid, _schedule(session, booking, paid, actor.today()), payments, refund, pct)


# ---------------------------------------------------------------------------- booking


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def monthly_plan(start: date, count: str | int, amount: str | Decimal) -> list[tuple[date, Decimal]]:
    """``count`` monthly instalments of ``amount`` after ``start`` (none when the count is empty or 0).

    Bad input raises ValidationError keyed ``instalments`` or ``instalment_amount``.
    """
    number = read_int(str(count).strip() or "0", 0, MAX_INSTALMENTS)
    if number is None:
        raise ValidationError({"instalments": f"The number of instalments is 0 to {MAX_INSTALMENTS}."})
    if number == 0:
        return []
    value = parse_amount(amount)
    if value is None:
        raise ValidationError(
            {"instalment_amount": f"Enter each instalment in rupees, more than 0 and up to {amount_limit_text()}."}
        )
    return [(_add_months(start, n), value) for n in range(1, number + 1)]


def _check_customer(name: str, pan: str, errors: dict[str, str]) -> tuple[str, str]:
    text, code = " ".join(name.split()), pan.strip().upper()
    check_lengths(Booking, {"customer_name": text}, errors, CUSTOMER_LABELS)
    if not text:
        errors["customer_name"] = "Give the customer's name: a booking is held for someone."
    if code and not PAN_RE.match(code):
        errors["customer_pan"] = PAN_MESSAGE
    return text, code


def _check_plan(plan: list[tuple[date, Decimal]], today: date, errors: dict[str, str]) -> None:
    if len(plan) > MAX_INSTALMENTS:
        errors["instalments"] = f"The number of instalments is 0 to {MAX_INSTALMENTS}."
    elif any(day <= today or Decimal(amount) <= 0 for day, amount in plan):
        errors["instalments"] = "Each instalment falls after today and is more than ₹0."


def _tender(method: str, amount: str | Decimal, reference: str, errors: dict[str, str]) -> Tender | None:
    try:
        return parse_tender(method, amount, reference)
    except ValidationError as exc:
        errors.update(exc.fields)
        return None


def _check_cap(rate_locked: bool, quoted: Decimal, held: Decimal, amount: Decimal) -> None:
    """With a rate lock, advances stay within the locked price."""
    if rate_locked and held + amount > quoted:
        raise ValidationError(
            {
                "amount": f"Advances would reach {format_inr(held + amount, paise=True)}, more than the locked "
                f"price of {format_inr(quoted, paise=True)} ({format_inr(held, paise=True)} paid so far)."
            }
        )


def book_piece(
    session: Session,
    actor: Actor,
    *,
    piece_id: int,
    customer_id: int | None = None,
    customer_name: str,
    customer_state_code: str = "",
    customer_pan: str = "",
    rate_lock: bool = False,
    instalments: Sequence[tuple[date, Decimal]] = (),
    advance_amount: str | Decimal,
    method: str,
    reference: str = "",
    occasion: str = "",
) -> Booking:
    """Book a piece at this branch for a customer: reserve it, number the booking, take the first advance.

    ``occasion`` names the event the purchase is for (its cash counts together under section 269ST(c));
    the invoice that completes the booking keeps it.

    A customer number (clienteling's) fills a blank name from the customer. Bad input raises
    ValidationError (keys ``customer_id``, ``customer_name``, ``customer_state_code``, ``customer_pan``,
    ``instalments``, ``method``, ``amount``, ``reference``) and changes nothing. The customer's state is a GST
    state code; the invoice that completes the booking carries it.
    """
    actor.require(MANAGE)
    actor.require(TAKE)
    customer_id, customer_name = billed_customer(session, actor, customer_id, customer_name)
    today, errors = actor.today(), {}
    name, pan = _check_customer(customer_name, customer_pan, errors)
    state = check_recipient(Recipient(state_code=customer_state_code), errors).state_code
    _check_plan(list(instalments), today, errors)
    occasion_text = " ".join(occasion.split())
    check_lengths(Booking, {"occasion": occasion_text}, errors, {"occasion": "The occasion"})
    tender = _tender(method, advance_amount, reference, errors)
    require_fields(errors)
    piece = get_piece(session, actor, piece_id)
    if piece.store_id != actor.store_id:
        raise JewelError(f"{piece.sku} is not at this branch.")
    if rate_lock:
        require_rate(session, actor, piece.metal_id, today)
    breakdown = piece_price(session, actor, piece.id)
    quoted = breakdown.total if breakdown is not None else ZERO
    if pan_required(quoted) and not pan:
        raise ValidationError({"customer_pan": "A booking above ₹2,00,000 needs the customer's PAN (Rule 114B)."})
    _check_cap(rate_lock, quoted, ZERO, tender.amount)
    store = session.get(Store, actor.store_id)
    number = next_number(session, store.id, store.code, BOOKING, today)
    move(session, actor, piece.id, "reserve", reference=number)
    what = piece.description or metal_label(get_metal(session, piece.metal_id))
    booking = Booking(
        store_id=store.id,
        number=number,
        customer_id=customer_id,
        customer_name=name,
        customer_state_code=state,
        customer_pan=pan,
        piece_id=piece.id,
        description=f"{piece.sku} {what}".strip()[:300],
        rate_locked=rate_lock,
        locked_on=today if rate_lock else None,
        quoted=quoted,
        created_by=actor.user_name,
        occasion=occasion_text,
    )
    session.add(booking)
    session.flush()
    for day, amount in [(today, tender.amount), *instalments]:
        session.add(BookingInstalment(booking_id=booking.id, due_on=day, amount=Decimal(amount)))
    receive(session, actor, tender, booking=booking)
    return booking


def pay_instalment(
    session: Session, actor: Actor, booking_id: int, method: str, amount: str | Decimal, reference: str = ""
) -> Payment:
    """Take a further advance on an open booking; returns its numbered receipt."""
    actor.require(TAKE)
    booking = _open(session, actor, booking_id)
    tender = parse_tender(method, amount, reference)
    _check_cap(booking.rate_locked, booking.quoted, advances(session, booking.id), tender.amount)
    return receive(session, actor, tender, booking=booking)


# ---------------------------------------------------------------------------- completion and cancellation


def _close(session: Session, booking: Booking, status: str) -> None:
    """Move an open booking to ``status`` with a conditional UPDATE (two closings cannot both win)."""
    done = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == "open")
        .values(status=status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise JewelError(f"Booking {booking.number} was closed by someone else just now.")
    booking.status, booking.closed_at = status, utcnow()


def _payment(booking: Booking, actor: Actor, kind: str, method: str, amount: Decimal, **extra: object) -> Payment:
    return Payment(
        store_id=booking.store_id,
        booking_id=booking.id,
        customer_id=booking.customer_id,
        kind=kind,
        method=method,
        amount=amount,
        on=actor.today(),
        received_by=actor.user_name,
        **extra,
    )


def _invoice_for(session: Session, actor: Actor, booking: Booking) -> Invoice:
    """The booking's invoice: the draft (or invoice) made by an earlier completion, or a new draft.

    The draft is priced at the locked day's rates, or today's; ``priced_on`` lets a draft that waited
    for a manager's approval be issued on a later day at the prices that were approved.
    """
    if booking.invoice_id is not None:
        invoice = session.get(Invoice, booking.invoice_id)
        if invoice.status == "cancelled":
            raise JewelError(f"Invoice {invoice.number} of this booking was cancelled; cancel the booking instead.")
        if booking.customer_pan and invoice.status == "draft" and invoice.customer_pan != booking.customer_pan:
            set_customer_pan(session, actor, invoice.id, booking.customer_pan)
        return invoice
    invoice = create_draft(
        session,
        actor,
        customer_id=booking.customer_id,
        customer_name=booking.customer_name,
        customer_pan=booking.customer_pan,
        recipient=Recipient(state_code=booking.customer_state_code),
    )
    invoice.booking_id, invoice.priced_on = booking.id, booking.locked_on or invoice.invoice_date
    invoice.occasion = booking.occasion
    session.add(invoice)
    session.flush()
    add_piece_line(session, actor, invoice.id, booking.piece_id)
    booking.invoice_id = invoice.id
    session.add(booking)
    return invoice


def _issue(session: Session, actor: Actor, booking: Booking, invoice: Invoice) -> bool:
    """Issue the booking's draft; False when it is left waiting for a manager's approval.

    A manager completing the booking approves it (recorded on the invoice); a salesperson's
    completion asks for approval, and completing again once approved issues it.
    """
    if needs_approval(session, actor, invoice) and invoice.approval not in ("approved", "rejected"):
        if not actor.can(APPROVE):
            if not invoice.approval:
                request_approval(session, actor, invoice.id)
            return False
        approve(session, actor, invoice.id, f"Approved when completing booking {booking.number}.")
    issue_invoice(session, actor, invoice.id)  # a rejected draft is refused here
    return True


def complete_booking(
    session: Session, actor: Actor, booking_id: int, *, customer_pan: str = "", refund_method: str = "cash"
) -> Invoice:
    """Sell the booked piece: an invoice priced at the locked day (or today), issued, with the advances applied.

    Returns the issued invoice, or its draft when the sale waits for a manager's approval (the booking
    stays open; complete it again once approved). ``customer_pan`` fills in a missing PAN (a sale
    above ₹2,00,000 needs it). Advances above the balance are refunded by ``refund_method``. Any
    refusal (no rate, PAN missing) changes nothing.
    """
    booking = _open(session, actor, booking_id)
    pan = customer_pan.strip().upper()
    if pan and not PAN_RE.match(pan):
        raise ValidationError({"customer_pan": PAN_MESSAGE})
    booking.customer_pan = pan or booking.customer_pan
    refund_with = check_method(refund_method)
    invoice = _invoice_for(session, actor, booking)
    if invoice.status == "draft" and not _issue(session, actor, booking, invoice):
        return invoice
    held = advances(session, booking.id)
    applied = min(held, balance(invoice))
    add_paid(session, invoice, applied)
    session.add(_payment(booking, actor, "applied", "advance", applied, invoice_id=invoice.id))
    if held > applied:
        session.add(_payment(booking, actor, "refund", refund_with, held - applied, invoice_id=invoice.id))
    _close(session, booking, "completed")
    booking.refund = held - applied
    session.add(booking)
    session.flush()
    return invoice


def cancel_booking(
    session: Session, actor: Actor, booking_id: int, reason: str, method: str, reference: str = ""
) -> Booking:
    """Cancel an open booking: the piece is released and the advances less the forfeit % are refunded.

    A draft invoice left by a completion that waited for approval loses its piece line, so it can
    never sell the released piece.
    """
    text = " ".join(reason.split())
    if not text:
        raise ValidationError({"reason": "Give the reason for cancelling the booking."})
    if message := too_long(Booking, "cancel_reason", text, "The reason"):
        raise ValidationError({"reason": message})
    booking = _open(session, actor, booking_id)
    refund, _pct = cancel_terms(session, booking)
    if refund > 0:
        tender = parse_tender(method, refund, reference, refund=True)
        session.add(_payment(booking, actor, "refund", tender.method, refund, reference=tender.reference))
    draft = session.get(Invoice, booking.invoice_id) if booking.invoice_id else None
    if draft is not None and draft.status == "draft":
        for line in lines_of(session, actor, draft.id):
            remove_line(session, actor, line.id)
    move(session, actor, booking.piece_id, "unreserve", reference=booking.number)
    _close(session, booking, "cancelled")
    booking.refund, booking.cancel_reason = refund, text
    session.add(booking)
    session.flush()
    return booking
