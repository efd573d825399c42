"""Photos of a piece: checked to be images, kept at most 1600 px with a 320 px thumbnail,
stored under unguessable names in ``<upload dir>/stock-images/``."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError, ValidationError
from modules.stock.models import Image
from modules.stock.pieces import get_piece

MAX_BYTES = 10 * 1024 * 1024
MAX_IMAGES = 12
FULL_SIDE = 1600
THUMB_SIDE = 320
FOLDER = "stock-images"


def save_image(session: Session, actor: Actor, piece_id: int, content: bytes, upload_dir: Path) -> Image:
    """Add a photo to a piece at the actor's branch; the file names are random (128 bits)."""
    actor.require("stock.certificate.edit")
    piece = get_piece(session, actor, piece_id)
    if piece.store_id != actor.store_id:
        raise JewelError(f"{piece.sku} is not at this branch.")
    count = session.scalar(select(func.count()).select_from(Image).where(Image.piece_id == piece_id)) or 0
    if count >= MAX_IMAGES:
        raise ValidationError({"image": f"A piece keeps at most {MAX_IMAGES} photos."})
    if len(content) > MAX_BYTES:
        raise ValidationError({"image": "The photo is larger than 10 MB."})
    try:
        with PILImage.open(io.BytesIO(content)) as picture:
            picture.verify()
        with PILImage.open(io.BytesIO(content)) as picture:
            full = picture.convert("RGB")
    except (UnidentifiedImageError, PILImage.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise ValidationError({"image": "This file is not a photo (use JPEG, PNG or WebP)."}) from None
    name = secrets.token_urlsafe(16)
    full.thumbnail((FULL_SIDE, FULL_SIDE))
    thumb = full.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    folder = upload_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    full.save(folder / f"{name}.jpg", "JPEG", quality=85)
    thumb.save(folder / f"{name}-thumb.jpg", "JPEG", quality=80)
    image = Image(piece_id=piece_id, path=f"{FOLDER}/{name}.jpg", thumb=f"{FOLDER}/{name}-thumb.jpg", position=count)
    session.add(image)
    session.flush()
    return image


def image_rows(session: Session, actor: Actor, piece_id: int) -> list[dict[str, str]]:
    """A piece's photos in order: their upload paths, full size and thumbnail."""
    get_piece(session, actor, piece_id)
    images = session.scalars(select(Image).where(Image.piece_id == piece_id).order_by(Image.position, Image.id))
    return [{"id": str(i.id), "path": i.path, "thumb": i.thumb} for i in images]
