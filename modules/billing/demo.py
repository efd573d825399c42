"""Demo billing: metal rates for the last 120 days, then each store's sales history through billing's services.

**Rates.** Today's are stock's demo figures (the author's 2026 estimates, per gram before GST: gold
24K ₹13,100, 22K ₹12,000, 18K ₹9,825, 14K ₹7,665; silver 999 ₹165, 925 ₹153; platinum 950 ₹4,400);
earlier days drift from them by at most ±0.75% a day, seeded per store. A day that already has a
rate keeps it, so running the demo again only fills the days missing.

**Sales** (a store that already has invoices is left alone), made by the store's own salespeople and
manager through the billing services, seeded per store:

- About three invoices a day over the last 60 days, and a few older credit sales, so the dues fall in
  every ageing bucket. Each is priced at the rates of its own day: its draft is dated that day and
  ``priced_on`` it (as a converted estimate's or a rate-locked booking's is), then issued.
- Customers from clienteling's demo, read through its customer list; a quarter are walk-ins. Pieces are
  the branch's in-stock demo pieces (stock's piece list), sold through the invoices; some invoices are
  services only (repairs at 18%, now and then making from the customer's gold: job work), some take old
  gold in exchange, a few get a making-charge discount. A few customers are visitors from another state
  (their address recorded, taxed at the counter: CGST + SGST) and a few are registered there (a valid
  GSTIN of that state, the goods sent to them: IGST). A sale that needs the customer's PAN (Rule 114B:
  above ₹2,00,000, alone or with the customer's purchases of the day) carries it; one that needs a
  manager's approval is asked for and approved.
- Payments in cash, card, UPI and bank transfer (each with its reference), split or partial, the rest
  paid some days later or still due; two invoices are cancelled with a credit note and refunded. Cash
  stays within what section 269ST still allows (:func:`~modules.billing.payments.cash_room`).
- Today: two quoted estimates, an open booking with an instalment plan, a completed booking, a
  draft that waits for a manager's approval, and two buy-backs of old gold (one paid by bank, one in
  cash within ₹10,000). Old gold taken in exchange gets its purchase voucher (tested fineness, the
  seller's document) when its invoice is issued; the vouchers are dated with their invoices.

The services stamp the current time, so at the end of each day the history's invoices, receipts and credit
notes are moved back to their day with bulk statements (the next day's cash and PAN rules then see them on
their own day) (the audit log keeps the real insert), as stock's demo does
with its receipts. Stock's sale movements and clienteling's purchases keep the time of loading: billing
writes only its own tables.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import build_actor
from jewelerp.core.event_deliveries import restate_pending
from jewelerp.core.users import staff_options
from jewelerp.gst import gstin_check_char
from jewelerp.ui.table_query import TableQuery
from modules.billing.approvals import approve, needs_approval, request_approval
from modules.billing.bookings import book_piece, complete_booking, monthly_plan, pay_instalment
from modules.billing.estimates import create_estimate, quote_estimate
from modules.billing.invoices import (
    add_old_gold,
    add_piece_line,
    add_service_line,
    cancel_invoice,
    create_draft,
    issue_invoice,
    pan_reason,
    set_customer_pan,
)
from modules.billing.models import BillingMetalRate, CreditNote, Invoice, OldGoldVoucher, Payment
from modules.billing.old_gold import PAN_PURCHASE_LIMIT, OldGoldEntry, buy_old_gold
from modules.billing.payments import ZERO, balance, cash_for, cash_room, refund_cancelled, take_payment, take_split
from modules.billing.pricing import Discount
from modules.billing.rates import require_rate, write_rate
from modules.billing.supply import NO_RECIPIENT, Recipient
from modules.billing.tag_price import piece_price
from modules.billing.tax_classes import JOB_WORK, REPAIR
from modules.clienteling.api import CUSTOMERS
from modules.stock.api import PIECES, get_metal, list_metals

RATE_DAYS = 120
DAILY_DRIFT = 0.0075
RATES_2026: dict[tuple[str, int], Decimal] = {
    ("gold", 999): Decimal("13100.00"),
    ("gold", 916): Decimal("12000.00"),
    ("gold", 750): Decimal("9825.00"),
    ("gold", 585): Decimal("7665.00"),
    ("silver", 999): Decimal("165.00"),
    ("silver", 925): Decimal("153.00"),
    ("platinum", 950): Decimal("4400.00"),
}
SALE_DAYS = 60  # the daily sales reach back this far (today included)
CREDIT_DAYS = (4, 11, 19, 26, 33, 41, 48, 57, 64, 72, 80, 88, 95, 104, 113)  # a sale left largely unpaid
CANCEL_DAYS = (38, 17)  # a sale returned two days later: credit note and refund
PIECE_CAP = Decimal("250000")  # pieces sold in the history cost at most this at today's rates
KEPT_BAND = (Decimal("30000"), Decimal("150000"))  # pieces kept for today's business: no PAN needed
KEPT = 6  # three on estimates, two booked, one on the draft waiting for approval
CASH_CAP = Decimal("150000")  # at most this in cash, and never more than section 269ST still allows
SERVICES = (  # what, from and to (₹), tax class: repairs at SAC 9987, making from the customer's gold at 9988
    ("Polishing", 300, 800, REPAIR),
    ("Ring resizing", 500, 1500, REPAIR),
    ("Engraving", 250, 900, REPAIR),
    ("Rhodium plating", 800, 2500, REPAIR),
    ("Chain repair", 400, 1200, REPAIR),
    ("Making charges on the customer's own gold", 1500, 6000, JOB_WORK),
)
WALK_INS = ("", "", "", "Sunita Kale", "Amit Joshi", "Farah Sheikh", "Gurpreet Sandhu", "Lalitha Raman")
OLD_GOLD = {("gold", 916), ("gold", 750)}  # what customers bring in exchange
OLD_ITEMS = ("Old bangles, a pair", "Broken chain", "Old earrings", "Mangalsutra", "Old ring")
ADDRESSES = ("14 Hill Road, Bandra", "7 Dadar TT Circle", "22 Linking Road, Khar", "3 Station Road, Thane")
OTHER_STATES = (("24", "Ahmedabad"), ("29", "Bengaluru"), ("30", "Panaji"), ("08", "Jaipur"), ("03", "Ludhiana"))
VISITORS, REGISTERED = 0.05, 0.03  # shares of the customers' invoices: visitors from another state, B2B buyers
CANCEL_REASONS = (
    "Customer returned the piece within the exchange period",
    "Wrong size; the customer chose another design",
)
THOUSAND = Decimal("1000")


# ---------------------------------------------------------------------------- rates


def _rates(session: Session, actor: Actor) -> None:
    """Give every active metal a rate on each of the last :data:`RATE_DAYS` days that has none."""
    rng = random.Random(f"billing-rates-{actor.store_code}")
    today = actor.today()
    rows = session.execute(
        select(BillingMetalRate.metal_id, BillingMetalRate.on).where(
            BillingMetalRate.store_id == actor.store_id, BillingMetalRate.on > today - timedelta(days=RATE_DAYS)
        )
    )
    have = {(metal_id, on) for metal_id, on in rows}
    for metal in list_metals(session, actor, active_only=True):
        rate = RATES_2026.get((metal.metal, metal.fineness))
        if rate is None:
            continue
        for back in range(RATE_DAYS):
            day = today - timedelta(days=back)
            if (metal.id, day) not in have:
                write_rate(session, actor, metal.id, day, rate)
            drift = Decimal(str(rng.uniform(-DAILY_DRIFT, DAILY_DRIFT)))
            rate = (rate * (1 + drift)).quantize(Decimal("0.01"), ROUND_HALF_UP)


# ---------------------------------------------------------------------------- the shop


@dataclass(frozen=True)
class _Step:
    """Something that happens on a later day: the rest of a payment, or a return (credit note and refund)."""

    kind: str
    invoice_id: int
    amount: Decimal = Decimal(0)
    reason: str = ""


@dataclass
class _Dated:
    """Rows of past days and the time each is moved back to."""

    invoices: dict[int, datetime] = field(default_factory=dict)
    payments: dict[int, datetime] = field(default_factory=dict)
    notes: dict[int, datetime] = field(default_factory=dict)


@dataclass
class _Shop:
    """Everything the history needs: staff, customers, pieces for sale, the steps planned for later days."""

    session: Session
    rng: random.Random
    today: date
    zone: ZoneInfo
    sales: list[Actor]
    manager: Actor
    customers: list[int]
    pieces: Iterator[tuple[int, Decimal]]
    old_gold: list[int]
    kept: list[int] = field(default_factory=list)
    later: dict[date, list[_Step]] = field(default_factory=lambda: defaultdict(list))
    dated: _Dated = field(default_factory=_Dated)

    def seller(self) -> Actor:
        """A salesperson three times in four, else the manager."""
        return self.rng.choice(self.sales) if self.rng.random() < 0.75 else self.manager

    def take_kept(self, count: int = 1) -> list[int]:
        """Up to ``count`` of the pieces kept back from the history for today's business."""
        taken, self.kept = self.kept[:count], self.kept[count:]
        return taken

    def remember(self, rows: dict[int, datetime], row_id: int, at: datetime) -> None:
        """Date a row of a past day (today's keep the time they were made)."""
        if at.astimezone(self.zone).date() < self.today:
            rows[row_id] = at


class _Clock:
    """The times of one day's events in the store: from 10:30, a quarter to an hour apart."""

    def __init__(self, shop: _Shop, day: date):
        self.rng, self.moment = shop.rng, datetime.combine(day, time(10, 30), shop.zone)

    def next(self) -> datetime:
        """The next event's time, as UTC."""
        self.moment += timedelta(minutes=self.rng.randint(15, 60))
        return self.moment.astimezone(UTC)


def _staff(session: Session, actor: Actor) -> tuple[list[Actor], Actor]:
    """The store's salespeople and its manager (the system actor stands in for whoever is missing)."""
    staff = [
        build_actor(session, int(o["value"]), actor.store_id)
        for o in staff_options(session, actor, "billing.invoice.create")
    ]
    managers = [a for a in staff if a.role == "manager"] or [actor]
    return [a for a in staff if a.role == "sales"] or managers, managers[0]


def _customers(session: Session, actor: Actor) -> list[int]:
    """The store's customers, oldest first, from clienteling's customer list."""
    return [int(r["id"]) for r in CUSTOMERS.iter_rows(session, actor, TableQuery(sort="since", limit=None))]


def _pieces(session: Session, actor: Actor, rng: random.Random) -> Iterator[tuple[int, Decimal]]:
    """In-stock pieces of the branch (stock's piece list) in a seeded order, each with today's price."""
    rows = PIECES.iter_rows(session, actor, TableQuery(filters={"status": "in_stock"}, limit=None))
    ids = sorted(int(r["id"]) for r in rows)
    rng.shuffle(ids)
    for piece_id in ids:
        breakdown = piece_price(session, actor, piece_id)
        if breakdown is not None:
            yield piece_id, breakdown.total


def _open_shop(session: Session, actor: Actor) -> _Shop:
    """The store's staff, customers and pieces, with the pieces for today's business kept back."""
    rng = random.Random(f"billing-sales-{actor.store_code}")
    sales, manager = _staff(session, actor)
    metals = list_metals(session, actor, active_only=True)
    shop = _Shop(
        session=session,
        rng=rng,
        today=actor.today(),
        zone=ZoneInfo(actor.time_zone),
        sales=sales,
        manager=manager,
        customers=_customers(session, actor),
        pieces=_pieces(session, actor, rng),
        old_gold=[m.id for m in metals if (m.metal, m.fineness) in OLD_GOLD],
    )
    shop.kept = [p for p in (_piece(shop, *KEPT_BAND) for _ in range(KEPT)) if p is not None]
    return shop


def _piece(shop: _Shop, low: Decimal = Decimal(0), high: Decimal = PIECE_CAP) -> int | None:
    """The next piece for sale priced from ``low`` to ``high`` today, or None when none is left."""
    return next((piece_id for piece_id, total in shop.pieces if low <= total <= high), None)


def _pan(rng: random.Random) -> str:
    """A well-formed PAN of an individual (its fourth letter is P)."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    head = "".join(rng.choice(letters) for _ in range(3))
    return f"{head}P{rng.choice(letters)}{rng.randrange(10_000):04d}{rng.choice(letters)}"


# ---------------------------------------------------------------------------- payments


def _reference(rng: random.Random, method: str, day: date) -> str:
    """A card's last 4 digits, a UPI or bank transfer UTR; nothing for cash."""
    if method == "card":
        return f"{rng.randrange(10_000):04d}"
    if method == "upi":
        return str(rng.randrange(10**11, 10**12))
    if method == "bank":
        return f"HDFCN{day:%Y%m%d}{rng.randrange(10**6, 10**7)}"
    return ""


def _part(rng: random.Random, amount: Decimal, low: float, high: float) -> Decimal:
    """A round share of ``amount`` between ``low`` and ``high`` of it (whole thousands above ₹10,000)."""
    step = THOUSAND if amount > 10 * THOUSAND else Decimal(100)
    if amount <= 2 * step:
        return amount
    share = (amount * Decimal(str(rng.uniform(low, high))) / step).to_integral_value() * step
    return min(max(step, share), amount - step)


def _tenders(rng: random.Random, amount: Decimal, day: date, cash_cap: Decimal) -> list[tuple[str, Decimal, str]]:
    """One tender, or cash and the rest by card or UPI (a split), adding up to ``amount``.

    Cash stays within ``cash_cap`` (:func:`_cash_cap`; 0 for the later payments of a sale).
    """
    if cash_cap > 0 and amount > 5 * THOUSAND and rng.random() < 0.25:
        part = min(cash_cap, _part(rng, amount, 0.2, 0.6))
        other = rng.choice(("card", "upi"))
        return [("cash", part, ""), (other, amount - part, _reference(rng, other, day))]
    method = rng.choices(("cash", "card", "upi", "bank"), weights=(35 if cash_cap > 0 else 0, 25, 30, 10))[0]
    if method == "cash" and amount > cash_cap:
        method = "bank"
    return [(method, amount, _reference(rng, method, day))]


def _cash_cap(shop: _Shop, actor: Actor, invoice: Invoice) -> Decimal:
    """The most cash a payment of ``invoice`` takes: :data:`CASH_CAP`, or less when section 269ST allows less."""
    return min(CASH_CAP, cash_room(shop.session, actor, cash_for(invoice), actor.today()).amount)


def _pay(shop: _Shop, actor: Actor, invoice_id: int, tenders: list[tuple[str, Decimal, str]], at: datetime) -> None:
    """Take the tenders against the invoice; receipts of a past day are dated ``at``."""
    for payment in take_split(shop.session, actor, invoice_id, tenders):
        shop.remember(shop.dated.payments, payment.id, at)


# ---------------------------------------------------------------------------- one sale


def _gstin(rng: random.Random, state_code: str) -> str:
    """A valid GSTIN of a firm registered in ``state_code``: its PAN (fourth letter F), entity 1, Z and the
    mod-36 check character (:func:`jewelerp.gst.gstin_check_char`)."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    pan = f"{''.join(rng.choice(letters) for _ in range(3))}F{rng.choice(letters)}{rng.randrange(10_000):04d}"
    first14 = f"{state_code}{pan}{rng.choice(letters)}1Z"
    return first14 + gstin_check_char(first14)


def _recipient(rng: random.Random) -> Recipient:
    """A customer's details: now and then a visitor from another state (taxed at the counter, CGST + SGST), or
    a proprietor registered there (the firm's GSTIN) whose goods are sent to it (IGST); else none recorded."""
    roll = rng.random()
    if roll >= VISITORS + REGISTERED:
        return NO_RECIPIENT
    state, city = rng.choice(OTHER_STATES)
    address = f"{rng.randint(2, 120)} Main Road, {city}"
    if roll < VISITORS:
        return Recipient(address, state)
    return Recipient(address, state, _gstin(rng, state), address, state)


def _draft(shop: _Shop, actor: Actor, day: date, walk_in: bool) -> Invoice:
    """A draft for a demo customer (now and then from another state, or a registered buyer there) or a walk-in,
    priced at ``day``'s rates."""
    rng = shop.rng
    if walk_in or not shop.customers:
        invoice = create_draft(shop.session, actor, customer_name=rng.choice(WALK_INS))
    else:
        recipient = _recipient(rng)
        invoice = create_draft(shop.session, actor, customer_id=rng.choice(shop.customers), recipient=recipient)
    if day != shop.today:  # started that day: its lines take that day's rates, and it may be issued later
        invoice.invoice_date = invoice.priced_on = day
        shop.session.add(invoice)
        shop.session.flush()
    return invoice


def _seller_document(rng: random.Random) -> tuple[str, str]:
    """An identity document a seller of old gold shows: a passport, voter ID, driving licence or PAN."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    kind = rng.choice(("passport", "voter_id", "driving_licence", "pan"))
    number = {
        "passport": f"{rng.choice(letters)}{rng.randrange(10**7):07d}",
        "voter_id": "".join(rng.choice(letters) for _ in range(3)) + f"{rng.randrange(10**7):07d}",
        "driving_licence": f"MH{rng.randrange(1, 50):02d}{rng.randrange(1995, 2025)}{rng.randrange(10**7):07d}",
        "pan": _pan(rng),
    }[kind]
    return kind, number


def _old_gold_entry(rng: random.Random, fineness: int, grams: Decimal, name: str, address: str) -> OldGoldEntry:
    """Old gold as tested at the counter: a few parts per thousand under its stamp at times, dirt and
    solder weighed off, the seller's document, a deduction of 2–5% (the PAN from ₹2,00,000 is added by
    the caller when needed)."""
    kind, number = _seller_document(rng)
    gross = (grams * Decimal(str(rng.uniform(1.0, 1.04)))).quantize(Decimal("0.001"))
    return OldGoldEntry(
        metal="gold",
        fineness=str(fineness - rng.choice((0, 0, 0, 4, 10))),
        gross_weight=str(gross),
        net_weight=str(grams),
        deduction_pct=rng.choice(("2", "3", "4", "5")),
        id_kind=kind,
        id_number=number,
        seller_name=name,
        seller_address=address,
        item_description=rng.choice(OLD_ITEMS),
    )


def _old_gold(shop: _Shop, actor: Actor, invoice: Invoice) -> None:
    """Old gold in exchange (a purchase voucher), worth at most half the invoice at the day's rate."""
    rng = shop.rng
    metal = rng.choice(shop.old_gold)
    rate = require_rate(shop.session, actor, metal, invoice.invoice_date)
    grams = min(Decimal(str(rng.uniform(2.0, 14.0))), invoice.total / 2 / rate).quantize(Decimal("0.001"))
    if grams <= 0:
        return
    name = invoice.customer_name or rng.choice([w for w in WALK_INS if w])
    address = invoice.customer_address or rng.choice(ADDRESSES)
    entry = _old_gold_entry(rng, get_metal(shop.session, metal).fineness, grams, name, address)
    if grams * rate > PAN_PURCHASE_LIMIT and not invoice.customer_pan:
        entry = replace(entry, seller_pan=_pan(rng))
    add_old_gold(shop.session, actor, invoice.id, entry)


def _buy_backs(shop: _Shop) -> None:
    """Today: two customers sell old gold for money, one paid by bank transfer, one a little in cash."""
    rng, actor = shop.rng, shop.manager
    for grams, method in ((Decimal("12.340"), "bank"), (Decimal("0.650"), "cash")):
        name = rng.choice([w for w in WALK_INS if w])
        entry = _old_gold_entry(rng, 916, grams, name, rng.choice(ADDRESSES))
        reference = _reference(rng, "bank", shop.today) if method == "bank" else ""
        buy_old_gold(shop.session, actor, entry, method, reference)


def _lines(shop: _Shop, actor: Actor, invoice: Invoice) -> None:
    """A piece (sometimes two, sometimes none), a service now and then, sometimes old gold in exchange."""
    rng, session = shop.rng, shop.session
    count = 0 if rng.random() < 0.08 else 1 if rng.random() < 0.85 else 2
    pieces = [p for p in (_piece(shop) for _ in range(count)) if p is not None]
    for piece_id in pieces:
        making = Discount("percent", Decimal(rng.choice((10, 15, 20)))) if rng.random() < 0.15 else None
        add_piece_line(session, actor, invoice.id, piece_id, making_discount=making)
    if not pieces or rng.random() < 0.06:
        text, low, high, tax_class = rng.choice(SERVICES)
        add_service_line(session, actor, invoice.id, text, Decimal(rng.randrange(low, high + 1, 50)), tax_class)
    if pieces and shop.old_gold and rng.random() < 0.12:
        _old_gold(shop, actor, invoice)


def _pan_if_needed(shop: _Shop, actor: Actor, draft: Invoice) -> None:
    """A draft invoice or estimate carries the customer's PAN when Rule 114B asks for it (:func:`pan_reason`)."""
    today = actor.today()
    if pan_reason(shop.session, draft.customer_id, draft.customer_name, draft.total, today, besides=draft.id):
        set_customer_pan(shop.session, actor, draft.id, _pan(shop.rng))


def _issue(shop: _Shop, actor: Actor, invoice: Invoice) -> Invoice:
    """Issue the draft: the customer's PAN when Rule 114B asks, a manager's approval when the store's limits ask."""
    session = shop.session
    _pan_if_needed(shop, actor, invoice)
    if needs_approval(session, actor, invoice):
        if invoice.created_by != shop.manager.user_name:
            request_approval(session, actor, invoice.id)
        approve(session, shop.manager, invoice.id, "Regular customer.")
    return issue_invoice(session, actor, invoice.id)


def _sale(shop: _Shop, day: date, at: datetime, *, credit: bool = False, returned: str = "") -> None:
    """One invoice of ``day`` and its payments: in full (one tender or split), in part with the rest
    some days later, or, for a credit sale, a first part only. ``returned`` plans its return."""
    rng = shop.rng
    actor = shop.seller()
    walk_in = not (credit or returned) and rng.random() < 0.25
    invoice = _draft(shop, actor, day, walk_in)
    _lines(shop, actor, invoice)
    invoice = _issue(shop, actor, invoice)
    shop.remember(shop.dated.invoices, invoice.id, at)
    due, cash_cap = balance(invoice), _cash_cap(shop, actor, invoice)
    if credit:
        _pay(shop, actor, invoice.id, _tenders(rng, _part(rng, due, 0.25, 0.5), day, cash_cap), at)
    elif walk_in or returned or rng.random() < 0.8:
        _pay(shop, actor, invoice.id, _tenders(rng, due, day, cash_cap), at)
    else:
        first = _part(rng, due, 0.3, 0.7)
        _pay(shop, actor, invoice.id, _tenders(rng, first, day, cash_cap), at)
        shop.later[day + timedelta(days=rng.randint(3, 28))].append(_Step("pay", invoice.id, due - first))
    if returned:
        shop.later[day + timedelta(days=2)].append(_Step("return", invoice.id, reason=returned))


def _do_later(shop: _Shop, day: date, at: datetime, step: _Step) -> None:
    """A planned step: the rest of a payment, or a return with its credit note and the money refunded."""
    if step.kind == "pay":
        _pay(shop, shop.seller(), step.invoice_id, _tenders(shop.rng, step.amount, day, ZERO), at)
        return
    note = cancel_invoice(shop.session, shop.manager, step.invoice_id, step.reason)
    shop.remember(shop.dated.notes, note.id, at)
    bank = _reference(shop.rng, "bank", day)
    shop.remember(
        shop.dated.payments, refund_cancelled(shop.session, shop.manager, step.invoice_id, "bank", bank).id, at
    )


def _history(shop: _Shop) -> None:
    """Day by day, oldest first, so numbers and receipts run in date order: the day's planned steps, then its
    sales (a credit sale on each of :data:`CREDIT_DAYS`, a sale returned later on :data:`CANCEL_DAYS`)."""
    for back in range(max(CREDIT_DAYS), -1, -1):
        day = shop.today - timedelta(days=back)
        clock = _Clock(shop, day)
        for step in shop.later.pop(day, []):
            _do_later(shop, day, clock.next(), step)
        if back in CREDIT_DAYS:
            _sale(shop, day, clock.next(), credit=True)
        if back in CANCEL_DAYS:
            _sale(shop, day, clock.next(), returned=CANCEL_REASONS[CANCEL_DAYS.index(back)])
        for _ in range(shop.rng.randint(2, 4) if back < SALE_DAYS else 0):
            _sale(shop, day, clock.next())
        _backdate(shop)


# ---------------------------------------------------------------------------- today


def _estimates(shop: _Shop) -> None:
    """Two quoted estimates for customers (one piece, then two), valid for the store's validity days."""
    for count in (1, 2):
        actor = shop.seller()
        estimate = create_estimate(shop.session, actor, customer_id=shop.rng.choice(shop.customers))
        for piece_id in shop.take_kept(count):
            add_piece_line(shop.session, actor, estimate.id, piece_id)
        if estimate.total:
            _pan_if_needed(shop, actor, estimate)
            quote_estimate(shop.session, actor, estimate.id)


def _bookings(shop: _Shop) -> None:
    """An open rate-locked booking with three monthly instalments (the first paid early), and a booking
    completed into an invoice whose balance is paid by card."""
    session, rng, today = shop.session, shop.rng, shop.today
    actor = shop.sales[0]
    for locked, piece_id in zip((True, False), shop.take_kept(2), strict=False):
        part = _part(rng, piece_price(session, actor, piece_id).total, 0.15, 0.25)
        booking = book_piece(
            session,
            actor,
            piece_id=piece_id,
            customer_id=rng.choice(shop.customers),
            customer_name="",
            rate_lock=locked,
            instalments=monthly_plan(today, 3 if locked else 0, part),
            advance_amount=part,
            method="cash",
        )
        pay_instalment(session, actor, booking.id, "upi", part, _reference(rng, "upi", today))
        if not locked:
            invoice = complete_booking(session, shop.manager, booking.id)
            if balance(invoice) > 0:
                take_payment(session, actor, invoice.id, "card", balance(invoice), _reference(rng, "card", today))


def _waiting_for_approval(shop: _Shop) -> None:
    """A salesperson's draft with a 12% discount, waiting for a manager's approval."""
    actor = shop.sales[0]
    for piece_id in shop.take_kept():
        draft = create_draft(shop.session, actor, customer_id=shop.rng.choice(shop.customers))
        add_piece_line(shop.session, actor, draft.id, piece_id, discount=Discount("percent", Decimal(12)))
        request_approval(shop.session, actor, draft.id)


def _redate_sale_events(session: Session, moved: dict[int, datetime], zone: ZoneInfo) -> None:
    """The "issued" events of the invoices just moved to their days, still queued for after the commit, tell
    their listeners (clienteling's purchases) the moved time and date, as a sale made that day would."""
    numbers = dict(session.execute(select(Invoice.number, Invoice.id).where(Invoice.id.in_(moved))).all())

    def redate(payload: dict) -> dict | None:
        invoice_id = numbers.get(payload.get("number"))
        if invoice_id is None:
            return None
        at = moved[invoice_id]
        return payload | {"issued_at": at.isoformat(), "invoice_date": at.astimezone(zone).date().isoformat()}

    restate_pending(session, "billing.invoice", "issued", redate)


def _backdate(shop: _Shop) -> None:
    """Move the history's rows to their days (bulk statements: the audit log keeps the real insert)."""
    session, dated, zone = shop.session, shop.dated, shop.zone
    session.flush()
    if dated.invoices:
        rows = [
            {
                "id": i,
                "created_at": at - timedelta(minutes=10),
                "issued_at": at,
                "invoice_date": at.astimezone(zone).date(),
            }
            for i, at in dated.invoices.items()
        ]
        session.execute(update(Invoice), rows)
        _redate_sale_events(session, dated.invoices, zone)
    if dated.payments:
        rows = [{"id": i, "received_at": at, "on": at.astimezone(zone).date()} for i, at in dated.payments.items()]
        session.execute(update(Payment), rows)
    if dated.notes:
        session.execute(update(CreditNote), [{"id": i, "created_at": at} for i, at in dated.notes.items()])
    exchanges = session.execute(
        select(OldGoldVoucher.id, OldGoldVoucher.invoice_id).where(OldGoldVoucher.invoice_id.in_(dated.invoices))
    ).all()
    if exchanges:  # an exchange voucher is issued with its invoice
        session.execute(update(OldGoldVoucher), [{"id": v, "issued_at": dated.invoices[i]} for v, i in exchanges])
    shop.dated = _Dated()


# ---------------------------------------------------------------------------- entry point


def load(session: Session, actor: Actor) -> None:
    """Rates for the last 120 days (the missing days), then the store's sales unless it has invoices already."""
    _rates(session, actor)
    if session.scalar(select(func.count()).select_from(Invoice).where(Invoice.store_id == actor.store_id)):
        return
    shop = _open_shop(session, actor)
    _history(shop)
    _buy_backs(shop)
    if shop.customers:
        _estimates(shop)
        _bookings(shop)
        _waiting_for_approval(shop)
    _backdate(shop)
