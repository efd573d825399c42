"""Customer photos: checked to be images, shrunk, stored under an unguessable name."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import ValidationError
from modules.clienteling.services import get_customer

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 800
FOLDER = "customer-photos"


def save_photo(session: Session, actor: Actor, customer_id: int, content: bytes, upload_dir: Path) -> str:
    """Store ``content`` as the customer's photo (a JPEG at most 800 px a side); returns its path.

    The file name is random (128 bits), so a photo's address cannot be guessed.
    """
    actor.require("clienteling.customer.edit")
    customer = get_customer(session, actor, customer_id)
    if len(content) > MAX_BYTES:
        raise ValidationError({"photo": "The photo is larger than 8 MB."})
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            picture = image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError({"photo": "This file is not a photo (use JPEG, PNG or WebP)."}) from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    relative = f"{FOLDER}/{secrets.token_urlsafe(16)}.jpg"
    target = upload_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    picture.save(target, "JPEG", quality=85)
    old = customer.photo
    customer.photo = relative
    session.add(customer)
    session.flush()
    if old and old.startswith(f"{FOLDER}/"):
        (upload_dir / old).unlink(missing_ok=True)
    return relative
