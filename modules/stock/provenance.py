"""Provenance: an append-only chain of custody per piece.

Each event says what happened (origin, Kimberley Process certificate, cutter, supplier,
received, graded, set, transferred, sold, repaired), when, where, who and with which
document. Events are never edited or deleted: this module has no function that does
either. A mistake is put right by a new event whose ``corrects_id`` names the wrong one
(of the same piece); the timeline then marks the old event as corrected.

The stock ledger's movements add events by themselves through :func:`on_stock_movement`,
the handler for ``("stock.piece", <movement kind>)`` events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.errors import require_fields
from jewelerp.staging import StagedFile
from modules.stock.certificates import check_file, local_today, parse_date, piece_here, store_file
from modules.stock.models import Movement, Party, Piece, ProvenanceEvent

KINDS: dict[str, str] = {
    "origin": "Origin",
    "kimberley_process": "Kimberley Process certificate",
    "cutter": "Cut and polished",
    "supplier": "Supplied",
    "received": "Received",
    "graded": "Graded",
    "set": "Set",
    "transferred": "Transferred",
    "sold": "Sold",
    "repaired": "Repaired",
    "correction": "Correction",
}
# What each kind must say besides its date: the field and the message when it is missing.
REQUIRED: dict[str, tuple[str, str]] = {
    "origin": ("place", "Enter the country (and mine) of origin."),
    "kimberley_process": ("document", "Enter the Kimberley Process certificate number."),
    "cutter": ("party", "Enter who cut and polished the stone."),
    "supplier": ("party", "Enter the supplier."),
    "graded": ("party", "Enter the lab or grader."),
    "correction": ("note", "Say what was wrong and what is right."),
}
# Ledger movement kind -> provenance kind and a note. Movements not listed add no event.
MOVEMENT_EVENTS: dict[str, tuple[str, str]] = {
    "receipt": ("received", "Received into stock"),
    "consignment_in": ("received", "Received on consignment"),
    "transfer_out": ("transferred", "Sent to another branch"),
    "transfer_in": ("received", "Received from another branch"),
    "sale": ("sold", "Sold"),
    "return": ("received", "Returned after sale"),
    "repair_in": ("repaired", "Back from repair"),
    "consignment_return": ("transferred", "Consignment returned to the vendor"),
}
# The public page shows no customer data: a sale shows only its date and place.
PRIVATE_ON_PUBLIC = frozenset({"sold"})
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class TimelineEntry:
    """One event as shown on a timeline; ``corrected_by`` is the id of the event that corrects it."""

    id: int
    kind: str
    label: str
    on: date
    on_text: str
    place: str
    party: str
    document: str
    note: str
    has_file: bool
    file: str
    corrects_id: int | None
    corrected_by: int | None
    recorded_by: str
    recorded_at: datetime | None

    @property
    def corrected(self) -> bool:
        """Whether a later event corrects this one."""
        return self.corrected_by is not None


def _clean(raw: str, label: str, limit: int, errors: dict[str, str], key: str) -> str:
    text = " ".join(raw.split())
    if len(text) > limit:
        errors[key] = f"{label}: keep it to {limit} characters (this is {len(text)})."
    return text


def add_event(
    session: Session,
    actor: Actor,
    piece_id: int,
    kind: str,
    on: str | date,
    place: str = "",
    party: str = "",
    document: str = "",
    note: str = "",
    file_name: str = "",
    file_bytes: bytes | StagedFile = b"",
    upload_dir: Path | None = None,
    corrects_id: int | None = None,
) -> ProvenanceEvent:
    """Append an event to the chain of custody of a piece at the actor's branch.

    ``on`` is the date it happened (text as typed, or a date), never in the future.
    ``corrects_id`` makes this event the correction of an earlier event of the same
    piece (kind ``correction`` to say the earlier one was wrong, or the right kind to
    replace it); an event can be corrected once, after which its correction is the one
    to correct. A document file (its bytes, or the file a page staged) must be a PDF or an
    image of at most 10 MB, kept in the private files folder (``upload_dir`` when given). Bad input
    raises ValidationError keyed ``kind``, ``on``, ``place``, ``party``, ``document``,
    ``note``, ``file`` or ``corrects_id``; nothing is written.
    """
    actor.require("stock.certificate.edit")
    piece = piece_here(session, actor, piece_id)
    errors: dict[str, str] = {}
    kind = kind.strip().lower()
    if kind not in KINDS:
        errors["kind"] = "Choose what happened: " + ", ".join(KINDS.values()).lower() + "."
    values = {
        "place": _clean(place, "Place", 120, errors, "place"),
        "party": _clean(party, "Party", 120, errors, "party"),
        "document": _clean(document, "Document", 120, errors, "document"),
    }
    note_text = note.strip()
    if len(note_text) > NOTE_LIMIT:
        errors["note"] = f"Note: keep it to {NOTE_LIMIT} characters (this is {len(note_text)})."
    values["note"] = note_text
    happened = parse_date(on, "Date", errors, "on", local_today(actor))
    needed = REQUIRED.get(kind)
    if needed and not values[needed[0]] and needed[0] not in errors:
        errors[needed[0]] = needed[1]
    if kind == "correction" and corrects_id is None:
        errors["corrects_id"] = "Choose the event this corrects."
    if corrects_id is not None:
        wrong = session.get(ProvenanceEvent, corrects_id)
        if wrong is None or wrong.piece_id != piece.id:
            errors["corrects_id"] = "Choose an event of this piece to correct."
        else:
            later = session.scalars(
                select(ProvenanceEvent.id).where(ProvenanceEvent.corrects_id == corrects_id).limit(1)
            ).first()
            if later is not None:
                errors["corrects_id"] = "That event has been corrected already; correct the correction instead."
    extension = check_file(file_name, file_bytes, errors)
    require_fields(errors)
    event = ProvenanceEvent(
        piece_id=piece.id,
        kind=kind,
        on=happened,
        corrects_id=corrects_id,
        recorded_by=actor.user_name,
        **values,
    )
    if extension:
        event.file = store_file(session, file_bytes, extension, upload_dir)
    session.add(event)
    session.flush()
    return event


def piece_events(session: Session, piece_id: int) -> list[ProvenanceEvent]:
    """A piece's events ordered by the date they happened, then by the order they were recorded."""
    return list(
        session.scalars(
            select(ProvenanceEvent)
            .where(ProvenanceEvent.piece_id == piece_id)
            .order_by(ProvenanceEvent.on, ProvenanceEvent.id)  # type: ignore[arg-type]
        )
    )


def timeline(session: Session, piece_id: int, public: bool) -> list[TimelineEntry]:
    """A piece's chain of custody by date, then id, each entry marked when a later event corrects it.

    With ``public=True`` (the public certificate page) entries leave out who recorded
    them and the stored file's path, and a sale shows only its date and place (its
    party, document and note may name the customer or the invoice). Callers that
    show the staff view check ``stock.piece.view`` themselves.
    """
    events = piece_events(session, piece_id)
    corrected_by = {event.corrects_id: event.id for event in events if event.corrects_id is not None}
    entries = []
    for event in events:
        private = public and event.kind in PRIVATE_ON_PUBLIC
        entries.append(
            TimelineEntry(
                id=event.id or 0,
                kind=event.kind,
                label=KINDS.get(event.kind, event.kind.replace("_", " ").capitalize()),
                on=event.on,
                on_text=event.on.strftime("%d %b %Y"),
                place=event.place,
                party="" if private else event.party,
                document="" if private else event.document,
                note="" if private else event.note,
                has_file=bool(event.file) and not private,
                file="" if public else event.file,
                corrects_id=event.corrects_id,
                corrected_by=corrected_by.get(event.id),
                recorded_by="" if public else event.recorded_by,
                recorded_at=None if public else event.recorded_at,
            )
        )
    return entries


def _store_name(session: Session, store_id: int | None) -> str:
    store = session.get(Store, store_id) if store_id is not None else None
    return store.name if store is not None else ""


def on_stock_movement(session: Session, actor: Actor, payload: dict[str, Any]) -> ProvenanceEvent | None:
    """Event handler for ``("stock.piece", kind)``: append the custody event of the piece's latest movement.

    The payload is the ledger's ``{piece_id, sku, reference}``; the movement itself (its
    kind, branches and party) is the piece's newest ledger row, written just before the
    event. Transfers, receipts, sales, sales returns, repairs coming back and consignment
    returns add an event (see :data:`MOVEMENT_EVENTS`); other movements add none. It runs
    in the mover's transaction and needs no permission of its own (the ledger checked).
    """
    piece = session.get(Piece, int(payload["piece_id"]))
    if piece is None:
        return None
    movement = session.scalars(
        select(Movement).where(Movement.piece_id == piece.id).order_by(Movement.id.desc()).limit(1)  # type: ignore[union-attr]
    ).first()
    if movement is None or movement.kind not in MOVEMENT_EVENTS:
        return None
    kind, note = MOVEMENT_EVENTS[movement.kind]
    place = _store_name(session, movement.store_id)
    party = ""
    if movement.kind == "transfer_out":
        destination = _store_name(session, movement.to_store_id)
        note = f"Sent to the {destination} branch" if destination else note
        party = destination
    elif movement.kind in {"receipt", "consignment_in", "consignment_return"}:
        party_id = movement.party_id or piece.party_id
        supplier = session.get(Party, party_id) if party_id is not None else None
        party = supplier.name if supplier is not None else ""
    reference = str(payload.get("reference") or movement.reference or "").strip()
    moved_at = movement.at if movement.at.tzinfo else movement.at.replace(tzinfo=UTC)  # SQLite returns naive UTC
    event = ProvenanceEvent(
        piece_id=piece.id,
        kind=kind,
        on=actor.local(moved_at).date(),
        place=place[:120],
        party=party[:120],
        document=reference[:120],
        note=note,
        recorded_by=actor.user_name,
    )
    session.add(event)
    session.flush()
    return event
