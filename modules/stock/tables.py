"""What the stock pages show: the piece list (search, filters, branch scope) and a piece's
details, stones, ledger and the movements it may make next. Plain Python, no Reflex."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import Store
from jewelerp.money import format_inr
from jewelerp.ui.table_query import STORE_SCOPE, Filter, TableQuery, TableSpec
from modules.stock.ledger import RULES, STATUS_LABELS
from modules.stock.masters import category_options, metal_label, metal_options, party_kind_label
from modules.stock.models import Category, Certificate, Design, Metal, Movement, Party, Piece, Stone
from modules.stock.pieces import MAKING_RULES, get_piece
from modules.stock.search_index import indexed_search

ARRIVING = "arriving"
WEIGHT_BANDS: dict[str, tuple[str, Decimal, Decimal | None]] = {
    "u2": ("Under 2 g", Decimal(0), Decimal(2)),
    "2-5": ("2 – 5 g", Decimal(2), Decimal(5)),
    "5-10": ("5 – 10 g", Decimal(5), Decimal(10)),
    "10-20": ("10 – 20 g", Decimal(10), Decimal(20)),
    "20-50": ("20 – 50 g", Decimal(20), Decimal(50)),
    "50+": ("50 g and over", Decimal(50), None),
}
RECEIPT_LABELS = {"receipt": "Received", "consignment_in": "Received on consignment"}
PAGE_ACTIONS = (
    "transfer_out",
    "transfer_in",
    "memo_out",
    "memo_in",
    "repair_out",
    "repair_in",
    "consignment_return",
    "melt",
    "write_off",
    "restore",
)
Destination = aliased(Store)


def grams(value: Decimal | None) -> str:
    """'5.120 g' (always three decimals: milligrams)."""
    return "" if value is None else f"{value:.3f} g"


def local_time(actor: Actor, moment: datetime) -> datetime:
    """A stored UTC time in the store's zone (SQLite hands times back without their zone)."""
    return actor.local(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def movement_label(kind: str) -> str:
    """The ledger's words for a movement kind."""
    return RECEIPT_LABELS.get(kind) or (RULES[kind].label if kind in RULES else kind)


# ---------------------------------------------------------------------------- the piece list


def _status_filter(actor: Actor, status: str) -> Any:
    if status == ARRIVING:
        return and_(Piece.status == "in_transit", Piece.transit_to_store_id == actor.store_id)
    return Piece.status == status


def _pieces_base(actor: Actor, q: TableQuery) -> Select:
    stmt = (
        select(Piece, Category.name, Metal, Store.code, Destination.code)
        .join(Category, Category.id == Piece.category_id)
        .join(Metal, Metal.id == Piece.metal_id)
        .join(Store, Store.id == Piece.store_id)
        .join(Destination, Destination.id == Piece.transit_to_store_id, isouter=True)
    )
    f = q.filters
    if f.get(STORE_SCOPE.key) != "all":  # this branch: its own pieces and those on their way here
        stmt = stmt.where(
            or_(
                Piece.store_id == actor.store_id,
                and_(Piece.status == "in_transit", Piece.transit_to_store_id == actor.store_id),
            )
        )
    if f.get("category", "").isdigit():
        stmt = stmt.where(Piece.category_id == int(f["category"]))
    if f.get("metal", "").isdigit():
        stmt = stmt.where(Piece.metal_id == int(f["metal"]))
    if f.get("status") in STATUS_LABELS or f.get("status") == ARRIVING:
        stmt = stmt.where(_status_filter(actor, f["status"]))
    if f.get("weight") in WEIGHT_BANDS:
        _label, low, high = WEIGHT_BANDS[f["weight"]]
        # coalesce keeps SQLite walking newest-first instead of sorting every piece in the band
        stmt = stmt.where(func.coalesce(Piece.net_weight, 0) >= low)
        if high is not None:
            stmt = stmt.where(func.coalesce(Piece.net_weight, 0) < high)
    return stmt


def _certificate_search(text: str) -> list[Any]:
    """A certificate's report number finds its piece."""
    like = f"%{text.strip().lower()}%"
    return [
        exists(
            select(Certificate.id).where(
                Certificate.piece_id == Piece.id, func.lower(Certificate.report_number).like(like)
            )
        )
    ]


def status_text(piece: Piece, actor: Actor, destination: str | None) -> str:
    """'In stock'; a transfer reads 'In transit to DEL', or 'Arriving' at the branch it goes to."""
    if piece.status == "in_transit":
        if piece.transit_to_store_id == actor.store_id:
            return "Arriving"
        return f"In transit to {destination}" if destination else "In transit"
    return STATUS_LABELS.get(piece.status, piece.status)


def _piece_row(r: Any, actor: Actor) -> dict[str, Any]:
    piece, category, metal, branch, destination = r
    show_cost = actor.can("stock.cost.view") and piece.cost_price is not None
    return {
        "id": str(piece.id),
        "_link": f"/stock/pieces/{piece.id}",
        "sku": piece.sku,
        "category": category,
        "metal": metal_label(metal),
        "net": piece.net_weight,
        "gross": piece.gross_weight,
        "huid": piece.huid or "",
        "status": status_text(piece, actor, destination),
        "branch": f"{branch} → {destination}" if destination and piece.status == "in_transit" else branch,
        "cost": piece.cost_price if show_cost else None,
        "taggable": "yes" if piece.store_id == actor.store_id and piece.token_revoked_at is None else "",
    }


PIECES = TableSpec(
    name="stock-pieces",
    title="Pieces",
    permission="stock.piece.view",
    columns=(
        Column("sku", "SKU"),
        Column("category", "Category", False),
        Column("metal", "Metal", False),
        Column("net", "Net weight", kind=Kind.WEIGHT),
        Column("gross", "Gross weight", kind=Kind.WEIGHT),
        Column("huid", "HUID", False),
        Column("status", "Status"),
        Column("branch", "Branch", False),
        Column("cost", "Cost", False, kind=Kind.MONEY, shown=format_inr),
    ),
    base=_pieces_base,
    row=_piece_row,
    sort_columns={
        "sku": Piece.sku,
        "net": Piece.net_weight,
        "gross": Piece.gross_weight,
        "status": Piece.status,
        "received": Piece.id,
    },
    default_sort="received",
    newest_first=True,
    filters=(
        Filter("category", "Categories", options_loader=category_options),
        Filter("metal", "Metals", options_loader=metal_options),
        Filter("status", "Statuses", ((ARRIVING, "Arriving here"), *STATUS_LABELS.items())),
        Filter("weight", "Weights", tuple((k, v[0]) for k, v in WEIGHT_BANDS.items()), all_label="Any weight"),
        STORE_SCOPE,
    ),
    search_columns=(Piece.sku, Piece.huid, Piece.description, Piece.batch),
    extra_search=_certificate_search,
    search_index=indexed_search,
)


# ---------------------------------------------------------------------------- one piece


def piece_details(session: Session, actor: Actor, piece_id: int) -> dict[str, str]:
    """Everything the piece page's summary shows; the cost only to those who may see it."""
    piece = get_piece(session, actor, piece_id)
    category = session.get(Category, piece.category_id)
    metal = session.get(Metal, piece.metal_id)
    design = session.get(Design, piece.design_id) if piece.design_id else None
    party = session.get(Party, piece.party_id) if piece.party_id else None
    branch = session.get(Store, piece.store_id)
    destination = session.get(Store, piece.transit_to_store_id) if piece.transit_to_store_id else None
    rule = dict(MAKING_RULES).get(piece.making_rule, piece.making_rule)
    making = f"{piece.making_value:.2f}%" if piece.making_rule == "percent" else format_inr(piece.making_value)
    show_cost = actor.can("stock.cost.view")
    return {
        "id": str(piece.id),
        "sku": piece.sku,
        "category": category.name if category else "",
        "metal": metal_label(metal) if metal else "",
        "design": f"{design.code} · {design.name}" if design else "",
        "gross": grams(piece.gross_weight),
        "stone_weight": grams(piece.stone_weight),
        "net": grams(piece.net_weight),
        "size": piece.size,
        "batch": piece.batch,
        "description": piece.description,
        "making": f"{making} ({rule})",
        "wastage": f"{piece.wastage_pct:.2f}%",
        "cost": format_inr(piece.cost_price) if show_cost and piece.cost_price is not None else "",
        "status": piece.status,
        "status_label": status_text(piece, actor, destination.code if destination else None),
        "branch": f"{branch.code} · {branch.name}" if branch else "",
        "destination": f"{destination.code} · {destination.name}" if destination else "",
        "huid": piece.huid or "",
        "consignment": "Yes" if piece.consignment else "",
        "party": f"{party.name} ({party_kind_label(party.kind)})" if party else "",
        "received": local_time(actor, piece.created_at).strftime("%d %b %Y"),
        "here": "yes" if piece.store_id == actor.store_id else "",
        "token": piece.public_token if piece.token_revoked_at is None else "",
    }


def stone_rows(session: Session, actor: Actor, piece_id: int) -> list[dict[str, str]]:
    """The stones set in a piece: kind, count, carats, quality (colour · clarity · grade) and value."""
    get_piece(session, actor, piece_id)
    stones = session.scalars(select(Stone).where(Stone.piece_id == piece_id).order_by(Stone.id))
    return [
        {
            "kind": s.kind.title() + (" (lab-grown)" if s.lab_grown else ""),
            "count": str(s.count),
            "carat": f"{s.carat:.3f} ct",
            "quality": " · ".join(part for part in (s.colour, s.clarity, s.grade) if part),
            "value": format_inr(s.value),
        }
        for s in stones
    ]


def movement_rows(session: Session, actor: Actor, piece_id: int) -> list[dict[str, str]]:
    """The piece's ledger, newest first."""
    get_piece(session, actor, piece_id)
    rows = session.execute(
        select(Movement, Store.code, Destination.code, Party.name)
        .join(Store, Store.id == Movement.store_id)
        .join(Destination, Destination.id == Movement.to_store_id, isouter=True)
        .join(Party, Party.id == Movement.party_id, isouter=True)
        .where(Movement.piece_id == piece_id)
        .order_by(Movement.at.desc(), Movement.id.desc())
    )
    return [
        {
            "at": local_time(actor, m.at).strftime("%d %b %Y %H:%M"),
            "what": movement_label(m.kind),
            "branch": f"{code} → {to}" if to else code,
            "party": party or "",
            "status": STATUS_LABELS.get(m.status_after, m.status_after),
            "note": " · ".join(x for x in (m.reference, m.reason) if x),
            "by": m.user_name,
        }
        for m, code, to, party in rows
    ]


def available_moves(session: Session, actor: Actor, piece_id: int) -> list[dict[str, str]]:
    """The movements the actor may make with this piece now, and what each needs."""
    piece = get_piece(session, actor, piece_id)
    moves = []
    for kind in PAGE_ACTIONS:
        rule = RULES[kind]
        here = piece.transit_to_store_id if kind == "transfer_in" else piece.store_id
        if here != actor.store_id or piece.status not in rule.allowed_from or not actor.can(rule.permission):
            continue
        if kind == "consignment_return" and not piece.consignment:
            continue
        moves.append(
            {
                "kind": kind,
                "label": rule.label,
                "needs_store": "yes" if kind == "transfer_out" else "",
                "needs_party": "yes" if rule.needs_party else "",
                "needs_reason": "yes" if rule.needs_reason else "",
            }
        )
    return moves


def other_branches(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(id, 'DEL · Karol Bagh') of the active branches a piece may be sent to."""
    actor.require("stock.piece.view")
    stores = session.scalars(select(Store).where(Store.active, Store.id != actor.store_id).order_by(Store.code))
    return [(str(s.id), f"{s.code} · {s.name}") for s in stores]
