"""Who may open a piece's files: the platform's file route (``/api/file/stock/<kind>/<id>``) asks
:func:`piece_file`, named in the manifest's ``contributions['core.files']``.

Kinds: ``image`` and ``thumb`` (an :class:`Image`), ``certificate`` (the lab report of a
:class:`Certificate`) and ``document`` (the file of a :class:`ProvenanceEvent`). Staff with
``stock.piece.view`` may open them, like the piece page that shows them (any branch).
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound
from jewelerp.files import StoredFile
from modules.stock.models import Certificate, Image, ProvenanceEvent
from modules.stock.pieces import get_piece

KINDS = {
    "image": (Image, "path"),
    "thumb": (Image, "thumb"),
    "certificate": (Certificate, "file"),
    "document": (ProvenanceEvent, "file"),
}


def piece_file(session: Session, actor: Actor, kind: str, record_id: int) -> StoredFile:
    """The file of a piece's photo, lab report or provenance document when the actor may see the piece."""
    actor.require("stock.piece.view")
    model, column = KINDS.get(kind, (None, ""))
    row = session.get(model, record_id) if model is not None else None
    path = getattr(row, column, "") if row is not None else ""
    if not path:
        raise NotFound("That file does not exist.")
    piece = get_piece(session, actor, row.piece_id)
    return StoredFile(path, f"{piece.sku}-{kind}-{row.id}")
