"""Members and the points ledger: enrolment, earn, reversal, redemption at billing, adjustments, expiry,
referrals and the monthly statement.

- **Members** belong to the program in effect in the store (:func:`modules.loyalty.program.program_for`),
  each with a random, unique referral code. A customer is enrolled by hand (with the code of whoever
  referred them) or, failing that, on their first issued invoice.
- **Ledger**: every change is a :class:`PointEntry` row and the balance is the sum of ``points``.
  Credits (earn, referral, positive adjustment) carry ``remaining`` and ``expires_on``; every debit
  (redeem, expire, reverse, negative adjustment) consumes ``remaining`` first in, first out, with a
  conditional ``UPDATE ... WHERE remaining >= n`` in the caller's transaction, so two counters can never
  spend the same points: the second finds them gone and is refused (SQLite serialises writers with
  ``BEGIN IMMEDIATE``; on PostgreSQL the row lock makes the second UPDATE match nothing).
- **Earn** (``("billing.invoice", "issued")``): per category on the value before tax × the tier's
  multiplier, rounded down; the tier is that of the rolling 12-month spend before the sale. Once per
  invoice. **Reversal** (``("billing.invoice", "cancelled")``): the credit note takes the invoice's points
  back, at most what the member still has (points already redeemed stay spent), and its spend.
- **Redemption** is billing's payment method ``"points"`` (:data:`POINTS_METHOD`): rupees ÷ point value
  must be whole points; the member's PIN is asked when the store's setting ``loyalty.require_pin`` or the
  program says so (typed in the payment's reference field, never stored). A member locked after too many
  wrong PINs redeems nothing until a manager unlocks them (:mod:`modules.loyalty.pins`).
- **The PIN** is set or changed with proof that the customer is there: the current PIN, or the one-time
  code sent to the customer's phone (else e-mail) on file (6 digits, 10 minutes, single use). A manager
  (``loyalty.pin.reset``) may set it without either, and unlock the member; the audit log records who.
- **Referral**: when a referred member's invoice is first paid in full (``("billing.payment",
  "received")``), the referrer gets the program's referral bonus, once.
- **Expiry** (daily job per store) expires what is left of credits earned in the store whose
  ``expires_on`` is before the store's today. **Statement** (monthly job) e-mails each member with
  e-mail consent their balance, tier and last month's rows through the platform's outbox.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError
from jewelerp.money import format_inr
from jewelerp.notifications.outbox import queue_message
from modules.billing.api import ExternalMethod, Invoice, SaleSummary, sale_summary
from modules.clienteling.api import get_customer, mask_email, mask_phone
from modules.loyalty import pins
from modules.loyalty.models import Member, PointEntry, Program, Tier
from modules.loyalty.program import add_months, next_tier, points_for, program_for, rules_of, tier_for, tiers_of

VIEW = "loyalty.member.view"
ENROL = "loyalty.scheme.enrol"
REDEEM = "loyalty.points.redeem"
ADJUST = "loyalty.points.adjust"
PIN_RESET = "loyalty.pin.reset"
REQUIRE_PIN = "loyalty.require_pin"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 8
SPEND_DAYS = 365
KIND_LABELS = {
    "earn": "Earned",
    "redeem": "Redeemed",
    "expire": "Expired",
    "reverse": "Reversed",
    "adjust": "Adjusted",
    "referral": "Referral bonus",
}
RACE = "The member's points changed at another counter just now; try again."


@dataclass(frozen=True)
class MemberStatus:
    """What the member page and the customer 360 show: balance, tier, spend and the way to the next tier."""

    member: Member
    balance: int
    spend: Decimal
    tier: Tier | None
    next_tier: Tier | None
    point_value: Decimal
    referred_by: str


# ---------------------------------------------------------------------------- members


def _code(session: Session) -> str:
    """A random referral code no member has yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalar(select(func.count()).select_from(Member).where(Member.referral_code == code)) == 0:
            return code


def _member_of(session: Session, program_id: int, customer_id: int) -> Member | None:
    return session.scalars(
        select(Member).where(Member.program_id == program_id, Member.customer_id == customer_id)
    ).first()


def _join(session: Session, program: Program, customer_id: int, name: str, referrer: Member | None = None) -> Member:
    member = Member(
        program_id=program.id,
        customer_id=customer_id,
        customer_name=name[:120],
        referral_code=_code(session),
        referred_by_id=referrer.id if referrer else None,
    )
    session.add(member)
    session.flush()
    return member


def enrol(session: Session, actor: Actor, customer_id: int, referral_code: str = "") -> Member:
    """Enrol a clienteling customer in the store's program, optionally referred by another member's code.

    A customer who is already a member, or an unknown code, raises ValidationError and changes nothing.
    """
    actor.require(ENROL)
    customer = get_customer(session, actor, customer_id)
    program = program_for(session, actor.store_id)
    if _member_of(session, program.id, customer.id):
        raise ValidationError({"customer_id": f"{customer.name} is already a member."})
    code = referral_code.strip().upper()
    referrer = None
    if code:
        referrer = session.scalars(
            select(Member).where(Member.referral_code == code, Member.program_id == program.id)
        ).first()
        if referrer is None:
            raise ValidationError({"referral_code": f"No member has the referral code {code}."})
    return _join(session, program, customer.id, customer.name, referrer)


def get_member(session: Session, actor: Actor, member_id: int) -> Member:
    """A member of the program in effect in the actor's store (NotFound otherwise)."""
    actor.require(VIEW)
    member = session.get(Member, member_id)
    if member is None or member.program_id != program_for(session, actor.store_id).id:
        raise NotFound("That member does not exist in this store's program.")
    return member


def member_for_customer(session: Session, actor: Actor, customer_id: int) -> Member | None:
    """The customer's membership of the store's program, if any."""
    actor.require(VIEW)
    return _member_of(session, program_for(session, actor.store_id).id, customer_id)


def tier_making_discount(session: Session, actor: Actor, customer_id: int) -> Decimal | None:
    """Billing's ``"billing.making_discount"``: the making-charge discount % of the customer's tier, if any."""
    member = _member_of(session, program_for(session, actor.store_id).id, customer_id)
    if member is None:
        return None
    tier = tier_for(tiers_of(session, member.program_id), rolling_spend(session, member.id))
    return tier.making_discount_pct if tier is not None and tier.making_discount_pct > 0 else None


def _new_pin(pin: str) -> str:
    text = pin.strip()
    if not (text.isdigit() and 4 <= len(text) <= 6):
        raise ValidationError({"pin": "The PIN is 4 to 6 digits."})
    return text


def change_pin(
    session: Session, actor: Actor, member_id: int, pin: str, *, current: str = "", code: str = ""
) -> Member:
    """Set the member's redemption PIN (4 to 6 digits, typed by the customer), proven by the ``current`` PIN
    or by the one-time ``code`` sent to the customer (:func:`send_pin_code`); only a keyed hash is kept.

    A wrong PIN or code is refused and counted towards the lock; a locked member is refused.
    """
    actor.require(REDEEM)
    member = get_member(session, actor, member_id)
    text = _new_pin(pin)
    if code.strip():
        pins.use_code(session, actor, member, code)
    elif member.pin_hash and current.strip():
        pins.verify(session, actor, member, current.strip(), check="change", field="current")
    elif member.pin_hash:
        raise ValidationError({"current": "Type the current PIN, or send the customer a one-time code."})
    else:
        raise ValidationError({"code": "Send the customer a one-time code to set their first PIN."})
    member.pin_hash = pins.hash_secret(text)
    session.add(member)
    session.flush()
    return member


def reset_pin(session: Session, actor: Actor, member_id: int, pin: str) -> Member:
    """A manager sets the member's PIN without the old one or a code, and unlocks them (audited as theirs)."""
    actor.require(PIN_RESET)
    member = get_member(session, actor, member_id)
    member.pin_hash = pins.hash_secret(_new_pin(pin))
    pins.unlock(member)
    session.add(member)
    session.flush()
    return member


def unlock_pin(session: Session, actor: Actor, member_id: int) -> Member:
    """A manager unlocks a member locked after too many wrong PINs (their PIN stays as it is)."""
    actor.require(PIN_RESET)
    member = get_member(session, actor, member_id)
    pins.unlock(member)
    session.add(member)
    session.flush()
    return member


def send_pin_code(session: Session, actor: Actor, member_id: int) -> str:
    """Send the customer a one-time code to set or change their PIN: by SMS to their phone on file, else by
    e-mail (through the outbox); returns where it went, masked ("SMS to +91 •••••• 2345")."""
    actor.require(REDEEM)
    member = get_member(session, actor, member_id)
    if pins.is_locked(member):
        raise JewelError(pins.locked_message(member))
    customer = get_customer(session, actor, member.customer_id)
    if customer.phone:
        channel, recipient, shown = "sms", customer.phone, f"SMS to {mask_phone(customer.phone)}"
    elif customer.email:
        channel, recipient, shown = "email", customer.email, f"e-mail to {mask_email(customer.email)}"
    else:
        raise JewelError(f"{customer.name} has no phone or e-mail on file: a manager can set the PIN instead.")
    code = pins.issue_code(member)
    program = session.get(Program, member.program_id)
    body = (
        f"Your code to set your {program.name} PIN: {code}. It expires in {pins.CODE_MINUTES} minutes. "
        "Share it only at the counter."
    )
    queue_message(session, actor.store_id, channel, recipient, f"Your {program.name} PIN code", body, "loyalty.pin")
    session.add(member)
    session.flush()
    return shown


# ---------------------------------------------------------------------------- the ledger


def balance(session: Session, member_id: int) -> int:
    """The member's points: the sum of their ledger."""
    return int(session.scalar(select(func.sum(PointEntry.points)).where(PointEntry.member_id == member_id)) or 0)


def rolling_spend(session: Session, member_id: int, now: datetime | None = None) -> Decimal:
    """Spend of the last 365 days: earned rows' spend less reversals."""
    since = (now or utcnow()) - timedelta(days=SPEND_DAYS)
    total = session.scalar(
        select(func.sum(PointEntry.spend)).where(
            PointEntry.member_id == member_id,
            PointEntry.kind.in_(("earn", "reverse")),
            PointEntry.at >= since,
        )
    )
    return total or Decimal("0.00")


def _credit(
    session: Session, actor: Actor, member: Member, kind: str, points: int, *, on: date, **detail: object
) -> PointEntry:
    """A positive row that expires the program's expiry months after ``on`` (the store's date)."""
    program = session.get(Program, member.program_id)
    entry = PointEntry(
        member_id=member.id,
        store_id=actor.store_id,
        kind=kind,
        points=points,
        remaining=points,
        expires_on=add_months(on, program.expiry_months),
        user_name=actor.user_name,
        **detail,
    )
    session.add(entry)
    session.flush()
    return entry


def _available(session: Session, member_id: int, today: date) -> list[tuple[int, int]]:
    """(row id, remaining) of the member's unexpired credits, oldest expiry first."""
    rows = session.execute(
        select(PointEntry.id, PointEntry.remaining)
        .where(PointEntry.member_id == member_id, PointEntry.remaining > 0, PointEntry.expires_on >= today)
        .order_by(PointEntry.expires_on, PointEntry.id)
    )
    return [(row_id, remaining) for row_id, remaining in rows]


def _consume(session: Session, rows: list[tuple[int, int]], points: int) -> None:
    """Take ``points`` from the credits in order; a row someone else used meanwhile refuses (JewelError)."""
    for row_id, remaining in rows:
        if points <= 0:
            return
        take = min(remaining, points)
        done = session.execute(
            update(PointEntry)
            .where(PointEntry.id == row_id, PointEntry.remaining >= take)
            .values(remaining=PointEntry.remaining - take)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            raise JewelError(RACE)
        points -= take
    if points > 0:
        raise JewelError(RACE)


def _debit(
    session: Session, actor: Actor, member: Member, kind: str, points: int, *, first: str = "", **detail: object
) -> PointEntry:
    """A negative row of ``points`` consumed from the member's credits (``first``: a reference used first);
    JewelError when they do not have that many."""
    rows = _available(session, member.id, actor.today())
    if first:
        own = set(
            session.scalars(
                select(PointEntry.id).where(PointEntry.member_id == member.id, PointEntry.reference == first)
            )
        )
        rows.sort(key=lambda row: row[0] not in own)
    have = sum(remaining for _id, remaining in rows)
    if points > have:
        raise JewelError(f"{member.customer_name} has {have:,} points to use; {points:,} were asked for.")
    _consume(session, rows, points)
    entry = PointEntry(
        member_id=member.id, store_id=actor.store_id, kind=kind, points=-points, user_name=actor.user_name, **detail
    )
    session.add(entry)
    session.flush()
    return entry


# ---------------------------------------------------------------------------- earn and reversal


def _earned(session: Session, reference: str, kind: str) -> PointEntry | None:
    return session.scalars(select(PointEntry).where(PointEntry.reference == reference, PointEntry.kind == kind)).first()


def earn_for_sale(session: Session, actor: Actor, sale: SaleSummary) -> PointEntry | None:
    """Credit a sale's points to its customer (enrolled now if need be); once per invoice.

    None for a walk-in, a cancelled invoice, or one already credited.
    """
    if sale.customer_id is None or sale.status != "issued" or _earned(session, sale.number, "earn"):
        return None
    program = program_for(session, actor.store_id)
    member = _member_of(session, program.id, sale.customer_id)
    member = member or _join(session, program, sale.customer_id, sale.customer_name)
    at = sale.issued_at or utcnow()
    tier = tier_for(tiers_of(session, program.id), rolling_spend(session, member.id, at))
    multiplier = tier.earn_multiplier if tier else Decimal(1)
    points = points_for(rules_of(session, program.id), sale.lines, multiplier)
    tier_name = f" at {tier.name} ×{tier.earn_multiplier.normalize()}" if tier else ""
    return _credit(
        session,
        actor,
        member,
        "earn",
        points,
        on=actor.local(at).date(),
        reference=sale.number,
        spend=sale.taxable,
        reason=f"Invoice {sale.number}: {format_inr(sale.taxable, paise=True)} before tax{tier_name}",
        at=at,
    )


def earn_on_invoice(session: Session, actor: Actor, payload: dict) -> None:
    """Handler of ``("billing.invoice", "issued")``: earn the invoice's points."""
    if payload.get("customer_id") is None:
        return
    earn_for_sale(session, actor, sale_summary(session, actor, str(payload["number"])))


def reverse_on_cancel(session: Session, actor: Actor, payload: dict) -> PointEntry | None:
    """Handler of ``("billing.invoice", "cancelled")``: take back the invoice's points and its spend.

    At most what the member still has is taken (points already redeemed stay spent); once per invoice.
    """
    number = str(payload["number"])
    earned = _earned(session, number, "earn")
    if earned is None or earned.store_id != actor.store_id or _earned(session, number, "reverse"):
        return None
    member = session.get(Member, earned.member_id)
    have = sum(remaining for _id, remaining in _available(session, member.id, actor.today()))
    points = min(earned.points, have)
    short = f"; {earned.points - points:,} points were already used" if points < earned.points else ""
    return _debit(
        session,
        actor,
        member,
        "reverse",
        points,
        first=number,
        reference=number,
        spend=-earned.spend,
        reason=f"Invoice {number} cancelled with a credit note{short}",
    )


# ---------------------------------------------------------------------------- redemption at billing


def pin_required(session: Session, actor: Actor, program: Program) -> bool:
    """Whether redemption in the actor's store asks the member's PIN (store setting or program)."""
    return bool(get_setting(session, actor.store_id, REQUIRE_PIN)) or program.require_pin


def redeem(session: Session, actor: Actor, invoice: Invoice, amount: Decimal, pin: str) -> str:
    """Pay ``amount`` rupees of an invoice with its customer's points; returns the receipt's reference.

    The amount must be whole points at the program's point value; the PIN is checked when asked for.
    Runs in billing's payment transaction: a refusal raises and nothing is written.
    """
    actor.require(REDEEM)
    if invoice.customer_id is None:
        raise JewelError("Points need a member: this invoice has no customer number.")
    program = program_for(session, actor.store_id)
    member = _member_of(session, program.id, invoice.customer_id)
    if member is None:
        raise JewelError(f"{invoice.customer_name or 'This customer'} is not a member of {program.name}.")
    points = amount / program.point_value
    if points != points.to_integral_value():
        step = format_inr(program.point_value, paise=True)
        raise ValidationError({"amount": f"Points are redeemed in steps of {step} (one point): change the amount."})
    if pins.is_locked(member):
        pins.refuse(session, actor, member, "redeem", JewelError(pins.locked_message(member)))
    if pin_required(session, actor, program):
        if not member.pin_hash:
            raise JewelError(f"{member.customer_name} has no PIN yet: set it on the member page first.")
        pins.verify(session, actor, member, pin.strip(), check="redeem", field="reference")
    _debit(session, actor, member, "redeem", int(points), reference=invoice.number or "", reason="Paid an invoice")
    return f"{int(points):,} points · {member.referral_code}"


POINTS_METHOD = ExternalMethod("points", "Loyalty points", redeem)


# ---------------------------------------------------------------------------- adjustments


def adjust(session: Session, actor: Actor, member_id: int, points: str, reason: str) -> PointEntry:
    """Add (positive) or take away (negative) points by hand, with the reason; never below zero."""
    actor.require(ADJUST)
    member = get_member(session, actor, member_id)
    errors = {}
    text = str(points).strip().replace(",", "")
    value = int(text) if text.lstrip("+-").isdigit() else 0
    if value == 0 or abs(value) > 10_000_000:
        errors["points"] = "Enter whole points to add (e.g. 250) or take away (e.g. -100)."
    why = " ".join(reason.split())
    if len(why) < 5:
        errors["reason"] = "Say why the points change (at least a few words)."
    if errors:
        raise ValidationError(errors)
    detail = {"reason": why[:300], "reference": "Manual"}
    if value > 0:
        return _credit(session, actor, member, "adjust", value, on=actor.today(), **detail)
    return _debit(session, actor, member, "adjust", -value, **detail)


# ---------------------------------------------------------------------------- referrals


def referral_on_payment(session: Session, actor: Actor, payload: dict) -> PointEntry | None:
    """Handler of ``("billing.payment", "received")``: when a referred member's invoice is now paid in full
    for the first time, the referrer gets the program's referral bonus (once)."""
    if payload.get("invoice") is None or payload.get("customer_id") is None:
        return None
    program = program_for(session, actor.store_id)
    member = _member_of(session, program.id, int(payload["customer_id"]))
    if member is None or member.referred_by_id is None or member.referral_rewarded_at is not None:
        return None
    sale = sale_summary(session, actor, str(payload["number"]))
    if not sale.paid_in_full or program.referral_bonus <= 0:
        return None
    taken = session.execute(
        update(Member)
        .where(Member.id == member.id, Member.referral_rewarded_at.is_(None))
        .values(referral_rewarded_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(member)
    if not taken:
        return None
    referrer = session.get(Member, member.referred_by_id)
    return _credit(
        session,
        actor,
        referrer,
        "referral",
        program.referral_bonus,
        on=actor.today(),
        reference=sale.number,
        reason=f"Referred {member.customer_name}",
    )


# ---------------------------------------------------------------------------- jobs


def expire_points(session: Session, actor: Actor) -> int:
    """Daily job: expire what is left of credits earned in this store whose expiry date has passed
    (in the store's dates); returns how many rows expired."""
    today = actor.today()
    rows = session.scalars(
        select(PointEntry).where(
            PointEntry.store_id == actor.store_id, PointEntry.remaining > 0, PointEntry.expires_on < today
        )
    ).all()
    for row in rows:
        left = row.remaining
        done = session.execute(
            update(PointEntry)
            .where(PointEntry.id == row.id, PointEntry.remaining == left)
            .values(remaining=0)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done:
            session.add(
                PointEntry(
                    member_id=row.member_id,
                    store_id=actor.store_id,
                    kind="expire",
                    points=-left,
                    reference=row.reference,
                    reason=f"Points of {actor.local(row.at):%d %b %Y} expired on {row.expires_on:%d %b %Y}",
                    user_name=actor.user_name,
                )
            )
    session.flush()
    return len(rows)


def _month_before(today: date, zone: str) -> tuple[date, datetime, datetime]:
    """The first day of last month and last month's bounds as UTC instants."""
    first = today.replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    bounds = [datetime.combine(d, time(), ZoneInfo(zone)).astimezone(UTC) for d in (start, first)]
    return start, bounds[0], bounds[1]


def _statement_body(status: MemberStatus, rows: list[PointEntry], month: date) -> str:
    lines = [
        f"Dear {status.member.customer_name},",
        "",
        f"Your points on {month:%B %Y}: balance {status.balance:,} points "
        f"(worth {format_inr(status.balance * status.point_value, paise=True)}).",
        f"Tier: {status.tier.name if status.tier else '—'}.",
        "",
    ]
    lines += [f"{KIND_LABELS.get(r.kind, r.kind)} {r.points:+,} — {r.reason or r.reference}" for r in rows]
    lines += ["", f"Your referral code: {status.member.referral_code}"]
    return "\n".join(lines)


def send_statements(session: Session, actor: Actor) -> int:
    """Monthly job: queue last month's statement to every member whose latest points row is in this store
    and who agreed to e-mail (consent read through clienteling); returns how many were queued."""
    start, since, until = _month_before(actor.today(), actor.time_zone)
    latest = (
        select(PointEntry.member_id, func.max(PointEntry.id).label("last")).group_by(PointEntry.member_id).subquery()
    )
    members = session.scalars(
        select(Member)
        .join(latest, latest.c.member_id == Member.id)
        .join(PointEntry, PointEntry.id == latest.c.last)
        .where(PointEntry.store_id == actor.store_id)
    ).all()
    queued = 0
    for member in members:
        customer = get_customer(session, actor, member.customer_id)
        if not (customer.consent_email and customer.email):
            continue
        rows = session.scalars(
            select(PointEntry)
            .where(PointEntry.member_id == member.id, PointEntry.at >= since, PointEntry.at < until)
            .order_by(PointEntry.id)
        ).all()
        body = _statement_body(member_status(session, actor, member), list(rows), start)
        queue_message(
            session,
            actor.store_id,
            "email",
            customer.email,
            f"Your points statement, {start:%B %Y}",
            body,
            source="loyalty.statement",
        )
        queued += 1
    return queued


# ---------------------------------------------------------------------------- what pages show


def member_status(session: Session, actor: Actor, member: Member) -> MemberStatus:
    """Balance, rolling spend, tier and next tier of a member (the caller checked access)."""
    program = session.get(Program, member.program_id)
    tiers = tiers_of(session, program.id)
    spend = rolling_spend(session, member.id)
    referrer = session.get(Member, member.referred_by_id) if member.referred_by_id else None
    return MemberStatus(
        member=member,
        balance=balance(session, member.id),
        spend=spend,
        tier=tier_for(tiers, spend),
        next_tier=next_tier(tiers, spend),
        point_value=program.point_value,
        referred_by=f"{referrer.customer_name} ({referrer.referral_code})" if referrer else "",
    )


def history(session: Session, actor: Actor, member_id: int, offset: int = 0, limit: int = 20) -> list[PointEntry]:
    """A page of the member's ledger, newest first."""
    member = get_member(session, actor, member_id)
    return list(
        session.scalars(
            select(PointEntry)
            .where(PointEntry.member_id == member.id)
            .order_by(PointEntry.at.desc(), PointEntry.id.desc())
            .offset(max(offset, 0))
            .limit(limit)
        )
    )
