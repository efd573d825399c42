"""Old-gold lots: metal bought from customers, kept by weight until it goes to a refiner or is melted.

- Billing's purchase vouchers (an exchange against a sale, or a buy-back) bring the metal in with
  :func:`receive_lot`: one lot per voucher, named by the voucher's number, with the tested fineness,
  the gross weight as brought and the net weight bought (``received``).
- Metal leaves a lot only through its ledger (:class:`~modules.stock.models.OldGoldMove`): sent to a
  refiner (:func:`move_lot` ``"refiner"``, a party of kind refiner), melted (``"melt"``, with a reason),
  or, when billing cancels the voucher, returned whole to the seller (:func:`return_lot`).
- Weights are integer milligrams and reconcile to the milligram at all times:
  ``received = sent + melted + returned + on_hand`` (:func:`reconciles`). Each move changes the lot
  with one conditional ``UPDATE ... WHERE on_hand >= weight``, so two people moving the same lot at
  once can never take more than is on hand.

Permissions: listing needs ``stock.piece.view``; sending and melting ``stock.piece.move`` (as for
melting pieces); billing receives and returns lots with ``stock.piece.sell`` (as it sells and
returns pieces).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select, update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.errors import JewelError, NotFound, require_fields
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from jewelerp.validation import MAX_GRAMS, check_lengths, read_grams
from modules.stock.models import OldGoldLot, OldGoldMove, Party
from modules.stock.tables import grams, local_time

VIEW = "stock.piece.view"
MOVE = "stock.piece.move"
RECEIVE = "stock.piece.sell"
REFINER = "refiner"


@dataclass(frozen=True)
class LotMove:
    """A way metal leaves a lot: the lot's column it adds to, its label, and what it needs."""

    column: str
    label: str
    needs_party: bool = False
    needs_reason: bool = False


LOT_MOVES: dict[str, LotMove] = {
    "refiner": LotMove("sent", "Sent to a refiner", needs_party=True),
    "melt": LotMove("melted", "Melted", needs_reason=True),
}
MOVE_LABELS = {"received": "Received", "returned": "Returned to the seller"} | {
    kind: move.label for kind, move in LOT_MOVES.items()
}


def _record(session: Session, actor: Actor, lot: OldGoldLot, kind: str, weight: Decimal, **extra: Any) -> OldGoldMove:
    move = OldGoldMove(
        lot_id=lot.id, kind=kind, weight=weight, user_id=actor.user_id, user_name=actor.user_name, **extra
    )
    session.add(move)
    session.flush()
    return move


def receive_lot(
    session: Session,
    actor: Actor,
    *,
    reference: str,
    metal: str,
    fineness: int,
    gross_weight: Decimal,
    net_weight: Decimal,
) -> OldGoldLot:
    """For billing: the metal of purchase voucher ``reference`` enters this store's stock as a lot.

    The caller has checked the figures (its voucher holds them); the whole net weight is on hand.
    """
    actor.require(RECEIVE)
    lot = OldGoldLot(
        store_id=actor.store_id,
        reference=reference,
        metal=metal,
        fineness=fineness,
        gross_weight=gross_weight,
        received=net_weight,
        on_hand=net_weight,
        received_by=actor.user_name,
    )
    session.add(lot)
    session.flush()
    _record(session, actor, lot, "received", net_weight, reference=reference)
    return lot


def get_lot(session: Session, actor: Actor, lot_id: int) -> OldGoldLot:
    """A lot of the actor's store (NotFound otherwise)."""
    actor.require(VIEW)
    lot = session.get(OldGoldLot, lot_id)
    if lot is None or lot.store_id != actor.store_id:
        raise NotFound("That old-gold lot does not exist in this store.")
    return lot


def _take(session: Session, lot: OldGoldLot, column: str, weight: Decimal, condition: Any) -> None:
    """Move ``weight`` from on hand to ``column`` in one conditional UPDATE; refused when ``condition`` fails."""
    done = session.execute(
        update(OldGoldLot)
        .where(OldGoldLot.id == lot.id, condition)
        .values({"on_hand": OldGoldLot.on_hand - weight, column: getattr(OldGoldLot, column) + weight})
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        session.refresh(lot)
        raise JewelError(f"Lot {lot.reference} has {grams(lot.on_hand)} on hand now; look again before trying.")
    session.refresh(lot)


def move_lot(
    session: Session,
    actor: Actor,
    lot_id: int,
    kind: str,
    weight: str | Decimal,
    *,
    party_id: int | None = None,
    reference: str = "",
    reason: str = "",
) -> OldGoldMove:
    """Send ``weight`` grams of a lot to a refiner (``kind="refiner"``, ``party_id`` a refiner) or melt it
    (``kind="melt"``, with a reason). At most what is on hand; bad input changes nothing."""
    move = LOT_MOVES.get(kind)
    if move is None:
        raise JewelError(f"Unknown old-gold movement '{kind}'.")
    actor.require(MOVE)
    lot = get_lot(session, actor, lot_id)
    errors: dict[str, str] = {}
    amount = read_grams(weight)
    if amount is None or amount <= 0:
        errors["weight"] = f"Weight is grams, more than 0 with at most 3 decimals, up to {MAX_GRAMS:,.0f}."
    elif amount > lot.on_hand:
        errors["weight"] = f"Lot {lot.reference} has {grams(lot.on_hand)} on hand."
    party = session.get(Party, party_id) if party_id else None
    if move.needs_party and (party is None or party.kind != REFINER or not party.active):
        errors["party_id"] = "Choose the refiner the metal goes to (add refiners under Stock masters)."
    text, note = " ".join(reference.split()), " ".join(reason.split())
    if move.needs_reason and not note:
        errors["reason"] = "Give the reason for melting, e.g. Melted into a bar for the karigar."
    check_lengths(OldGoldMove, {"reference": text, "reason": note}, errors)
    require_fields(errors)
    _take(session, lot, move.column, amount, OldGoldLot.on_hand >= amount)
    return _record(session, actor, lot, kind, amount, party_id=party.id if party else None, reference=text, reason=note)


def return_lot(session: Session, actor: Actor, lot_id: int, reference: str) -> OldGoldMove:
    """For billing: a cancelled voucher gives its whole lot back to the seller.

    Refused when any of it has gone to a refiner or been melted: the metal is no longer there to give.
    """
    actor.require(RECEIVE)
    lot = session.get(OldGoldLot, lot_id)
    if lot is None or lot.store_id != actor.store_id:
        raise NotFound("That old-gold lot does not exist in this store.")
    if lot.on_hand != lot.received:
        raise JewelError(f"Lot {lot.reference} has already been sent to a refiner or melted; it cannot go back.")
    whole = lot.on_hand
    _take(session, lot, "returned", whole, OldGoldLot.on_hand == whole)
    return _record(session, actor, lot, "returned", whole, reference=reference[:60])


def reconciles(lot: OldGoldLot) -> bool:
    """Whether the lot's weights add up to the milligram: received = sent + melted + returned + on hand."""
    return lot.received == lot.sent + lot.melted + lot.returned + lot.on_hand


def lot_moves(session: Session, actor: Actor, lot_id: int) -> list[OldGoldMove]:
    """A lot's ledger, oldest first."""
    get_lot(session, actor, lot_id)
    return list(session.scalars(select(OldGoldMove).where(OldGoldMove.lot_id == lot_id).order_by(OldGoldMove.id)))


def refiner_options(session: Session, actor: Actor) -> list[dict[str, str]]:
    """The active refiners, for the send form."""
    actor.require(VIEW)
    parties = session.scalars(select(Party).where(Party.kind == REFINER, Party.active).order_by(Party.name))
    return [{"value": str(p.id), "label": p.name} for p in parties]


# ---------------------------------------------------------------------------- the list


def _lots_base(actor: Actor, q: TableQuery) -> Select:
    stmt = select(OldGoldLot).where(OldGoldLot.store_id == actor.store_id)
    status = q.filters.get("status", "")
    if status == "open":
        stmt = stmt.where(OldGoldLot.on_hand > 0)
    elif status == "closed":
        stmt = stmt.where(OldGoldLot.on_hand == 0)
    return stmt


def _lot_row(r: Any, actor: Actor) -> dict[str, Any]:
    (lot,) = r
    return {
        "id": str(lot.id),
        "reference": lot.reference,
        "received_at": local_time(actor, lot.received_at).date(),
        "metal": f"{lot.metal.title()} {lot.fineness}",
        "gross": lot.gross_weight,
        "received": lot.received,
        "sent": lot.sent,
        "melted": lot.melted,
        "returned": lot.returned,
        "on_hand": lot.on_hand,
        "open": "yes" if lot.on_hand > 0 else "",
    }


OLD_GOLD_LOTS = TableSpec(
    name="stock-old-gold",
    title="Old-gold lots",
    permission=VIEW,
    columns=(
        Column("reference", "Voucher"),
        Column("received_at", "Received", kind=Kind.DATE),
        Column("metal", "Metal and fineness", sortable=False),
        Column("gross", "Gross", sortable=False, kind=Kind.WEIGHT),
        Column("received", "Net received", sortable=False, kind=Kind.WEIGHT),
        Column("sent", "To refiner", sortable=False, kind=Kind.WEIGHT),
        Column("melted", "Melted", sortable=False, kind=Kind.WEIGHT),
        Column("returned", "Returned", sortable=False, kind=Kind.WEIGHT),
        Column("on_hand", "On hand", sortable=False, kind=Kind.WEIGHT),
    ),
    base=_lots_base,
    row=_lot_row,
    sort_columns={"reference": OldGoldLot.reference, "received_at": OldGoldLot.received_at},
    default_sort="received_at",
    newest_first=True,
    filters=(Filter("status", "Lots", (("open", "With metal on hand"), ("closed", "Closed")), all_label="All lots"),),
    search_columns=(OldGoldLot.reference,),
)
