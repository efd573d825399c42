"""Customer photos: checked to be images (at most 8 MB and 40 megapixels), shrunk, stored under an
unguessable name in the private folder ``customer-photos/`` (see :mod:`jewelerp.files`), and shown only
to staff who may see the customer (:func:`customer_file`, asked by the platform's file route)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound
from jewelerp.files import StoredFile, keep, remove_when_committed
from jewelerp.images import photo_as_jpeg
from jewelerp.staging import StagedFile
from modules.clienteling.services import get_customer

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 800
FOLDER = "customer-photos"


def prepare_photo(_name: str, content: bytes) -> tuple[str, bytes]:
    """The photo as a JPEG at most 800 px a side (``(".jpg", content)``), or ValidationError under ``photo``.

    CPU-bound: pages call it from a worker thread when the photo is chosen.
    """
    return photo_as_jpeg(content, field="photo", label="This file", max_bytes=MAX_BYTES, max_side=MAX_SIDE)


def save_photo(
    session: Session, actor: Actor, customer_id: int, content: bytes | StagedFile, upload_dir: Path | None = None
) -> str:
    """Make ``content`` (the photo's bytes, or the file a page staged) the customer's photo; returns its path.

    The file name is random (128 bits); the old photo is removed once the change is committed.
    """
    actor.require("clienteling.customer.edit")
    customer = get_customer(session, actor, customer_id)
    picture = content.path if isinstance(content, StagedFile) else prepare_photo("", content)[1]
    old = customer.photo
    customer.photo = keep(session, FOLDER, ".jpg", picture, upload_dir)
    session.add(customer)
    session.flush()
    if old and old.startswith(f"{FOLDER}/"):
        remove_when_committed(session, old, upload_dir)
    return customer.photo


def customer_file(session: Session, actor: Actor, kind: str, record_id: int) -> StoredFile:
    """The photo of a customer the actor may see (``kind`` is ``photo``); NotFound when there is none."""
    actor.require("clienteling.customer.view")
    customer = get_customer(session, actor, record_id) if kind == "photo" else None
    if customer is None or not customer.photo:
        raise NotFound("That file does not exist.")
    return StoredFile(customer.photo, f"customer-{customer.id}")
