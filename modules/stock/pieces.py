"""Receiving pieces: validation of weights, HUID and charges; SKUs numbered per store; recording the
HUID of a piece taken in before it was hallmarked (:mod:`modules.stock.hallmark` has the rule)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields
from jewelerp.validation import MAX_ID, check_lengths, parse_amount_field, parse_grams_field, read_int
from modules.stock.hallmark import clean_huid, huid_missing, huid_required
from modules.stock.models import Category, Design, Metal, Movement, Party, Piece, SkuCounter, Stone

COST_BATCH = 500  # piece ids per query (SQLite allows 32,766 bound parameters; keep statements small)

MAKING_RULES = (("per_gram", "₹ per gram"), ("percent", "% of metal value"), ("flat", "₹ per piece"))
MAX_STONES = 10_000  # stones on one line of a piece
STONE_KINDS = ("diamond", "ruby", "emerald", "sapphire", "pearl", "polki", "kundan", "cz", "other")


@dataclass
class StoneInput:
    """A stone line as typed: kind, count, carats, colour, clarity or grade, lab-grown, and the
    value of the line's stones in rupees (what the customer is charged for them; empty is ₹0)."""

    kind: str
    count: str = "1"
    carat: str = ""
    colour: str = ""
    clarity: str = ""
    grade: str = ""
    lab_grown: bool = False
    value: str = ""


@dataclass(frozen=True)
class StoneSummary:
    """The stones set in a piece, as billing prices them: their total value, whether any is a
    diamond (natural or lab-grown), how many stones and their total carats."""

    value: Decimal
    has_diamond: bool
    count: int
    carats: Decimal


@dataclass
class PieceInput:
    """What is typed when a piece is received."""

    category_id: str
    metal_id: str
    gross_weight: str
    stone_weight: str = "0"
    design_id: str = ""
    size: str = ""
    batch: str = ""
    description: str = ""
    making_rule: str = "per_gram"
    making_value: str = "0"
    wastage_pct: str = "0"
    cost_price: str = ""
    huid: str = ""
    party_id: str = ""
    stones: list[StoneInput] = field(default_factory=list)


def _master(session: Session, model: type, raw: str, key: str, label: str, errors: dict[str, str]) -> int | None:
    if not raw.strip():
        return None
    record_id = read_int(raw, 1, MAX_ID)
    if record_id is None or session.get(model, record_id) is None:
        errors[key] = f"Choose a {label} from the list."
        return None
    return record_id


def next_sku(session: Session, actor: Actor) -> str:
    """The next SKU of the actor's store, e.g. ``MUM-000124`` (safe under concurrent receipts)."""
    bumped = session.execute(
        update(SkuCounter).where(SkuCounter.store_id == actor.store_id).values(last=SkuCounter.last + 1)
    ).rowcount
    if not bumped:
        session.add(SkuCounter(store_id=actor.store_id, last=1))
        session.flush()
    last = session.scalars(select(SkuCounter.last).where(SkuCounter.store_id == actor.store_id)).one()
    return f"{actor.store_code}-{last:06d}"


def _stone_value(raw: str, index: int, errors: dict[str, str], key: str) -> Decimal | None:
    """The rupees typed for a stone line (empty is ₹0), or None with a message under ``key``."""
    refused: dict[str, str] = {}
    value = parse_amount_field(raw or "0", f"Stone {index} value", refused, key)
    if refused:
        errors[key] = f"Stone {index}: value is rupees, 0 or more with at most 2 decimals, e.g. 45000."
    return value


def _stone(line: StoneInput, index: int, errors: dict[str, str]) -> Stone | None:
    """One stone line as an unsaved row, or None with a message under ``stone_<index>``."""
    key = f"stone_{index}"
    kind = line.kind.strip().lower()
    carat = parse_grams_field(line.carat, f"Stone {index} carats", errors, key)  # carats, 3 decimals as well
    count = read_int(line.count, 1, MAX_STONES)
    value = _stone_value(line.value, index, errors, key)
    details = {"colour": line.colour.strip(), "clarity": line.clarity.strip(), "grade": line.grade.strip()}
    too_long: dict[str, str] = {}
    check_lengths(Stone, details, too_long)
    if kind not in STONE_KINDS:
        errors[key] = f"Stone {index}: kind is one of {', '.join(STONE_KINDS)}."
    elif count is None:
        errors[key] = f"Stone {index}: count is a whole number from 1 to {MAX_STONES:,}."
    elif too_long:
        errors[key] = f"Stone {index}: {next(iter(too_long.values()))}"
    if key in errors or carat is None or value is None:
        return None
    return Stone(piece_id=0, kind=kind, count=count, carat=carat, lab_grown=line.lab_grown, value=value, **details)


def _require_huid(session: Session, store_id: int, values: dict, errors: dict[str, str]) -> None:
    """Ask for the HUID when the piece's metal, category and weight need one (the hallmarking rule)."""
    needed = (values["metal_id"], values["category_id"], values["gross_weight"])
    if values["huid"] or "huid" in errors or None in needed:
        return
    metal = session.get(Metal, values["metal_id"])
    if huid_required(session, store_id, metal, session.get(Category, values["category_id"]), values["gross_weight"]):
        errors["huid"] = huid_missing(metal)


def _validate(session: Session, store_id: int, data: PieceInput) -> tuple[dict, list[Stone], dict[str, str]]:
    errors: dict[str, str] = {}
    category_id = _master(session, Category, data.category_id, "category_id", "category", errors)
    metal_id = _master(session, Metal, data.metal_id, "metal_id", "metal and purity", errors)
    if not data.category_id.strip():
        errors["category_id"] = "Choose a category."
    if not data.metal_id.strip():
        errors["metal_id"] = "Choose the metal and purity."
    gross = parse_grams_field(data.gross_weight, "Gross weight", errors, "gross_weight")
    stones_weight = parse_grams_field(data.stone_weight or "0", "Stone weight", errors, "stone_weight")
    if gross is not None and gross <= 0:
        errors["gross_weight"] = "Gross weight must be more than 0 g."
    if gross is not None and stones_weight is not None and stones_weight > gross:
        errors["stone_weight"] = "Stone weight cannot exceed the gross weight."
    huid = clean_huid(session, data.huid, errors)
    rule = data.making_rule.strip()
    if rule not in dict(MAKING_RULES):
        errors["making_rule"] = "Choose how making charges are counted."
    values = {
        "category_id": category_id,
        "metal_id": metal_id,
        "design_id": _master(session, Design, data.design_id, "design_id", "design", errors),
        "party_id": _master(session, Party, data.party_id, "party_id", "supplier or karigar", errors),
        "gross_weight": gross,
        "stone_weight": stones_weight,
        "net_weight": gross - stones_weight if gross is not None and stones_weight is not None else None,
        "size": data.size.strip(),
        "batch": data.batch.strip(),
        "description": " ".join(data.description.split()),
        "making_rule": rule,
        "making_value": parse_amount_field(data.making_value or "0", "Making charge", errors, "making_value"),
        "wastage_pct": parse_amount_field(data.wastage_pct or "0", "Wastage %", errors, "wastage_pct"),
        "cost_price": parse_amount_field(data.cost_price, "Cost price", errors, "cost_price", required=False),
        "huid": huid,
    }
    if values["wastage_pct"] is not None and values["wastage_pct"] > 100:
        errors["wastage_pct"] = "Wastage is a percentage up to 100."
    if rule == "percent" and values["making_value"] is not None and values["making_value"] > 100:
        errors["making_value"] = "Making charged as a % of the metal value is a percentage up to 100."
    _require_huid(session, store_id, values, errors)
    check_lengths(Piece, values, errors)
    stones = [stone for index, line in enumerate(data.stones, start=1) if (stone := _stone(line, index, errors))]
    return values, stones, errors


def receive_piece(session: Session, actor: Actor, data: PieceInput, *, consignment: bool = False) -> Piece:
    """Take a new piece into the actor's store: the piece, its stones and the ledger's first row."""
    actor.require("stock.piece.receive")
    values, stones, errors = _validate(session, actor.store_id, data)
    if consignment and not values["party_id"]:
        errors["party_id"] = "Say which vendor sent the piece on consignment."
    require_fields(errors)
    piece = Piece(
        sku=next_sku(session, actor),
        store_id=actor.store_id,
        public_token=secrets.token_urlsafe(16),
        status="in_stock",
        consignment=consignment,
        **values,
    )
    session.add(piece)
    session.flush()
    for stone in stones:
        stone.piece_id = piece.id
        session.add(stone)
    session.add(
        Movement(
            piece_id=piece.id,
            kind="consignment_in" if consignment else "receipt",
            store_id=actor.store_id,
            party_id=piece.party_id,
            status_after="in_stock",
            user_id=actor.user_id,
            user_name=actor.user_name,
        )
    )
    session.flush()
    return piece


def get_piece(session: Session, actor: Actor, piece_id: int) -> Piece:
    """A piece by id (any branch: staff may look up where a piece is)."""
    actor.require("stock.piece.view")
    piece = session.get(Piece, piece_id)
    if piece is None:
        raise NotFound("That piece does not exist.")
    return piece


def piece_costs(session: Session, actor: Actor, piece_ids: list[int]) -> dict[int, Decimal]:
    """The recorded cost price of each of the pieces that has one (for margin reports); needs
    ``stock.cost.view``."""
    actor.require("stock.cost.view")
    costs: dict[int, Decimal] = {}
    unique = sorted(set(piece_ids))
    for at in range(0, len(unique), COST_BATCH):
        batch = unique[at : at + COST_BATCH]
        rows = session.execute(
            select(Piece.id, Piece.cost_price).where(Piece.id.in_(batch), Piece.cost_price.isnot(None))
        )
        costs.update(dict(rows.all()))
    return costs


def piece_by_sku(session: Session, actor: Actor, sku: str) -> Piece:
    """A piece by its SKU, case-insensitive."""
    actor.require("stock.piece.view")
    piece = session.scalars(select(Piece).where(Piece.sku == sku.strip().upper())).first()
    if piece is None:
        raise NotFound(f"No piece with SKU {sku.strip().upper()}.")
    return piece


def stones_of(session: Session, actor: Actor, piece_id: int) -> StoneSummary:
    """The stones of a piece at the actor's branch, summed up for pricing (a piece without stones is all 0)."""
    piece = get_piece(session, actor, piece_id)
    if piece.store_id != actor.store_id:
        raise JewelError(f"{piece.sku} is not at this branch.")
    stones = list(session.scalars(select(Stone).where(Stone.piece_id == piece.id)))
    return StoneSummary(
        value=sum((s.value for s in stones), Decimal("0.00")),
        has_diamond=any(s.kind == "diamond" for s in stones),
        count=sum(s.count for s in stones),
        carats=sum((s.carat for s in stones), Decimal("0.000")),
    )


def record_huid(session: Session, actor: Actor, piece_id: int, raw: str) -> Piece:
    """Record (or correct) the BIS HUID of a piece at the actor's branch, e.g. one taken in before it was
    hallmarked, so it may be sold. A sold piece keeps the HUID it was invoiced with."""
    actor.require("stock.piece.receive")
    piece = get_piece(session, actor, piece_id)
    if piece.store_id != actor.store_id:
        raise JewelError(f"{piece.sku} is not at this branch.")
    if piece.status == "sold":
        raise JewelError(f"{piece.sku} is sold: its HUID stays as it was invoiced.")
    errors: dict[str, str] = {}
    huid = clean_huid(session, raw, errors, piece_id=piece.id)
    if huid is None and not errors:
        errors["huid"] = "Enter the HUID: 6 letters or digits, e.g. AB12CD."
    require_fields(errors)
    piece.huid = huid
    session.add(piece)
    session.flush()
    return piece


def check_only(session: Session, actor: Actor, data: PieceInput) -> None:
    """Raise the same ValidationError :func:`receive_piece` would in the actor's store, writing nothing
    (for imports)."""
    _values, _stones, errors = _validate(session, actor.store_id, data)
    if errors:
        raise ValidationError(errors)
