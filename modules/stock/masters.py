"""Stock masters: categories, metals at their purities, designs and parties.

Masters are shared by every branch (a 22K gold ring is the same thing in Mumbai and
Delhi). Anyone who may see stock may read them (for drop-downs and filters); only
``stock.masters.manage`` may add or change them. Nothing is ever deleted: a master
that is no longer used is marked inactive and drops out of the drop-downs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound, require_fields
from jewelerp.validation import read_int
from modules.stock.models import Category, Design, Metal, Party, Piece

M = TypeVar("M", Category, Metal, Design, Party)
MANAGE = "stock.masters.manage"
VIEW = "stock.piece.view"
METALS = ("gold", "silver", "platinum", "palladium")
PARTY_KINDS = (
    ("supplier", "Supplier"),
    ("karigar", "Karigar"),
    ("consignor", "Consignor"),
    ("memo", "Memo party"),
    ("refiner", "Refiner"),  # old-gold lots are sent to one (modules.stock.old_gold)
)
DEFAULT_METALS = (  # gold at every grade of the Hallmarking Order (modules.stock.hallmark)
    ("gold", "24K", 999, True),
    ("gold", "23K", 958, True),
    ("gold", "22K", 916, True),
    ("gold", "20K", 833, True),
    ("gold", "18K", 750, True),
    ("gold", "14K", 585, True),
    ("silver", "999", 999, False),
    ("silver", "925", 925, False),
    ("platinum", "950", 950, False),
)
JEWELLERY_HSN, COIN_HSN = "7113", "7118"  # Customs Tariff Act 1975, First Schedule: articles of jewellery; coin
DEFAULT_CATEGORIES = (
    ("RING", "Ring", JEWELLERY_HSN),
    ("CHAIN", "Chain", JEWELLERY_HSN),
    ("BANGLE", "Bangle", JEWELLERY_HSN),
    ("NECKLACE", "Necklace", JEWELLERY_HSN),
    ("EARRING", "Earring", JEWELLERY_HSN),
    ("PENDANT", "Pendant", JEWELLERY_HSN),
    ("COIN", "Coin", COIN_HSN),
)
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,9}$")
DESIGN_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
PURITY_RE = re.compile(r"^[0-9]{1,3}(K|\.[0-9]{1,3})?$")
GSTIN_RE = re.compile(r"^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
HSN_RE = re.compile(r"^[0-9]{4}([0-9]{2}){0,2}$")  # a heading (4 digits), sub-heading (6) or tariff item (8)


# ---------------------------------------------------------------------------- inputs


@dataclass
class CategoryInput:
    """A category as typed: a short code (RING), its name (Ring) and the HSN of its goods (7113)."""

    code: str
    name: str
    active: bool = True
    hsn: str = JEWELLERY_HSN


@dataclass
class MetalInput:
    """A metal at a purity as typed: gold, 22K, 916 (parts per thousand)."""

    metal: str
    purity: str
    fineness: str
    hallmarked: bool = False
    active: bool = True


@dataclass
class DesignInput:
    """A design as typed: its code, name and the collection it belongs to."""

    code: str
    name: str
    collection: str = ""


@dataclass
class PartyInput:
    """A supplier, karigar, consignor or memo party as typed."""

    kind: str
    name: str
    phone: str = ""
    gstin: str = ""
    address: str = ""
    active: bool = True


# ---------------------------------------------------------------------------- labels


def metal_label(metal: Metal) -> str:
    """'Gold 22K (916)', or 'Silver 925' when the purity is the fineness."""
    name = metal.metal.title()
    if metal.purity == str(metal.fineness):
        return f"{name} {metal.purity}"
    return f"{name} {metal.purity} ({metal.fineness})"


def party_kind_label(kind: str) -> str:
    """'Karigar' for ``karigar``; unknown kinds are shown as stored."""
    return dict(PARTY_KINDS).get(kind, kind)


# ---------------------------------------------------------------------------- seeding


def get_metal(session: Session, metal_id: int) -> Metal | None:
    """A metal and purity by id (for other modules: billing prices by it)."""
    return session.get(Metal, metal_id)


def category_hsn(session: Session, category_id: int) -> str:
    """The HSN code of a category's goods (for other modules: billing taxes a piece by it)."""
    category = session.get(Category, category_id)
    return category.hsn if category is not None else JEWELLERY_HSN


def purities_of(session: Session, metal: str) -> list[Metal]:
    """The purities of ``metal`` ("Gold"), finest first (reference data every module prices with)."""
    return list(session.scalars(select(Metal).where(Metal.metal == metal).order_by(Metal.fineness.desc())))


def piece_hsn(session: Session, piece_id: int) -> str:
    """The HSN code of a piece's category, for a record that already refers to the piece (an invoice line)."""
    piece = session.get(Piece, piece_id)
    if piece is None:
        raise NotFound("That piece does not exist.")
    return category_hsn(session, piece.category_id)


def ensure_default_masters(session: Session) -> None:
    """Add the standard metals, purities and categories that are missing (safe to run again)."""
    have_metals = {(m, f) for m, f in session.execute(select(Metal.metal, Metal.fineness))}
    for metal, purity, fineness, hallmarked in DEFAULT_METALS:
        if (metal, fineness) not in have_metals:
            session.add(Metal(metal=metal, purity=purity, fineness=fineness, hallmarked=hallmarked))
    have_codes = set(session.scalars(select(Category.code)))
    for code, name, hsn in DEFAULT_CATEGORIES:
        if code not in have_codes:
            session.add(Category(code=code, name=name, hsn=hsn))
    session.flush()


# ---------------------------------------------------------------------------- lists


def list_categories(session: Session, actor: Actor, *, active_only: bool = False) -> list[Category]:
    """Categories by name."""
    actor.require(VIEW)
    stmt = select(Category).order_by(Category.name)
    if active_only:
        stmt = stmt.where(Category.active)
    return list(session.scalars(stmt))


def list_metals(session: Session, actor: Actor, *, active_only: bool = False) -> list[Metal]:
    """Metals, each by falling fineness (gold 24K before 22K)."""
    actor.require(VIEW)
    stmt = select(Metal).order_by(Metal.metal, Metal.fineness.desc())
    if active_only:
        stmt = stmt.where(Metal.active)
    return list(session.scalars(stmt))


def list_designs(session: Session, actor: Actor) -> list[Design]:
    """Designs by code."""
    actor.require(VIEW)
    return list(session.scalars(select(Design).order_by(Design.code)))


def list_parties(
    session: Session, actor: Actor, *, kinds: tuple[str, ...] = (), active_only: bool = False
) -> list[Party]:
    """Parties by name, optionally of some kinds only."""
    actor.require(VIEW)
    stmt = select(Party).order_by(Party.name)
    if kinds:
        stmt = stmt.where(Party.kind.in_(kinds))
    if active_only:
        stmt = stmt.where(Party.active)
    return list(session.scalars(stmt))


# ---------------------------------------------------------------------------- options for drop-downs


def category_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(id, name) of active categories."""
    return [(str(c.id), c.name) for c in list_categories(session, actor, active_only=True)]


def metal_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(id, 'Gold 22K (916)') of active metals."""
    return [(str(m.id), metal_label(m)) for m in list_metals(session, actor, active_only=True)]


def design_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(id, 'CODE · Name') of every design."""
    return [(str(d.id), f"{d.code} · {d.name}") for d in list_designs(session, actor)]


def party_options(session: Session, actor: Actor, kinds: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(id, 'Name (Karigar)') of active parties, optionally of some kinds only."""
    parties = list_parties(session, actor, kinds=kinds, active_only=True)
    return [(str(p.id), f"{p.name} ({party_kind_label(p.kind)})") for p in parties]


def as_choices(options: list[tuple[str, str]]) -> list[dict[str, str]]:
    """(value, label) pairs as the ``{"value", "label"}`` dicts page selects take."""
    return [{"value": value, "label": label} for value, label in options]


# ---------------------------------------------------------------------------- saving


def _load(session: Session, model: type[M], record_id: int | None, what: str) -> M:
    if record_id is None:
        return model()
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"That {what} no longer exists.")
    return record


def _clean(text: str) -> str:
    return " ".join(text.split())


def save_category(session: Session, actor: Actor, data: CategoryInput, category_id: int | None = None) -> Category:
    """Create a category, or change ``category_id``."""
    actor.require(MANAGE)
    code, name = data.code.strip().upper(), _clean(data.name)
    errors: dict[str, str] = {}
    if not CODE_RE.match(code):
        errors["code"] = "Code is 1 to 10 letters, digits or dashes, e.g. RING."
    else:
        clash = session.scalars(select(Category).where(Category.code == code)).first()
        if clash is not None and clash.id != category_id:
            errors["code"] = f"Code {code} is already used by {clash.name}."
    if not name:
        errors["name"] = "Enter the category's name, e.g. Ring."
    elif len(name) > 60:
        errors["name"] = "Keep the name to 60 characters."
    hsn = data.hsn.strip()
    if not HSN_RE.match(hsn):
        errors["hsn"] = "HSN is 4, 6 or 8 digits, e.g. 7113 for jewellery or 7118 for coins."
    require_fields(errors)
    category = _load(session, Category, category_id, "category")
    category.code, category.name, category.active, category.hsn = code, name, data.active, hsn
    session.add(category)
    session.flush()
    return category


def save_metal(session: Session, actor: Actor, data: MetalInput, metal_id: int | None = None) -> Metal:
    """Create a metal at a purity, or change ``metal_id``; (metal, fineness) is unique."""
    actor.require(MANAGE)
    metal, purity, raw_fineness = data.metal.strip().lower(), data.purity.strip().upper(), data.fineness.strip()
    errors: dict[str, str] = {}
    if metal not in METALS:
        errors["metal"] = f"Metal is one of {', '.join(METALS)}."
    if not PURITY_RE.match(purity):
        errors["purity"] = "Purity as stamped, e.g. 22K or 925."
    fineness = read_int(raw_fineness, 1, 999)
    if fineness is None:
        errors["fineness"] = "Fineness is parts per thousand, 1 to 999, e.g. 916."
    elif "metal" not in errors:
        clash = session.scalars(select(Metal).where(Metal.metal == metal, Metal.fineness == fineness)).first()
        if clash is not None and clash.id != metal_id:
            errors["fineness"] = f"{metal_label(clash)} already exists."
    require_fields(errors)
    record = _load(session, Metal, metal_id, "metal")
    record.metal, record.purity, record.fineness = metal, purity, fineness
    record.hallmarked, record.active = data.hallmarked, data.active
    session.add(record)
    session.flush()
    return record


def save_design(session: Session, actor: Actor, data: DesignInput, design_id: int | None = None) -> Design:
    """Create a design, or change ``design_id``."""
    actor.require(MANAGE)
    code, name, collection = data.code.strip().upper(), _clean(data.name), _clean(data.collection)
    errors: dict[str, str] = {}
    if not DESIGN_CODE_RE.match(code):
        errors["code"] = "Code is 1 to 20 letters, digits or dashes, e.g. TMP-101."
    else:
        clash = session.scalars(select(Design).where(Design.code == code)).first()
        if clash is not None and clash.id != design_id:
            errors["code"] = f"Code {code} is already used by {clash.name}."
    if not name:
        errors["name"] = "Enter the design's name."
    elif len(name) > 120:
        errors["name"] = "Keep the name to 120 characters."
    if len(collection) > 120:
        errors["collection"] = "Keep the collection to 120 characters."
    require_fields(errors)
    design = _load(session, Design, design_id, "design")
    design.code, design.name, design.collection = code, name, collection
    session.add(design)
    session.flush()
    return design


def save_party(session: Session, actor: Actor, data: PartyInput, party_id: int | None = None) -> Party:
    """Create a supplier, karigar, consignor or memo party, or change ``party_id``."""
    actor.require(MANAGE)
    kind, name = data.kind.strip().lower(), _clean(data.name)
    phone, gstin, address = _clean(data.phone), data.gstin.strip().upper(), _clean(data.address)
    errors: dict[str, str] = {}
    if kind not in dict(PARTY_KINDS):
        errors["kind"] = "Choose supplier, karigar, consignor, memo party or refiner."
    if not name:
        errors["name"] = "Enter the party's name."
    elif len(name) > 120:
        errors["name"] = "Keep the name to 120 characters."
    if phone and (not PHONE_RE.match(phone) or len(re.sub(r"\D", "", phone)) < 7):
        errors["phone"] = "Phone is digits with an optional +country code, e.g. +91 98200 12345."
    if gstin and not GSTIN_RE.match(gstin):
        errors["gstin"] = "GSTIN is 15 characters, e.g. 27AAPFU0939F1ZV."
    if len(address) > 300:
        errors["address"] = "Keep the address to 300 characters."
    require_fields(errors)
    party = _load(session, Party, party_id, "party")
    party.kind, party.name, party.phone, party.gstin = kind, name, phone, gstin
    party.address, party.active = address, data.active
    session.add(party)
    session.flush()
    return party
