"""Stock tables (prefixed ``stock_``): masters, pieces, stones, the movement ledger,
certificates, provenance, reorder rules and the stock's own metal rates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from jewelerp.db import Money, Weight, utcnow
from jewelerp.ui.public_page import stamp_public_page


class Category(SQLModel, table=True):
    """Ring, chain, bangle, necklace, earring, pendant, coin ..."""

    __tablename__ = "stock_category"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True)
    name: str = Field(max_length=60)
    active: bool = True
    # The HSN code of the goods in this category (Customs Tariff Act 1975, First Schedule, chapter 71):
    # 7113 jewellery, 7118 coins; billing taxes a piece by the tax class of its category's HSN.
    hsn: str = Field(default="7113", max_length=8)


class Metal(SQLModel, table=True):
    """A metal at a purity, e.g. gold 22K (916); ``fineness`` is parts per thousand."""

    __tablename__ = "stock_metal"
    __table_args__ = (UniqueConstraint("metal", "fineness"),)

    id: int | None = Field(default=None, primary_key=True)
    metal: str = Field(max_length=20)
    purity: str = Field(max_length=10)
    fineness: int
    hallmarked: bool = False
    active: bool = True


class Design(SQLModel, table=True):
    """A design or collection pieces are made to."""

    __tablename__ = "stock_design"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=120)
    collection: str = Field(default="", max_length=120)


class Party(SQLModel, table=True):
    """A supplier, karigar (craftsman), consignor or memo party."""

    __tablename__ = "stock_party"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=120)
    phone: str = Field(default="", max_length=20)
    gstin: str = Field(default="", max_length=15)
    address: str = Field(default="", max_length=300)
    active: bool = True


class Piece(SQLModel, table=True):
    """One piece of jewellery. Its branch and status are kept by the ledger, never set directly."""

    __tablename__ = "stock_piece"
    __table_args__ = (Index("ix_stock_piece_store_status", "store_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(max_length=30, unique=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    category_id: int = Field(foreign_key="stock_category.id", index=True)
    design_id: int | None = Field(default=None, foreign_key="stock_design.id", index=True)
    metal_id: int = Field(foreign_key="stock_metal.id", index=True)
    gross_weight: Decimal = Field(sa_type=Weight)
    stone_weight: Decimal = Field(default=Decimal("0.000"), sa_type=Weight)
    net_weight: Decimal = Field(sa_type=Weight, index=True)
    size: str = Field(default="", max_length=20)
    batch: str = Field(default="", max_length=40)
    description: str = Field(default="", max_length=300)
    making_rule: str = Field(default="per_gram", max_length=10)
    making_value: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    wastage_pct: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    cost_price: Decimal | None = Field(default=None, sa_type=Money)
    status: str = Field(default="in_stock", max_length=15, index=True)
    consignment: bool = False
    party_id: int | None = Field(default=None, foreign_key="stock_party.id")
    transit_to_store_id: int | None = Field(default=None, foreign_key="core_store.id")
    huid: str | None = Field(default=None, max_length=6, unique=True)
    public_token: str = Field(max_length=43, unique=True)
    token_revoked_at: datetime | None = None
    # When something the public certificate page shows last changed (kept by stamp_public_page, below); None:
    # not since the column exists (the page then dates from created_at).
    public_changed_at: datetime | None = Field(default=None, index=True)
    version: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class Stone(SQLModel, table=True):
    """Stones set in a piece."""

    __tablename__ = "stock_stone"

    id: int | None = Field(default=None, primary_key=True)
    piece_id: int = Field(foreign_key="stock_piece.id", index=True)
    kind: str = Field(max_length=30)
    count: int = 1
    carat: Decimal = Field(sa_type=Weight)
    colour: str = Field(default="", max_length=20)
    clarity: str = Field(default="", max_length=20)
    grade: str = Field(default="", max_length=30)
    lab_grown: bool = False
    # What the stones of this line are charged to the customer, in rupees (billing prices them in).
    value: Decimal = Field(default=Decimal("0.00"), sa_type=Money)


class Movement(SQLModel, table=True):
    """One row of the stock ledger: what happened to a piece, where, by whom."""

    __tablename__ = "stock_movement"
    __table_args__ = (Index("ix_stock_movement_piece_at", "piece_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    piece_id: int = Field(foreign_key="stock_piece.id")
    kind: str = Field(max_length=20, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    to_store_id: int | None = Field(default=None, foreign_key="core_store.id")
    party_id: int | None = Field(default=None, foreign_key="stock_party.id")
    status_after: str = Field(max_length=15)
    reference: str = Field(default="", max_length=60)
    reason: str = Field(default="", max_length=300)
    user_id: int | None = Field(default=None, foreign_key="core_user.id")
    user_name: str = Field(default="", max_length=120)


class Certificate(SQLModel, table=True):
    """A lab's report on a piece or its stones."""

    __tablename__ = "stock_certificate"

    id: int | None = Field(default=None, primary_key=True)
    piece_id: int = Field(foreign_key="stock_piece.id", index=True)
    lab: str = Field(max_length=20)
    report_number: str = Field(max_length=40, index=True)
    issued_on: date
    stone_kind: str = Field(default="diamond", max_length=30)
    shape: str = Field(default="", max_length=30)
    carat: Decimal | None = Field(default=None, sa_type=Weight)
    colour: str = Field(default="", max_length=20)
    clarity: str = Field(default="", max_length=20)
    cut: str = Field(default="", max_length=20)
    measurements: str = Field(default="", max_length=60)
    fluorescence: str = Field(default="", max_length=20)
    lab_grown: bool = False
    species: str = Field(default="", max_length=40)
    origin: str = Field(default="", max_length=60)
    treatment: str = Field(default="", max_length=120)
    file: str = Field(default="", max_length=255)
    verify_note: str = Field(default="", max_length=300)


class ProvenanceEvent(SQLModel, table=True):
    """A link in the chain of custody; append-only (a correction is a new event)."""

    __tablename__ = "stock_provenance"

    id: int | None = Field(default=None, primary_key=True)
    piece_id: int = Field(foreign_key="stock_piece.id", index=True)
    kind: str = Field(max_length=20)
    on: date
    place: str = Field(default="", max_length=120)
    party: str = Field(default="", max_length=120)
    document: str = Field(default="", max_length=120)
    file: str = Field(default="", max_length=255)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    corrects_id: int | None = Field(default=None, foreign_key="stock_provenance.id")
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by: str = Field(default="", max_length=120)


class Image(SQLModel, table=True):
    """A photo of a piece (stored file and its thumbnail)."""

    __tablename__ = "stock_image"

    id: int | None = Field(default=None, primary_key=True)
    piece_id: int = Field(foreign_key="stock_piece.id", index=True)
    path: str = Field(max_length=255)
    thumb: str = Field(max_length=255)
    position: int = 0


class ReorderRule(SQLModel, table=True):
    """Keep at least ``min_qty`` pieces of a category (or one design) in a store."""

    __tablename__ = "stock_reorder_rule"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    category_id: int = Field(foreign_key="stock_category.id")
    design_id: int | None = Field(default=None, foreign_key="stock_design.id")
    min_qty: int


class ReorderAlert(SQLModel, table=True):
    """Raised by the daily job when a rule's stock falls short; resolved when stock is back."""

    __tablename__ = "stock_reorder_alert"

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="stock_reorder_rule.id", index=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    on_hand: int
    raised_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class MetalRate(SQLModel, table=True):
    """A per-gram rate entered in stock (used for valuation when billing is not enabled)."""

    __tablename__ = "stock_metal_rate"
    __table_args__ = (UniqueConstraint("store_id", "metal_id", "on"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id")
    metal_id: int = Field(foreign_key="stock_metal.id")
    on: date
    rate: Decimal = Field(sa_type=Money)


class SkuCounter(SQLModel, table=True):
    """The last SKU number used per store (SKUs are numbered per store)."""

    __tablename__ = "stock_sku_counter"
    __audit__ = False

    store_id: int = Field(foreign_key="core_store.id", primary_key=True)
    last: int = 0


class OldGoldLot(SQLModel, table=True):
    """Old gold (or silver, platinum) bought from a customer, kept by weight until it is refined or melted.

    One lot per billing purchase voucher (``reference`` is its number). Weights are integer milligrams
    and always reconcile: ``received = sent + melted + returned + on_hand`` (:mod:`modules.stock.old_gold`).
    """

    __tablename__ = "stock_old_gold_lot"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    reference: str = Field(max_length=40, index=True)
    metal: str = Field(max_length=20)
    fineness: int
    gross_weight: Decimal = Field(sa_column=Column(Weight(), nullable=False))
    received: Decimal = Field(sa_column=Column(Weight(), nullable=False))
    sent: Decimal = Field(default=Decimal("0.000"), sa_column=Column(Weight(), nullable=False))
    melted: Decimal = Field(default=Decimal("0.000"), sa_column=Column(Weight(), nullable=False))
    returned: Decimal = Field(default=Decimal("0.000"), sa_column=Column(Weight(), nullable=False))
    on_hand: Decimal = Field(sa_column=Column(Weight(), nullable=False))
    received_at: datetime = Field(default_factory=utcnow, index=True)
    received_by: str = Field(default="", max_length=120)


class OldGoldMove(SQLModel, table=True):
    """One row of an old-gold lot's ledger: received, sent to a refiner, melted, or returned to the seller."""

    __tablename__ = "stock_old_gold_move"

    id: int | None = Field(default=None, primary_key=True)
    lot_id: int = Field(foreign_key="stock_old_gold_lot.id", index=True)
    kind: str = Field(max_length=10)  # received | refiner | melt | returned
    weight: Decimal = Field(sa_column=Column(Weight(), nullable=False))
    party_id: int | None = Field(default=None, foreign_key="stock_party.id")
    reference: str = Field(default="", max_length=60)
    reason: str = Field(default="", max_length=300)
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="core_user.id")
    user_name: str = Field(default="", max_length=120)


# The public certificate page (modules.stock.public) is cached per piece until the piece or one of these changes.
stamp_public_page(
    Piece,
    {Stone: "piece_id", Movement: "piece_id", Certificate: "piece_id", ProvenanceEvent: "piece_id", Image: "piece_id"},
)
