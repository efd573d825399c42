"""Scheduled work of the gold savings schemes, per store.

- ``loyalty.schemes_daily``: instalments unpaid past their grace days are marked missed, schemes with more
  missed than their template allows lapse, and the rest mature on their date (:func:`schemes.run_daily`).
- ``loyalty.scheme_reminders``: members hear of an instalment due in the store's
  ``loyalty.scheme_reminder_days`` days.
- ``loyalty.scheme_statements``: on the 1st of the month each member with an open scheme gets a statement
  of their schemes.

Messages go through the platform's outbox, only on the channels the customer agreed to in clienteling
(e-mail, and WhatsApp or else SMS). A contact detail the outbox refuses is skipped and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from itertools import groupby

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.core.settings import get_setting
from jewelerp.errors import NotFound, ValidationError
from jewelerp.money import format_inr
from jewelerp.notifications import queue_message
from modules.clienteling.api import get_customer
from modules.loyalty import schemes
from modules.loyalty.models import Enrolment, SchemeInstalment

log = logging.getLogger(__name__)
REMINDER = "loyalty.scheme_reminder"
STATEMENT = "loyalty.scheme_statement"


def daily(session: Session, actor: Actor) -> dict[str, int]:
    """Mark missed instalments, lapse and mature schemes (the daily job)."""
    return schemes.run_daily(session, actor)


def customer_channels(session: Session, actor: Actor, customer_id: int) -> list[tuple[str, str]]:
    """(channel, recipient) pairs the customer agreed to: e-mail, and WhatsApp or else SMS."""
    try:
        customer = get_customer(session, actor, customer_id)
    except NotFound:
        return []
    channels = []
    if customer.consent_email and customer.email:
        channels.append(("email", customer.email))
    if customer.phone and customer.consent_whatsapp:
        channels.append(("whatsapp", customer.phone))
    elif customer.phone and customer.consent_sms:
        channels.append(("sms", customer.phone))
    return channels


def _send(session: Session, actor: Actor, customer_id: int, subject: str, body: str, source: str) -> int:
    sent = 0
    for channel, recipient in customer_channels(session, actor, customer_id):
        try:
            queue_message(session, actor.store_id, channel, recipient, subject, body, source=source)
            sent += 1
        except ValidationError as err:
            log.warning("loyalty: %s to customer %s not queued by %s: %s", source, customer_id, channel, err.message)
    return sent


def remind(session: Session, actor: Actor) -> int:
    """Queue a reminder of each active scheme's instalment due in N days; returns the messages queued."""
    actor.require(schemes.ENROL)
    days = get_setting(session, actor.store_id, schemes.REMINDER_DAYS)
    if days <= 0:
        return 0
    due_on = actor.today() + timedelta(days=days)
    store = session.get(Store, actor.store_id)
    rows = session.execute(
        select(Enrolment, SchemeInstalment)
        .join(SchemeInstalment, SchemeInstalment.enrolment_id == Enrolment.id)
        .where(
            Enrolment.store_id == actor.store_id,
            Enrolment.status == "active",
            SchemeInstalment.status == "due",
            SchemeInstalment.due_on == due_on,
        )
        .order_by(Enrolment.id)
    )
    sent = 0
    for enrolment, instalment in rows:
        amount = format_inr(instalment.amount) if instalment.amount else "your instalment"
        body = (
            f"Dear {enrolment.customer_name}, instalment {instalment.seq} of your gold scheme {enrolment.number} "
            f"({amount}) is due on {due_on:%d %b %Y} at {store.name}. Thank you for saving with us."
        )
        subject = f"Scheme instalment due on {due_on:%d %b %Y}"
        sent += _send(session, actor, enrolment.customer_id, subject, body, REMINDER)
    return sent


def _open_by_customer(session: Session, actor: Actor) -> Iterator[tuple[int, list[Enrolment]]]:
    stmt = select(Enrolment).where(Enrolment.store_id == actor.store_id, Enrolment.status.in_(schemes.OPEN))
    rows = session.scalars(stmt.order_by(Enrolment.customer_id, Enrolment.id))
    for customer_id, own in groupby(rows, key=lambda e: e.customer_id):
        yield customer_id, list(own)


def statement_text(session: Session, enrolment: Enrolment) -> str:
    """One scheme's lines in a statement: paid, grams, instalments, next due or maturity."""
    instalments = schemes.instalments_of(session, enrolment.id)
    paid = sum(1 for i in instalments if i.status == "paid")
    missed = sum(1 for i in instalments if i.status == "missed")
    nxt = next((i for i in instalments if i.status == "due"), None)
    lines = [
        f"{enrolment.number}: {paid} of {len(instalments)} instalments paid, {format_inr(enrolment.paid, paise=True)}"
        + (f", {enrolment.grams:.3f} g" if enrolment.grams else "")
        + (f", {missed} missed" if missed else "")
    ]
    if enrolment.status == "matured":
        used = f", {format_inr(enrolment.settled, paise=True)} redeemed so far" if enrolment.settled else ""
        lines.append(f"  Matured on {enrolment.maturity_on:%d %b %Y}{used}: ready to redeem against a purchase.")
    elif nxt is not None:
        lines.append(f"  Next instalment due on {nxt.due_on:%d %b %Y}; matures on {enrolment.maturity_on:%d %b %Y}.")
    return "\n".join(lines)


def monthly_statement(session: Session, actor: Actor) -> int:
    """Queue each member's statement of their open schemes; returns the messages queued."""
    actor.require(schemes.VIEW)
    store = session.get(Store, actor.store_id)
    today = actor.today()
    sent = 0
    for customer_id, own in _open_by_customer(session, actor):
        body = "\n".join(
            [
                f"Dear {own[0].customer_name}, your gold schemes at {store.name} on {today:%d %b %Y}:",
                *(statement_text(session, enrolment) for enrolment in own),
            ]
        )
        sent += _send(session, actor, customer_id, f"Your gold scheme statement, {today:%B %Y}", body, STATEMENT)
    return sent
