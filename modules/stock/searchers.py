"""The header search's pieces: by SKU (or its start), HUID or certificate report number."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.search import SearchHit, SearchQuery, in_store, starts_with
from modules.stock.ledger import STATUS_LABELS
from modules.stock.models import Certificate, Piece

VIEW = "stock.piece.view"
HUID_LENGTH = 6


def find_pieces(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Pieces at the actor's branch whose HUID or a certificate's report number is the query (spaces and case
    ignored), then those whose SKU starts with it, in SKU order."""
    actor.require(VIEW)
    code = query.code
    columns = select(Piece.id, Piece.sku, Piece.huid, Piece.description, Piece.status)
    here = in_store(Piece.store_id, actor.store_id)
    # one statement each, so every one is answered from its own index (an OR across tables is not, on PostgreSQL),
    # and the SKU's index is read in order and stops at the limit however short the start typed
    statements = [
        columns.join(Certificate, Certificate.piece_id == Piece.id).where(here, Certificate.report_number == code)
    ]
    if len(code) == HUID_LENGTH:
        statements.append(columns.where(here, Piece.huid == code))
    statements.append(columns.where(here, starts_with(Piece.sku, code)))
    rows = [row for stmt in statements for row in session.execute(stmt.order_by(Piece.sku).limit(query.limit))]
    found = {row[0]: row for row in rows}  # a piece found both ways is listed once
    return [
        SearchHit(
            sku,
            " · ".join(filter(None, [description, f"HUID {huid}" if huid else "", STATUS_LABELS.get(status, status)])),
            f"/stock/pieces/{id_}",
        )
        for id_, sku, huid, description, status in list(found.values())[: query.limit]
    ]
