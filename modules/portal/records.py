"""What a signed-in customer sees and changes, read through the other modules' apis for the customers linked to
their account only (``customer`` comes from the session, never from the page). A record id that is not theirs
raises :class:`~modules.portal.access.NotYours` ("not found"), which the page logs.

Rows are plain text for the pages: dates in the store's time zone, money as rupees.
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound, ValidationError
from jewelerp.files import StoredFile
from jewelerp.money import format_inr
from modules.billing.api import customer_invoice_pdf, customer_invoices, customer_piece_ids
from modules.clienteling import api as clienteling
from modules.loyalty.api import customer_points, customer_schemes
from modules.portal.access import Customer, NotYours, portal_actor
from modules.repairs.api import (
    KIND_LABELS,
    balance_due,
    customer_jobs,
    customer_photo_file,
    customer_shared_photos,
    stage_label,
)
from modules.stock.api import get_piece, piece_url

DAY = "%d %b %Y"
CHANNEL_LABELS = {"email": "E-mail", "sms": "SMS", "whatsapp": "WhatsApp"}


def _actor(session: Session, customer: Customer) -> Actor:
    return portal_actor(session, customer.store_id, customer.name)


def primary_customer(customer: Customer) -> int:
    """The customer id new wishes and occasions go to: the account's first link."""
    if not customer.customer_ids:
        raise NotFound("Your account is not linked to a customer of the store yet.")
    return customer.customer_ids[0]


def home(session: Session, customer: Customer) -> dict[str, str]:
    """The customer's name, store, and loyalty points and tier (blank when not a member)."""
    actor = _actor(session, customer)
    points = next(
        (p for c in customer.customer_ids if (p := customer_points(session, actor, c)) is not None),
        None,
    )
    return {
        "name": customer.name,
        "store": customer.store_name,
        "points": str(points.balance) if points else "",
        "worth": format_inr(points.worth) if points else "",
        "tier": points.tier if points else "",
        "next_tier": points.next_tier if points else "",
    }


def invoices(session: Session, customer: Customer) -> list[dict[str, str]]:
    """The customer's issued invoices, newest first."""
    actor = _actor(session, customer)
    return [
        {
            "id": str(i.id),
            "number": i.number,
            "date": actor.local(i.issued_at).strftime(DAY) if i.issued_at else "",
            "total": format_inr(i.total),
            "status": "Cancelled" if i.status == "cancelled" else "Issued",
        }
        for i in customer_invoices(session, actor, customer.customer_ids)
    ]


def invoice_pdf(session: Session, customer: Customer, invoice_id: object) -> tuple[str, bytes]:
    """The PDF of one of the customer's invoices: (file name, content)."""
    number = record_number(invoice_id)
    try:
        return customer_invoice_pdf(session, _actor(session, customer), customer.customer_ids, number)
    except NotFound:
        raise NotYours("invoice", invoice_id) from None


def pieces(session: Session, customer: Customer) -> list[dict[str, str]]:
    """The pieces the customer bought here, with the public page of each certificate and provenance."""
    actor = _actor(session, customer)
    rows = []
    for piece_id in customer_piece_ids(session, actor, customer.customer_ids):
        piece = get_piece(session, actor, piece_id)
        link = piece_url(session, piece) if piece.token_revoked_at is None else ""
        rows.append({"sku": piece.sku, "description": piece.description or piece.sku, "certificate": link})
    return rows


def jobs(session: Session, customer: Customer) -> list[dict[str, str]]:
    """The customer's repair and custom-order jobs with their stage and the balance due, newest first."""
    actor = _actor(session, customer)
    return [
        {
            "id": str(j.id),
            "number": j.number,
            "kind": KIND_LABELS.get(j.kind, j.kind),
            "item": j.item_description,
            "stage": stage_label(j.stage),
            "promised": j.promised_on.strftime(DAY) if j.promised_on else "",
            "balance": format_inr(due, paise=True) if due > 0 else "",
        }
        for j in customer_jobs(session, actor, customer.customer_ids)
        for due in (balance_due(session, actor, j),)
    ]


def job_photos(session: Session, customer: Customer) -> dict[str, list[dict[str, str]]]:
    """The photos the store shared on the customer's jobs, by job id (jobs without any left out), oldest first:
    each photo's id, its stage or caption, when it was taken (store time) and the words that describe it."""
    actor = _actor(session, customer)
    shown: dict[str, list[dict[str, str]]] = {}
    for photo in customer_shared_photos(session, actor, customer.customer_ids):
        what = photo.stage or photo.caption or "Photo"
        taken = actor.local(photo.taken_at).strftime(DAY)
        shown.setdefault(str(photo.job_id), []).append(
            {"id": str(photo.id), "what": what, "taken": taken, "alt": f"{what} photo of {photo.job_number}, {taken}"}
        )
    return shown


def photo_file(session: Session, customer: Customer, photo_id: object) -> StoredFile:
    """The file of a photo shared on one of the customer's jobs; any other id is not theirs ("not found")."""
    number = record_number(photo_id)
    try:
        return customer_photo_file(session, _actor(session, customer), customer.customer_ids, number)
    except NotFound:
        raise NotYours("job photo", photo_id) from None


def schemes(session: Session, customer: Customer) -> list[dict[str, object]]:
    """The customer's gold schemes: paid, worth today, the next instalment, and every instalment."""
    actor = _actor(session, customer)
    return [
        {
            "id": str(s.id),
            "number": s.number,
            "scheme": s.scheme,
            "status": s.status.title(),
            "paid": format_inr(s.paid),
            "value": format_inr(s.value) if s.value is not None else "",
            "next_due": s.next_due_on.strftime(DAY) if s.next_due_on else "",
            "next_amount": format_inr(s.next_amount) if s.next_amount is not None else "",
            "can_pay": "yes" if s.status == "active" and s.next_due_on is not None else "",
            "instalments": [
                {
                    "seq": str(i.seq),
                    "due": i.due_on.strftime(DAY),
                    "amount": format_inr(i.amount),
                    "status": i.status.title(),
                }
                for i in s.instalments
            ],
        }
        for s in customer_schemes(session, actor, customer.customer_ids)
    ]


def wishes(session: Session, customer: Customer) -> list[dict[str, str]]:
    """The customer's wishlist, newest first."""
    actor = _actor(session, customer)
    return [row for c in customer.customer_ids for row in clienteling.wish_rows(session, actor, c)]


def add_wish(session: Session, customer: Customer, text: str) -> None:
    """Add words to the customer's wishlist (at most 300 characters)."""
    text = " ".join(text.split())
    if len(text) > 300:
        raise ValidationError({"wish_text": "Keep it to 300 characters."})
    clienteling.add_wish(session, _actor(session, customer), primary_customer(customer), text)


def remove_wish(session: Session, customer: Customer, wish_id: object) -> None:
    """Take one of the customer's wishes off their list."""
    number = record_number(wish_id)
    actor = _actor(session, customer)
    for customer_id in customer.customer_ids:
        try:
            clienteling.remove_wish(session, actor, customer_id, number)
            return
        except NotFound:
            continue
    raise NotYours("wish", wish_id)


def occasions(session: Session, customer: Customer) -> list[dict[str, str]]:
    """The dates the customer told the store (birthdays, anniversaries, their own occasions)."""
    actor = _actor(session, customer)
    return [row for c in customer.customer_ids for row in clienteling.occasion_rows(session, actor, c)]


def add_occasion(session: Session, customer: Customer, label: str, on: str) -> None:
    """Remember an occasion of the customer's family every year."""
    if len(" ".join(label.split())) > 120:
        raise ValidationError({"occasion_label": "Keep it to 120 characters."})
    clienteling.add_occasion(session, _actor(session, customer), primary_customer(customer), label, on[:10])


def consents(session: Session, customer: Customer) -> list[dict[str, str]]:
    """Each channel with whether the customer agreed to it and since when (from their first profile)."""
    actor = _actor(session, customer)
    profile = clienteling.get_customer(session, actor, primary_customer(customer))
    rows = []
    for channel in clienteling.CHANNELS:
        moment = getattr(profile, f"consent_{channel}_at")
        rows.append(
            {
                "channel": channel,
                "label": CHANNEL_LABELS[channel],
                "on": "yes" if getattr(profile, f"consent_{channel}") else "",
                "since": actor.local(moment).strftime(f"{DAY} %H:%M") if moment else "",
            }
        )
    return rows


def consent_history(session: Session, customer: Customer) -> list[dict[str, str]]:
    """The customer's latest consent changes (at most 20), newest first: the channel, on or off, and when."""
    actor = _actor(session, customer)
    return [
        {
            "label": CHANNEL_LABELS[change.channel],
            "state": "On" if change.given else "Off",
            "when": actor.local(change.at).strftime(f"{DAY} %H:%M"),
        }
        for change in clienteling.consent_history(session, actor, customer.customer_ids)
    ]


def set_consent(session: Session, customer: Customer, channel: str, wanted: bool) -> bool:
    """Give or withdraw consent to ``channel`` on every profile of the customer; returns whether it changed."""
    if channel not in clienteling.CHANNELS:
        raise NotYours("consent channel", channel)
    actor = _actor(session, customer)
    changed = [clienteling.set_consent(session, actor, c, channel, wanted) for c in customer.customer_ids]
    return any(changed)


def record_number(raw: object) -> int:
    """A record id typed in a page as a positive number; anything else is not the customer's ("not found")."""
    text = str(raw)
    if not text.isdigit() or len(text) > 9:
        raise NotYours("record", text)
    return int(text)
