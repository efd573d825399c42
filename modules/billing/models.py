"""Billing tables (prefixed ``billing_``): metal rates, invoices and estimates, credit notes, payments,
bookings (advances and layaway) with their instalments, and number counters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from jewelerp.db import Money, Weight, utcnow


class BillingMetalRate(SQLModel, table=True):
    """The per-gram rate of one metal at one purity in one store on one day.

    One row per store, metal and day: a correction replaces the day's rate (the audit log
    keeps the old value, who changed it and when).
    """

    __tablename__ = "billing_metal_rate"
    __table_args__ = (UniqueConstraint("store_id", "metal_id", "on"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    metal_id: int = Field(foreign_key="stock_metal.id", index=True)
    metal_label: str = Field(default="", max_length=60)  # as named when entered, for the history
    on: date = Field(index=True)
    rate: Decimal = Field(sa_column=Column(Money(), nullable=False))
    entered_by: str = Field(default="", max_length=120)
    entered_at: datetime = Field(default_factory=utcnow)


class Invoice(SQLModel, table=True):
    """A sale: a draft until issued; an issued invoice is never edited or deleted (a credit note cancels it).

    ``customer_id`` is clienteling's customer id, kept without a foreign key (modules never join
    each other's tables). The number is taken only when the invoice is issued.

    ``kind="estimate"`` is a quotation built with the same lines: statuses ``draft`` → ``quoted``
    (numbered in the EST series, valid until ``valid_until``) → ``converted`` (``converted_to_id``
    is the invoice it became). ``priced_on`` is the date whose rates priced the lines when it is
    not ``invoice_date`` (an estimate converted within its validity, a booking with a rate lock).

    ``approval`` is ``""`` (not needed), ``pending``, ``approved`` or ``rejected``: a draft whose
    discount is above the store's limit, or whose total is above the store's approval amount,
    cannot be issued until a manager approves it. ``paid`` is the sum of the payments applied.
    """

    __tablename__ = "billing_invoice"
    __table_args__ = (
        Index("ix_billing_invoice_store_issued", "store_id", "issued_at"),  # dashboard sales
        Index("ix_billing_invoice_kind_number", "kind", "number"),  # the search box: invoices or estimates by number
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    number: str | None = Field(default=None, max_length=40, unique=True)
    financial_year: str = Field(default="", max_length=7)
    status: str = Field(default="draft", max_length=10, index=True)
    customer_id: int | None = Field(default=None, index=True)
    customer_name: str = Field(default="", max_length=120)
    customer_state: str = Field(default="", max_length=60)  # typed before states were chosen from a list
    customer_pan: str = Field(default="", max_length=10)
    # Rule 46 (CGST Rules 2017): the recipient's address, state code and GSTIN (B2B), the delivery
    # address when goods go elsewhere, and the place of supply fixed when the invoice is issued.
    customer_address: str = Field(default="", max_length=300)
    customer_state_code: str = Field(default="", max_length=2)
    customer_gstin: str = Field(default="", max_length=15)
    ship_to_address: str = Field(default="", max_length=300)
    ship_to_state_code: str = Field(default="", max_length=2)
    place_of_supply: str = Field(default="", max_length=2)  # GST state code
    created_by: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    invoice_date: date | None = None  # the store's date whose rates price the lines
    issued_at: datetime | None = None
    taxable: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    cgst: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    sgst: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    igst: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    round_off: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    total: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    old_gold_credit: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    payable: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    # payable = total − old gold credit, rounded to the rupee; this is that rounding (modules.billing.old_gold.settle).
    settlement_round_off: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    breakdown: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    kind: str = Field(default="invoice", max_length=10, index=True)  # invoice | estimate
    valid_until: date | None = None
    converted_to_id: int | None = None  # no foreign key: SQLite cannot add one to an existing table
    priced_on: date | None = None
    booking_id: int | None = Field(default=None, index=True)  # billing_booking.id, no foreign key (as above)
    approval: str = Field(default="", max_length=10, index=True)
    approval_reason: str = Field(default="", max_length=300)
    approval_by: str = Field(default="", max_length=120)
    approval_at: datetime | None = None
    approval_note: str = Field(default="", max_length=300)
    paid: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    # The event or occasion the sale is for ("Wedding of Asha, Dec 2026"): Income-tax Act s.269ST(c).
    occasion: str = Field(default="", max_length=80)


class InvoiceLine(SQLModel, table=True):
    """One line of an invoice: a stock piece, a service, or old gold taken in exchange (a credit)."""

    __tablename__ = "billing_invoice_line"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="billing_invoice.id", index=True)
    kind: str = Field(max_length=10)  # piece | service | old_gold
    piece_id: int | None = Field(default=None, foreign_key="stock_piece.id", index=True)
    description: str = Field(default="", max_length=300)
    metal_id: int | None = Field(default=None, foreign_key="stock_metal.id")
    net_weight: Decimal = Field(default=Decimal("0.000"), sa_column=Column(Weight(), nullable=False))
    rate: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    deduction_pct: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    taxable: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    cgst: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    sgst: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    igst: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    amount: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    breakdown: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    # The discount given on the line and the price before it (for the store's discount limit).
    discount: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    category: str = Field(default="", max_length=10)  # gold | diamond | platinum | silver (reports)
    # The line's tax class (billing_tax_class.code), its HSN/SAC code and total GST rate in % as applied.
    tax_class: str = Field(default="", max_length=20)
    hsn_sac: str = Field(default="", max_length=8)
    tax_rate: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))


class CreditNote(SQLModel, table=True):
    """The cancellation of an issued invoice, numbered gaplessly like invoices (MUM/C2627/00004)."""

    __tablename__ = "billing_credit_note"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    number: str = Field(max_length=40, unique=True)
    invoice_id: int = Field(foreign_key="billing_invoice.id", unique=True)
    reason: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=120)


class Booking(SQLModel, table=True):
    """An advance booking (layaway): a piece reserved for a customer against advances.

    Statuses: ``open`` → ``completed`` (``invoice_id`` is the invoice the advances paid into)
    or ``cancelled`` (``refund`` is what went back under the store's refund rule). With
    ``rate_locked`` the invoice is priced at the rates of ``locked_on``.
    """

    __tablename__ = "billing_booking"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    number: str = Field(max_length=40, unique=True)  # MUM/A2627/00001
    status: str = Field(default="open", max_length=10, index=True)
    customer_id: int | None = Field(default=None, index=True)
    customer_name: str = Field(default="", max_length=120)
    customer_state: str = Field(default="", max_length=60)  # typed before states were chosen from a list
    customer_state_code: str = Field(default="", max_length=2)  # GST state code (jewelerp.gst.STATES)
    customer_pan: str = Field(default="", max_length=10)
    piece_id: int | None = Field(default=None, foreign_key="stock_piece.id", index=True)
    description: str = Field(default="", max_length=300)
    rate_locked: bool = False
    locked_on: date | None = None
    quoted: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    invoice_id: int | None = Field(default=None, foreign_key="billing_invoice.id")
    refund: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    cancel_reason: str = Field(default="", max_length=300)
    created_by: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    occasion: str = Field(default="", max_length=80)  # as on Invoice: Income-tax Act s.269ST(c)


class BookingInstalment(SQLModel, table=True):
    """One instalment of a booking's schedule: what is due on which date (paid from its payments)."""

    __tablename__ = "billing_booking_instalment"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="billing_booking.id", index=True)
    due_on: date
    amount: Decimal = Field(sa_column=Column(Money(), nullable=False))


class Payment(SQLModel, table=True):
    """Money received (or refunded) against an invoice or a booking, with its receipt number.

    ``method``: cash | card | upi | bank | old_gold | advance. ``kind``: ``receipt`` (money in, a
    receipt numbered MUM/R2627/00001), ``refund`` (money out) or ``applied`` (a booking's
    advances moved onto its invoice: no money moves, so no receipt number).
    """

    __tablename__ = "billing_payment"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="billing_invoice.id", index=True)
    booking_id: int | None = Field(default=None, foreign_key="billing_booking.id", index=True)
    customer_id: int | None = Field(default=None, index=True)
    receipt_number: str | None = Field(default=None, max_length=40, unique=True)
    kind: str = Field(default="receipt", max_length=10)
    method: str = Field(max_length=10)
    amount: Decimal = Field(sa_column=Column(Money(), nullable=False))
    reference: str = Field(default="", max_length=120)
    on: date = Field(index=True)  # the store's date
    received_at: datetime = Field(default_factory=utcnow)
    received_by: str = Field(default="", max_length=120)


class TaxClass(SQLModel, table=True):
    """A GST tax class in effect from a date: the HSN (goods) or SAC (services) code and the total GST rate.

    Several rows per ``code`` over time; an invoice line takes the row in effect on the invoice's date
    (:mod:`modules.billing.tax_classes`). ``rate_registered`` applies when the buyer's GSTIN is on the
    invoice (job work for a registered business), ``rate_unregistered`` otherwise. Rates are total GST
    in % (CGST + SGST, or IGST), e.g. 3.00 for jewellery, 18.00 for repairs.
    """

    __tablename__ = "billing_tax_class"
    __table_args__ = (UniqueConstraint("code", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, index=True)
    description: str = Field(max_length=120)
    hsn_sac: str = Field(max_length=8)
    kind: str = Field(max_length=10)  # goods | service
    rate_unregistered: Decimal = Field(sa_column=Column(Money(), nullable=False))
    rate_registered: Decimal = Field(sa_column=Column(Money(), nullable=False))
    effective_from: date = Field(index=True)
    created_by: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class NumberCounter(SQLModel, table=True):
    """The last number used per store, financial year and series ("INV", "CN")."""

    __tablename__ = "billing_number_counter"
    __audit__ = False

    store_id: int = Field(foreign_key="core_store.id", primary_key=True)
    financial_year: str = Field(primary_key=True, max_length=7)
    series: str = Field(primary_key=True, max_length=8)
    last: int = 0


class OldGoldVoucher(SQLModel, table=True):
    """A purchase of old gold (or silver, platinum) from a customer: its own voucher and number series.

    ``kind``: ``exchange`` (taken against a sale: drafted with the invoice's old-gold line ``line_id``,
    numbered when the invoice is issued, its amount credited after tax) or ``buyback`` (bought for money,
    numbered and paid out at once). ``status``: draft | issued | cancelled. The seller's identity document
    is ``id_kind`` and ``id_number`` (an Aadhaar kept as its last 4 digits only, see :mod:`jewelerp.id_proof`).
    Value = net weight × ``rate`` (the day's rate at the tested ``fineness``); ``amount`` = value − deduction;
    a buy-back pays ``paid`` (the amount rounded to the rupee, ``round_off`` the difference) by
    ``payout_method``. ``lot_id`` is the stock lot the metal went into.
    """

    __tablename__ = "billing_old_gold_voucher"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    number: str | None = Field(default=None, max_length=40, unique=True)
    kind: str = Field(max_length=10)
    status: str = Field(default="draft", max_length=10, index=True)
    invoice_id: int | None = Field(default=None, foreign_key="billing_invoice.id", index=True)
    line_id: int | None = Field(default=None, foreign_key="billing_invoice_line.id", unique=True)
    voucher_date: date = Field(index=True)  # the store's date whose rate valued the metal
    issued_at: datetime | None = None
    customer_id: int | None = Field(default=None, index=True)
    seller_name: str = Field(max_length=120)
    seller_address: str = Field(max_length=300)
    seller_pan: str = Field(default="", max_length=10)
    id_kind: str = Field(max_length=20)
    id_number: str = Field(max_length=40, index=True)
    metal: str = Field(max_length=20)
    fineness: int
    rate_metal_id: int = Field(foreign_key="stock_metal.id")  # the purity whose rate of the day was used
    description: str = Field(default="", max_length=300)
    gross_weight: Decimal = Field(sa_column=Column(Weight(), nullable=False))
    net_weight: Decimal = Field(sa_column=Column(Weight(), nullable=False))
    rate: Decimal = Field(sa_column=Column(Money(), nullable=False))
    value: Decimal = Field(sa_column=Column(Money(), nullable=False))
    deduction_pct: Decimal = Field(sa_column=Column(Money(), nullable=False))
    deduction: Decimal = Field(sa_column=Column(Money(), nullable=False))
    amount: Decimal = Field(sa_column=Column(Money(), nullable=False))
    payout_method: str = Field(default="", max_length=10)  # "" (exchange) | cash | bank | upi | cheque
    payout_reference: str = Field(default="", max_length=120)
    paid: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    round_off: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    lot_id: int | None = Field(default=None, foreign_key="stock_old_gold_lot.id")
    cancel_reason: str = Field(default="", max_length=300)
    created_by: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
