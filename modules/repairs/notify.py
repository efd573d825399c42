"""Telling people a job is ready: an in-app notice for staff and a message to the customer.

Staff: the job's assigned person, or every salesperson of the store when nobody is assigned.
Customer: an e-mail and a WhatsApp message (or an SMS when they allow SMS but not WhatsApp),
each only on a channel the customer agreed to in clienteling, queued in the platform's outbox.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.errors import ValidationError
from jewelerp.money import format_inr
from jewelerp.notifications import notify_staff, queue_message
from jewelerp.notifications.models import OutboxMessage
from modules.clienteling.api import get_customer
from modules.repairs.models import Job
from modules.repairs.payments import balance_due
from modules.repairs.records import status_url

log = logging.getLogger(__name__)
SOURCE = "repairs.ready"


def _customer_channels(session: Session, actor: Actor, job: Job) -> list[tuple[str, str]]:
    """(channel, recipient) pairs the customer agreed to be contacted on."""
    if job.customer_id is None:
        return []
    customer = get_customer(session, actor, job.customer_id)
    channels = []
    if customer.consent_email and customer.email:
        channels.append(("email", customer.email))
    if customer.phone and customer.consent_whatsapp:
        channels.append(("whatsapp", customer.phone))
    elif customer.phone and customer.consent_sms:
        channels.append(("sms", customer.phone))
    return channels


def ready_message(session: Session, actor: Actor, job: Job) -> tuple[str, str]:
    """The subject and text telling the customer their piece can be collected."""
    store = session.get(Store, job.store_id)
    store_name = store.name if store else ""
    item = job.item_description or "piece"
    balance = balance_due(session, actor, job)
    lines = [
        f"Dear {job.customer_name or 'customer'},",
        f"Your {item} (job {job.number}) is ready to collect at {store_name}.",
        f"Balance to pay: {format_inr(balance)}." if balance > 0 else "Nothing is left to pay.",
        f"Track your job: {status_url(session, job)}",
    ]
    return f"{job.number} is ready to collect", "\n".join(lines)


def notify_ready(session: Session, actor: Actor, job: Job) -> list[OutboxMessage]:
    """Notify staff in-app and queue the customer's messages; returns the queued messages.

    A contact detail the outbox refuses (a malformed old number) is skipped and logged, so it never
    stops the job from moving.
    """
    staff = {"user_ids": [job.assigned_user_id]} if job.assigned_user_id else {"role": "sales"}
    notify_staff(
        session,
        job.store_id,
        **staff,
        title=f"{job.number} is ready to collect",
        body=f"{job.customer_name}: {job.item_description}".strip(": "),
        link=f"/repairs/jobs/{job.id}",
    )
    subject, body = ready_message(session, actor, job)
    queued = []
    for channel, recipient in _customer_channels(session, actor, job):
        try:
            queued.append(queue_message(session, job.store_id, channel, recipient, subject, body, source=SOURCE))
        except ValidationError as err:
            log.warning("repairs: %s not sent by %s: %s", job.number, channel, err.message)
    return queued
