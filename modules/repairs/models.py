"""Repairs tables (prefixed ``repairs_``): jobs with their intake stones, photos and stage moves,
design versions of custom orders, karigars (craftsmen) and their metal ledger.

Customers are clienteling's customer ids and pieces stock's piece ids, kept as plain numbers
or foreign keys to stock's piece table; modules never join each other's tables in queries.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from jewelerp.db import Money, Weight, utcnow
from jewelerp.ui.public_page import stamp_public_page


class Karigar(SQLModel, table=True):
    """A craftsman the store gives job work to, with the metal loss they are allowed (% of the fine metal issued)."""

    __tablename__ = "repairs_karigar"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    name: str = Field(max_length=120)
    phone: str = Field(default="", max_length=20)
    loss_allowance_pct: Decimal = Field(default=Decimal("1.00"), sa_column=Column(Money(), nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Job(SQLModel, table=True):
    """A repair or a custom order, from intake at the counter to delivery.

    ``kind`` is ``repair`` or ``custom``; ``stage`` is one of the store's stages for the kind.
    ``number`` is unique across branches (``RP-MUM-000012``, ``CO-DEL-000003``). The customer's
    status page is ``/r/<public_token>``; revoking sets ``token_revoked_at``.
    """

    __tablename__ = "repairs_job"
    __table_args__ = (Index("ix_repairs_job_store_stage", "store_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    number: str = Field(default="", max_length=30, index=True)
    kind: str = Field(max_length=10)
    stage: str = Field(max_length=30)
    stage_since: datetime = Field(default_factory=utcnow)
    customer_id: int | None = Field(default=None, index=True)
    customer_name: str = Field(default="", max_length=120)
    customer_phone: str = Field(default="", max_length=20)
    customer_email: str = Field(default="", max_length=254)
    piece_id: int | None = Field(default=None, foreign_key="stock_piece.id", index=True)
    item_description: str = Field(default="", max_length=300)
    requested_work: str = Field(default="", sa_column=Column(Text, nullable=False))
    promised_on: date | None = Field(default=None, index=True)
    estimate: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    deposit: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    final_charge: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    paid: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Money(), nullable=False))
    assigned_user_id: int | None = Field(default=None, foreign_key="core_user.id")
    karigar_id: int | None = Field(default=None, foreign_key="repairs_karigar.id", index=True)
    warranty_days: int = 0
    weight_in: Decimal | None = Field(default=None, sa_type=Weight)
    weight_out: Decimal | None = Field(default=None, sa_type=Weight)
    metal_fineness: int | None = None  # purity of the metal in parts per thousand, for the karigar ledger
    condition_notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    terms_accepted_at: datetime | None = None
    terms_accepted_by: str = Field(default="", max_length=120)
    approved_version_id: int | None = None  # the design version the customer approved (custom orders)
    public_token: str = Field(max_length=43, unique=True)
    token_revoked_at: datetime | None = None
    # When something the status page shows last changed (kept by stamp_public_page, below, and by
    # touch_public_page for the balance); None: not since the column exists (the page then dates from created_at).
    public_changed_at: datetime | None = Field(default=None, index=True)
    delivered_at: datetime | None = None
    override_by: str = Field(default="", max_length=120)
    override_note: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=120)
    version: int = 0


class JobStone(SQLModel, table=True):
    """Stones declared at intake (``phase="in"``) or counted at pickup (``phase="out"``)."""

    __tablename__ = "repairs_job_stone"

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="repairs_job.id", index=True)
    phase: str = Field(default="in", max_length=3)
    kind: str = Field(max_length=30)
    count: int = 1
    carats: Decimal = Field(default=Decimal("0.000"), sa_type=Weight)
    inscription: str = Field(default="", max_length=40)


class StageMove(SQLModel, table=True):
    """One move of a job from a stage to the next: who, when, the note and whether a skip was allowed."""

    __tablename__ = "repairs_stage_move"

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="repairs_job.id", index=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    from_stage: str = Field(default="", max_length=30)
    to_stage: str = Field(max_length=30)
    note: str = Field(default="", max_length=500)
    skipped: bool = False
    user_id: int | None = Field(default=None, foreign_key="core_user.id")
    user_name: str = Field(default="", max_length=120)
    at: datetime = Field(default_factory=utcnow)


class JobPhoto(SQLModel, table=True):
    """A photo of a job: at intake, at a stage move, or at delivery; ``shared`` shows it on the status page."""

    __tablename__ = "repairs_job_photo"

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="repairs_job.id", index=True)
    move_id: int | None = Field(default=None, foreign_key="repairs_stage_move.id")
    path: str = Field(max_length=300)
    caption: str = Field(default="", max_length=200)
    shared: bool = False
    taken_by: str = Field(default="", max_length=120)
    taken_at: datetime = Field(default_factory=utcnow)


class DesignVersion(SQLModel, table=True):
    """A numbered sketch or CAD render of a custom order; the customer approves one version."""

    __tablename__ = "repairs_design_version"
    __table_args__ = (UniqueConstraint("job_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="repairs_job.id", index=True)
    version: int
    kind: str = Field(default="sketch", max_length=10)  # sketch | cad
    path: str = Field(max_length=300)
    note: str = Field(default="", max_length=300)
    uploaded_by: str = Field(default="", max_length=120)
    uploaded_at: datetime = Field(default_factory=utcnow)
    approved_at: datetime | None = None
    approved_by: str = Field(default="", max_length=120)  # the customer's name as they approved, via staff
    recorded_by: str = Field(default="", max_length=120)


class KarigarEntry(SQLModel, table=True):
    """One row of a karigar's metal ledger: metal issued (+) or received back as piece or scrap (−).

    ``weight`` is the metal alone; ``stone_weight`` the stones weighed with it (issued for setting, or set
    in the piece received), so the gross weight is ``|weight| + stone_weight``. ``fine_weight`` =
    weight × fineness / 1000, in grams of fine metal: the balance is their sum, and stones never count.
    ``over_allowance`` marks a receipt that closed a job with a loss above the karigar's allowance.
    """

    __tablename__ = "repairs_karigar_entry"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    karigar_id: int = Field(foreign_key="repairs_karigar.id", index=True)
    job_id: int | None = Field(default=None, foreign_key="repairs_job.id", index=True)
    kind: str = Field(max_length=10)  # issue | piece | scrap | adjust
    weight: Decimal = Field(sa_type=Weight)
    stone_weight: Decimal = Field(default=Decimal("0.000"), sa_type=Weight)
    fineness: int
    fine_weight: Decimal = Field(sa_type=Weight)
    note: str = Field(default="", max_length=300)
    over_allowance: bool = False
    user_name: str = Field(default="", max_length=120)
    at: datetime = Field(default_factory=utcnow)


# The customer's status page (modules.repairs.public) is cached per job until the job or one of these changes.
stamp_public_page(Job, {JobPhoto: "job_id", StageMove: "job_id"})
