"""Loyalty tables (prefixed ``loyalty_``): the points program with its tiers and earn rules, members,
the points ledger, referrals, and gold savings schemes with enrolments and instalments.

Customers are clienteling's customer ids and invoices billing's invoice numbers, kept as plain
values: modules never join each other's tables.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from jewelerp.db import Money, Weight, utcnow


class Program(SQLModel, table=True):
    """The points program of a store, or of the whole chain when ``store_id`` is None.

    ``point_value`` is what one point is worth in rupees at redemption; points expire
    ``expiry_months`` after they were earned. ``require_otp`` asks the customer's PIN at redemption.
    """

    __tablename__ = "loyalty_program"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int | None = Field(default=None, foreign_key="core_store.id", unique=True)
    name: str = Field(default="Rewards", max_length=80)
    point_value: Decimal = Field(default=Decimal("1.00"), sa_column=Column(Money(), nullable=False))
    expiry_months: int = 24
    referral_bonus: int = 500
    require_pin: bool = False
    active: bool = True


class EarnRule(SQLModel, table=True):
    """Points per rupee spent in a category ("gold", "diamond", "platinum", "silver", "service", "coin"):
    ``points`` for every ``per_amount`` rupees of the value before tax (0 points: none)."""

    __tablename__ = "loyalty_earn_rule"
    __table_args__ = (UniqueConstraint("program_id", "category"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="loyalty_program.id", index=True)
    category: str = Field(max_length=20)
    points: int = 1
    per_amount: Decimal = Field(default=Decimal("100.00"), sa_column=Column(Money(), nullable=False))


class Tier(SQLModel, table=True):
    """A tier reached by rolling 12-month spend, with its benefits."""

    __tablename__ = "loyalty_tier"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="loyalty_program.id", index=True)
    name: str = Field(max_length=40)
    min_spend: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    earn_multiplier: Decimal = Field(default=Decimal("1.00"), sa_column=Column(Money(), nullable=False))
    making_discount_pct: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))


class Member(SQLModel, table=True):
    """A customer in a program, with their referral code, who referred them and their redemption PIN.

    ``pin_hash`` and ``pin_code_hash`` (the one-time code sent to change the PIN) are keyed hashes
    (:mod:`modules.loyalty.pins`); ``pin_failures`` counts wrong PINs and codes in a row and
    ``pin_locked_at`` is set when they reach the limit (redemption stays locked until a manager unlocks).
    """

    __tablename__ = "loyalty_member"
    __table_args__ = (UniqueConstraint("program_id", "customer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="loyalty_program.id", index=True)
    customer_id: int = Field(index=True)
    customer_name: str = Field(default="", max_length=120)
    referral_code: str = Field(max_length=12, unique=True)
    referred_by_id: int | None = Field(default=None, foreign_key="loyalty_member.id")
    referral_rewarded_at: datetime | None = None
    pin_hash: str = Field(default="", max_length=200)
    pin_failures: int = 0
    pin_locked_at: datetime | None = None
    pin_code_hash: str = Field(default="", max_length=200)
    pin_code_expires_at: datetime | None = None
    joined_at: datetime = Field(default_factory=utcnow)


class PointEntry(SQLModel, table=True):
    """One row of the points ledger: earn (+), redeem (−), expire (−), reverse (−/+), adjust (±), referral (+).

    The balance is the sum of ``points``. ``expires_on`` is set on earned rows; ``remaining`` is
    what is left of an earned row after redemptions and expiry (first in, first out).
    """

    __tablename__ = "loyalty_point_entry"
    __table_args__ = (Index("ix_loyalty_point_entry_member_kind", "member_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="loyalty_member.id", index=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    kind: str = Field(max_length=10)
    points: int
    remaining: int = 0
    expires_on: date | None = Field(default=None, index=True)
    reference: str = Field(default="", max_length=60)  # invoice number, credit note, receipt ...
    spend: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    reason: str = Field(default="", max_length=300)
    user_name: str = Field(default="", max_length=120)
    at: datetime = Field(default_factory=utcnow, index=True)


class SchemeTemplate(SQLModel, table=True):
    """A gold savings scheme a store offers: instalments (rupees or grams), duration, bonus and rules."""

    __tablename__ = "loyalty_scheme_template"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    name: str = Field(max_length=80)
    unit: str = Field(default="amount", max_length=6)  # amount | grams
    instalment: Decimal = Field(sa_column=Column(Money(), nullable=False))  # rupees (amount) per month
    instalment_grams: Decimal = Field(default=Decimal("0.000"), sa_type=Weight)  # grams per month (grams)
    months: int = 11
    bonus_kind: str = Field(default="instalment", max_length=10)  # instalment | making_pct | none
    bonus_value: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    grace_days: int = 7
    max_missed: int = 2
    metal_id: int | None = Field(default=None, foreign_key="stock_metal.id")  # rate used for grams
    foreclosure_deduction_pct: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    active: bool = True


class Enrolment(SQLModel, table=True):
    """A customer's enrolment in a scheme: nominee, KYC and its state (active, matured, redeemed, foreclosed,
    lapsed).

    ``paid`` and ``grams`` are what the instalments brought in; ``settled`` is what redemptions have paid
    so far (or the foreclosure refund) and ``grams_redeemed`` the grams they took: a matured scheme is
    redeemed bit by bit and closes as redeemed when nothing is left.
    """

    __tablename__ = "loyalty_enrolment"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    number: str = Field(max_length=30, unique=True)
    template_id: int = Field(foreign_key="loyalty_scheme_template.id", index=True)
    customer_id: int = Field(index=True)
    customer_name: str = Field(default="", max_length=120)
    nominee_name: str = Field(default="", max_length=120)
    nominee_relation: str = Field(default="", max_length=40)
    pan: str = Field(default="", max_length=10)
    id_kind: str = Field(default="", max_length=20)
    id_number_masked: str = Field(default="", max_length=30)
    status: str = Field(default="active", max_length=10, index=True)
    start_on: date
    maturity_on: date = Field(index=True)
    paid: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    grams: Decimal = Field(default=Decimal("0.000"), sa_type=Weight)
    bonus: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    settled: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    grams_redeemed: Decimal = Field(default=Decimal("0.000"), sa_type=Weight)
    settled_reference: str = Field(default="", max_length=60)
    created_by: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class SchemeInstalment(SQLModel, table=True):
    """One instalment of an enrolment: due date, what was paid, when, its receipt, and the grams it bought."""

    __tablename__ = "loyalty_scheme_instalment"
    __table_args__ = (UniqueConstraint("enrolment_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="loyalty_enrolment.id", index=True)
    seq: int
    due_on: date = Field(index=True)
    amount: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    paid_on: date | None = None
    receipt_number: str | None = Field(default=None, max_length=40, unique=True)
    method: str = Field(default="", max_length=10)
    reference: str = Field(default="", max_length=120)
    rate: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    grams: Decimal = Field(default=Decimal("0.000"), sa_type=Weight)
    late_fee: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    status: str = Field(default="due", max_length=8)  # due | paid | missed
    received_by: str = Field(default="", max_length=120)


class SchemeRedemption(SQLModel, table=True):
    """One use of a matured scheme to pay an invoice: the rupees it paid and, for a scheme holding gold,
    the grams it took at the day's rate."""

    __tablename__ = "loyalty_scheme_redemption"

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="loyalty_enrolment.id", index=True)
    invoice_number: str = Field(default="", max_length=60)
    amount: Decimal = Field(sa_column=Column(Money(), nullable=False))
    grams: Decimal = Field(default=Decimal("0.000"), sa_type=Weight)
    rate: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    value_left: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    user_name: str = Field(default="", max_length=120)
    at: datetime = Field(default_factory=utcnow)
