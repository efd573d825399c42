"""The stock ledger: every movement of a piece is a row, and the piece's branch and status follow it.

A movement is allowed only from the statuses listed for its kind; the change is a
conditional UPDATE on the piece's status and version, so of two concurrent movements
of one piece exactly one succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError, NotFound, require_fields
from jewelerp.events import emit
from modules.stock.hallmark import check_sale
from modules.stock.models import Movement, Party, Piece


@dataclass(frozen=True)
class Rule:
    """Which statuses a movement may start from, where it leads, and what it needs."""

    allowed_from: frozenset[str]
    status_after: str
    permission: str
    label: str
    needs_party: bool = False
    needs_reason: bool = False


RULES: dict[str, Rule] = {
    "transfer_out": Rule(frozenset({"in_stock"}), "in_transit", "stock.piece.move", "Transfer to another branch"),
    "transfer_in": Rule(frozenset({"in_transit"}), "in_stock", "stock.piece.move", "Receive a transfer"),
    "sale": Rule(frozenset({"in_stock", "reserved"}), "sold", "stock.piece.sell", "Sale"),
    "return": Rule(frozenset({"sold"}), "in_stock", "stock.piece.sell", "Sales return"),
    "reserve": Rule(frozenset({"in_stock"}), "reserved", "stock.piece.sell", "Reserve for a customer"),
    "unreserve": Rule(frozenset({"reserved"}), "in_stock", "stock.piece.sell", "Release a reservation"),
    "memo_out": Rule(frozenset({"in_stock"}), "on_memo", "stock.piece.move", "Memo out to a party", needs_party=True),
    "memo_in": Rule(frozenset({"on_memo"}), "in_stock", "stock.piece.move", "Memo back"),
    "consignment_return": Rule(
        frozenset({"in_stock"}), "returned", "stock.piece.move", "Return consignment to the vendor"
    ),
    "repair_out": Rule(frozenset({"in_stock"}), "in_repair", "stock.piece.move", "Send for repair"),
    "repair_in": Rule(frozenset({"in_repair"}), "in_stock", "stock.piece.move", "Back from repair"),
    "melt": Rule(frozenset({"in_stock"}), "melted", "stock.piece.move", "Melt", needs_reason=True),
    "write_off": Rule(
        frozenset({"in_stock", "on_memo", "in_repair"}),
        "written_off",
        "stock.piece.adjust",
        "Adjustment: write off",
        needs_reason=True,
    ),
    "restore": Rule(
        frozenset({"written_off"}), "in_stock", "stock.piece.adjust", "Adjustment: found again", needs_reason=True
    ),
}
STATUS_LABELS = {
    "in_stock": "In stock",
    "reserved": "Reserved",
    "sold": "Sold",
    "on_memo": "On memo",
    "in_repair": "In repair",
    "melted": "Melted",
    "in_transit": "In transit",
    "returned": "Returned to vendor",
    "written_off": "Written off",
}


def move(
    session: Session,
    actor: Actor,
    piece_id: int,
    kind: str,
    *,
    to_store_id: int | None = None,
    party_id: int | None = None,
    reference: str = "",
    reason: str = "",
) -> Movement:
    """Record one movement of a piece in the actor's store and update the piece from it."""
    rule = RULES.get(kind)
    if rule is None:
        raise JewelError(f"Unknown stock movement '{kind}'.")
    actor.require(rule.permission)
    piece = session.get(Piece, piece_id)
    if piece is None:
        raise NotFound("That piece does not exist.")
    here = piece.transit_to_store_id if kind == "transfer_in" else piece.store_id
    if here != actor.store_id:
        raise JewelError(f"{piece.sku} is not at this branch.")
    errors: dict[str, str] = {}
    if rule.needs_reason and not reason.strip():
        errors["reason"] = "Give the reason for this movement."
    if rule.needs_party and (party_id is None or session.get(Party, party_id) is None):
        errors["party_id"] = "Choose the party the piece goes to."
    if kind == "transfer_out" and (to_store_id is None or to_store_id == actor.store_id):
        errors["to_store_id"] = "Choose the other branch the piece goes to."
    if kind == "consignment_return" and not piece.consignment:
        raise JewelError(f"{piece.sku} is our own stock, not a consignment.")
    require_fields(errors)
    if piece.status not in rule.allowed_from:
        raise JewelError(
            f"{piece.sku} is {STATUS_LABELS.get(piece.status, piece.status).lower()}: "
            f"it cannot be moved by '{rule.label}'."
        )
    if kind == "sale":
        check_sale(session, piece)
    changes: dict = {"status": rule.status_after, "version": Piece.version + 1}
    if kind == "transfer_out":
        changes["transit_to_store_id"] = to_store_id
    elif kind == "transfer_in":
        changes |= {"store_id": actor.store_id, "transit_to_store_id": None}
    if rule.needs_party:
        changes["party_id"] = party_id
    done = session.execute(
        update(Piece)
        .where(Piece.id == piece.id, Piece.version == piece.version, Piece.status.in_(rule.allowed_from))
        .values(**changes)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise JewelError(f"{piece.sku} was changed by someone else just now; look again before trying.")
    session.expire(piece)
    movement = Movement(
        piece_id=piece.id,
        kind=kind,
        store_id=actor.store_id,
        to_store_id=to_store_id,
        party_id=party_id,
        status_after=rule.status_after,
        reference=reference.strip()[:60],
        reason=reason.strip()[:300],
        user_id=actor.user_id,
        user_name=actor.user_name,
    )
    session.add(movement)
    session.flush()
    emit(session, actor, "stock.piece", kind, {"piece_id": piece.id, "sku": piece.sku, "reference": reference})
    return movement


def sell_piece(session: Session, actor: Actor, piece_id: int, reference: str) -> Movement:
    """For billing: mark a piece sold inside the invoice's transaction (refused if already sold, or if it
    needs a HUID and has none: :func:`modules.stock.hallmark.check_sale`)."""
    return move(session, actor, piece_id, "sale", reference=reference)


def return_piece(session: Session, actor: Actor, piece_id: int, reference: str) -> Movement:
    """For billing: a credit note brings the piece back into stock."""
    return move(session, actor, piece_id, "return", reference=reference)
