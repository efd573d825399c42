"""The header search's pieces: by SKU (or its start), HUID or certificate report number."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.search import SearchHit, SearchQuery, in_store, starts_with
from modules.stock.ledger import STATUS_LABELS
from modules.stock.models import Certificate, Piece

VIEW = "stock.piece.view"
HUID_LENGTH = 6


def find_pieces(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Pieces at the actor's branch whose SKU starts with the query, or whose HUID or a certificate's report
    number is the query (spaces and case ignored)."""
    actor.require(VIEW)
    code = query.code
    clauses = [
        starts_with(Piece.sku, code),
        Piece.id.in_(select(Certificate.piece_id).where(Certificate.report_number == code)),
    ]
    if len(code) == HUID_LENGTH:
        clauses.append(Piece.huid == code)
    stmt = (
        select(Piece.id, Piece.sku, Piece.huid, Piece.description, Piece.status)
        .where(in_store(Piece.store_id, actor.store_id), or_(*clauses))
        .order_by(Piece.sku)
        .limit(query.limit)
    )
    return [
        SearchHit(
            sku,
            " · ".join(filter(None, [description, f"HUID {huid}" if huid else "", STATUS_LABELS.get(status, status)])),
            f"/stock/pieces/{id_}",
        )
        for id_, sku, huid, description, status in session.execute(stmt)
    ]
