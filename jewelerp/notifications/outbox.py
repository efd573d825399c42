"""The outbox: messages to customers are queued in the caller's transaction and sent later.

``queue_message`` only writes a row, so the business change and the promise to tell the
customer commit (or roll back) together. ``deliver_due`` (the ``core.outbox`` job, every
minute) claims due rows in one short transaction, sends them with no transaction open
(a slow mail server never holds the database's write lock), then records each outcome.
A failed try is retried after 1, 5, 25, 125 and 625 minutes; after :data:`MAX_ATTEMPTS`
tries the message is ``failed``. A channel the store has not set up keeps its messages
queued, with the reason, without using up tries.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.module_states import enabled_modules
from jewelerp.db import unit_of_work, utcnow
from jewelerp.errors import JewelError, NotFound, require_fields
from jewelerp.notifications.models import OutboxAttachment, OutboxMessage
from jewelerp.notifications.senders import Attachment, OutgoingMessage, SenderNotConfigured, sender_for
from jewelerp.registry import Registry, get_registry
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec

log = logging.getLogger(__name__)
STATUSES = (("queued", "Queued"), ("sent", "Sent"), ("failed", "Failed"))
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)
RETRY_FACTOR = 5
NOT_SET_UP_RETRY = timedelta(minutes=15)
CLAIM_TTL = timedelta(minutes=10)  # a worker that dies while sending frees its messages after this
BATCH = 100
CHANNEL_RE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
EMAIL_RE = re.compile(r"""^[^@\s,;<>"]+@[^@\s,;<>"]+\.[^@\s,;<>"]+$""")
PHONE_RE = re.compile(r"^\+[1-9][0-9]{7,14}$")
ANY_RECIPIENT_RE = re.compile(r"^[^\r\n]+$")
PHONE_CHANNELS = ("sms", "whatsapp")
PHONE_PROBLEM = "Enter the number with its country code, e.g. +91 98765 43210."
RECIPIENT_RULES = {
    "email": (EMAIL_RE, "Enter an e-mail address like name@example.com."),
    **{channel: (PHONE_RE, PHONE_PROBLEM) for channel in PHONE_CHANNELS},
}
RECIPIENT_MAX = 254
SUBJECT_MAX = 200
SOURCE_MAX = 80
SUBJECT_SHOWN = 32
ATTACHMENT_MAX = 1_000_000  # bytes of all a message's files together
FILENAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")
CONTENT_TYPE_RE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")


def _recipient(channel: str, recipient: str) -> tuple[str, str | None]:
    """The recipient as stored (phones in E.164) and the problem with it, if any."""
    text = recipient.strip()
    if channel in PHONE_CHANNELS:
        text = re.sub(r"[\s().-]", "", text)
    pattern, problem = RECIPIENT_RULES.get(channel, (ANY_RECIPIENT_RE, "Enter who the message goes to."))
    return text, None if len(text) <= RECIPIENT_MAX and pattern.match(text) else problem


def _attachments_problem(channel: str, attachments: tuple[Attachment, ...]) -> str | None:
    """Why these files cannot go with a message, if they cannot."""
    if not attachments:
        return None
    if channel != "email":
        return "Only e-mail carries attachments."
    if any(not FILENAME_RE.match(a.filename) or not CONTENT_TYPE_RE.match(a.content_type) for a in attachments):
        return "Name each file with letters, digits, dots or dashes, and give its type, e.g. text/calendar."
    if sum(len(a.content) for a in attachments) > ATTACHMENT_MAX:
        return f"Attachments may hold at most {ATTACHMENT_MAX // 1_000_000} MB."
    return None


def queue_message(
    session: Session,
    store_id: int,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    source: str = "",
    attachments: tuple[Attachment, ...] = (),
) -> OutboxMessage:
    """Queue a message to a customer, in the caller's transaction; returns the outbox row.

    ``channel`` is ``"email"``, ``"sms"``, ``"whatsapp"`` or any channel a module sends;
    ``source`` names the reason (``"repairs.ready"``). E-mail needs a valid address and a
    subject; SMS and WhatsApp a number with its country code (stored as ``+919876543210``).
    Bad input raises ValidationError and queues nothing. Consent is the caller's business:
    check it before calling. ``attachments`` (e-mail only, at most 1 MB together) go with the mail.
    """
    channel = channel.strip().lower()
    recipient, problem = _recipient(channel, recipient)
    subject, body, source = " ".join(subject.split()), body.strip(), source.strip()
    errors = {}
    if not CHANNEL_RE.match(channel):
        errors["channel"] = "A channel is a short lower-case name such as email, sms or whatsapp."
    elif problem:
        errors["recipient"] = problem
    if channel == "email" and not subject:
        errors["subject"] = "Give the e-mail a subject."
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = f"Keep the subject to {SUBJECT_MAX} characters."
    if not body:
        errors["body"] = "The message is empty."
    if len(source) > SOURCE_MAX:
        errors["source"] = f"Keep the source to {SOURCE_MAX} characters."
    if problem := _attachments_problem(channel, attachments):
        errors["attachments"] = problem
    require_fields(errors)
    row = OutboxMessage(
        store_id=store_id, channel=channel, recipient=recipient, subject=subject, body=body, source=source
    )
    session.add(row)
    session.flush()
    for attachment in attachments:
        session.add(
            OutboxAttachment(
                message_id=row.id,
                filename=attachment.filename,
                content_type=attachment.content_type,
                content=attachment.content,
            )
        )
    session.flush()
    return row


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 5, 25, ... minutes."""
    return FIRST_RETRY * RETRY_FACTOR ** max(attempts - 1, 0)


@dataclass
class DeliveryReport:
    """What one delivery run did: messages sent, to be retried, given up on, waiting for set-up,
    and the error of each message that was not sent (by id)."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0
    errors: dict[int, str] = field(default_factory=dict)

    def count(self, message_id: int, outcome: str, error: str = "") -> None:
        """Add one message with ``outcome`` (a field name) and its error."""
        setattr(self, outcome, getattr(self, outcome) + 1)
        if error:
            self.errors[message_id] = error


def deliver_due(
    now: datetime | None = None,
    *,
    message_ids: list[int] | None = None,
    limit: int = BATCH,
    registry: Registry | None = None,
) -> DeliveryReport:
    """Send the queued messages that are due (or only those of ``message_ids``) and record each outcome.

    Opens its own short transactions and sends with none open: never call it inside a unit of work.
    """
    now, registry = now or utcnow(), registry or get_registry()
    report = DeliveryReport()
    for message, modules in _claim(now, message_ids, limit, registry):
        error, uses_try = "", True
        try:
            sender_for(message.channel, modules, registry)(message)
        except SenderNotConfigured as exc:
            error, uses_try = str(exc), False
        except Exception as exc:  # any sender failure is retried; its text is kept for the outbox page
            log.warning("outbox message %s (%s) failed: %s", message.id, message.channel, exc)
            error = str(exc) or type(exc).__name__
        report.count(message.id, _record(message.id, now, error, uses_try=uses_try), error)
    return report


def _claim(
    now: datetime, message_ids: list[int] | None, limit: int, registry: Registry
) -> list[tuple[OutgoingMessage, frozenset[str]]]:
    """Take due messages for this run (pushing their next try past the claim TTL) and commit."""
    stmt = select(OutboxMessage).where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
    if message_ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(message_ids))
    stmt = stmt.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
    with unit_of_work() as session:
        rows = list(session.scalars(stmt.with_for_update(skip_locked=True)))
        modules = {store: frozenset(enabled_modules(session, store, registry)) for store in {r.store_id for r in rows}}
        files = _attachments_of(session, [row.id for row in rows])
        claimed = []
        for row in rows:
            row.next_attempt_at = now + CLAIM_TTL
            session.add(row)
            fields = (row.id, row.store_id, row.channel, row.recipient, row.subject, row.body, row.source)
            copy = OutgoingMessage(*fields, files.get(row.id, ()))
            claimed.append((copy, modules[row.store_id]))
    return claimed


def _attachments_of(session: Session, message_ids: list[int]) -> dict[int, tuple[Attachment, ...]]:
    """The files of these messages, by message id, in the order they were queued."""
    found: dict[int, tuple[Attachment, ...]] = {}
    if not message_ids:
        return found
    stmt = select(OutboxAttachment).where(OutboxAttachment.message_id.in_(message_ids)).order_by(OutboxAttachment.id)
    for a in session.scalars(stmt):
        found[a.message_id] = (*found.get(a.message_id, ()), Attachment(a.filename, a.content_type, a.content))
    return found


def _record(message_id: int, now: datetime, error: str = "", *, uses_try: bool = True) -> str:
    """Store the outcome of one try; returns ``sent``, ``retrying``, ``failed`` or ``waiting``."""
    with unit_of_work() as session:
        row = session.get(OutboxMessage, message_id)
        row.last_error = error[:500]
        if not uses_try:
            row.next_attempt_at, outcome = now + NOT_SET_UP_RETRY, "waiting"
        else:
            row.attempts += 1
            if not error:
                row.status, row.sent_at, outcome = "sent", utcnow(), "sent"
            elif row.attempts >= MAX_ATTEMPTS:
                row.status, outcome = "failed", "failed"
            else:
                row.next_attempt_at, outcome = now + retry_delay(row.attempts), "retrying"
        session.add(row)
    return outcome


def deliver_outbox(_session: Session, _actor: Actor | None) -> None:
    """The ``core.outbox`` job: send what is due.

    It leaves the job's session unused (so no transaction is open while sending) and
    commits in its own short transactions instead.
    """
    report = deliver_due()
    if report.sent or report.retrying or report.failed:
        log.info("outbox: %s", report)


def retry_now(session: Session, actor: Actor, message_id: int) -> OutboxMessage:
    """Make a queued or failed message of the actor's store due now (one more try for a failed one)."""
    actor.require("core.outbox.manage")
    row = session.get(OutboxMessage, message_id)
    if row is None or row.store_id != actor.store_id:
        raise NotFound("That message is not in this store's outbox.")
    if row.status == "sent":
        raise JewelError("That message was sent already.")
    row.status, row.next_attempt_at = "queued", utcnow()
    session.add(row)
    session.flush()
    return row


def _status(actor: Actor, message: OutboxMessage) -> str:
    if message.status == "sent":
        return f"sent {actor.local(message.sent_at):%d %b %H:%M}"
    if message.status == "queued":
        return f"queued, try {message.attempts + 1} at {actor.local(message.next_attempt_at):%H:%M}"
    return f"{message.status} after {message.attempts} tries"


def _base(actor: Actor, q: TableQuery) -> Select:
    stmt = select(OutboxMessage).where(OutboxMessage.store_id == actor.store_id)
    for key in ("status", "channel"):
        if q.filters.get(key):
            stmt = stmt.where(getattr(OutboxMessage, key) == q.filters[key])
    return stmt


def _row(r: Any, actor: Actor) -> dict[str, Any]:
    (message,) = r
    subject = message.subject or message.body
    return {
        "id": str(message.id),
        "created": actor.local(message.created_at),
        "recipient": message.recipient,
        "channel": message.channel,
        "subject": subject if len(subject) <= SUBJECT_SHOWN else subject[: SUBJECT_SHOWN - 1] + "…",
        "source": message.source,
        "status": _status(actor, message),
        "error": message.last_error,
        "can_retry": "" if message.status == "sent" else "yes",
    }


OUTBOX = TableSpec(
    name="outbox",
    title="Outbox",
    permission="core.outbox.manage",
    columns=(
        Column("created", "Queued", kind=Kind.DATETIME, shown=lambda moment: f"{moment:%d %b %H:%M}"),
        Column("recipient", "To"),
        Column("channel", "Channel"),
        Column("subject", "Message", False),
        Column("status", "Status"),
        Column("error", "Last error", False, wrap=True),
        Column("source", "Source"),
    ),
    base=_base,
    row=_row,
    sort_columns={
        "created": OutboxMessage.id,
        "channel": OutboxMessage.channel,
        "recipient": OutboxMessage.recipient,
        "source": OutboxMessage.source,
        "status": OutboxMessage.status,
    },
    default_sort="created",
    newest_first=True,
    filters=(
        Filter("status", "Statuses", STATUSES),
        Filter("channel", "Channels", (("email", "E-mail"), ("sms", "SMS"), ("whatsapp", "WhatsApp"))),
    ),
    search_columns=(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.source),
)
