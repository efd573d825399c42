"""Photos of a piece: checked to be images (at most 10 MB and 40 megapixels), kept as JPEGs of at most
1600 px with a 320 px thumbnail, under unguessable names in the private folder ``stock-images/``
(see :mod:`jewelerp.files`). Staff open them through the file route; the public certificate page
serves them through its own token."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError, ValidationError
from jewelerp.files import keep
from jewelerp.images import photo_as_jpeg, shrink_jpeg
from jewelerp.staging import StagedFile
from modules.stock.models import Image
from modules.stock.pieces import get_piece

MAX_BYTES = 10 * 1024 * 1024
MAX_IMAGES = 12
FULL_SIDE = 1600
THUMB_SIDE = 320
FOLDER = "stock-images"


def prepare_image(_name: str, content: bytes) -> tuple[str, bytes]:
    """The photo as a JPEG at most ``FULL_SIDE`` a side (``(".jpg", content)``), or ValidationError.

    CPU-bound: pages call it from a worker thread when the photo is chosen.
    """
    return photo_as_jpeg(content, field="image", label="This file", max_bytes=MAX_BYTES, max_side=FULL_SIDE)


def save_image(
    session: Session, actor: Actor, piece_id: int, content: bytes | StagedFile, upload_dir: Path | None = None
) -> Image:
    """Add a photo (its bytes, or the file a page staged) to a piece at the actor's branch; names are random."""
    actor.require("stock.certificate.edit")
    piece = get_piece(session, actor, piece_id)
    if piece.store_id != actor.store_id:
        raise JewelError(f"{piece.sku} is not at this branch.")
    count = session.scalar(select(func.count()).select_from(Image).where(Image.piece_id == piece_id)) or 0
    if count >= MAX_IMAGES:
        raise ValidationError({"image": f"A piece keeps at most {MAX_IMAGES} photos."})
    full = content.path.read_bytes() if isinstance(content, StagedFile) else prepare_image("", content)[1]
    image = Image(
        piece_id=piece_id,
        path=keep(session, FOLDER, ".jpg", full, upload_dir),
        thumb=keep(session, FOLDER, ".jpg", shrink_jpeg(full, THUMB_SIDE), upload_dir),
        position=count,
    )
    session.add(image)
    session.flush()
    return image


def image_rows(session: Session, actor: Actor, piece_id: int) -> list[dict[str, str]]:
    """A piece's photos in order: their upload paths, full size and thumbnail."""
    get_piece(session, actor, piece_id)
    images = session.scalars(select(Image).where(Image.piece_id == piece_id).order_by(Image.position, Image.id))
    return [{"id": str(i.id), "path": i.path, "thumb": i.thumb} for i in images]
