"""The built-in e-mail sender: the store's SMTP settings (``core.smtp_*``) and :mod:`smtplib`."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import partial

from sqlmodel import Session

from jewelerp.core.settings import get_setting
from jewelerp.db import read_session
from jewelerp.notifications.senders import OutgoingMessage, SenderNotConfigured

IMPLICIT_TLS_PORT = 465
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpSettings:
    """One store's mail server; the password never appears in a repr or a log."""

    host: str
    port: int
    tls: bool
    user: str
    sender: str
    password: str = field(default="", repr=False)


def smtp_settings(session: Session, store_id: int) -> SmtpSettings:
    """The store's SMTP settings (``sender`` falls back to the user name when that is an address)."""
    value = partial(get_setting, session, store_id)
    user = value("core.smtp_user").strip()
    sender = value("core.smtp_from").strip() or (user if "@" in user else "")
    return SmtpSettings(
        value("core.smtp_host").strip(),
        value("core.smtp_port"),
        value("core.smtp_tls"),
        user,
        sender,
        value("core.smtp_password"),
    )


def build_email(message: OutgoingMessage, sender: str) -> EmailMessage:
    """The e-mail for one outbox message: plain text, with the message's attachments."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    mail.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return mail


def send_email(message: OutgoingMessage) -> None:
    """Hand one message to the store's mail server; raises on any failure."""
    with read_session() as session:
        config = smtp_settings(session, message.store_id)
    if not config.host:
        raise SenderNotConfigured("SMTP is not set up for this store.")
    if not config.sender:
        raise SenderNotConfigured("Set the address this store sends e-mail from (SMTP settings).")
    mail = build_email(message, config.sender)
    context = ssl.create_default_context()
    implicit_tls = config.tls and config.port == IMPLICIT_TLS_PORT
    if implicit_tls:
        client = smtplib.SMTP_SSL(config.host, config.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
    with client:
        if config.tls and not implicit_tls:
            client.starttls(context=context)
        if config.user:
            client.login(config.user, config.password)
        client.send_message(mail)
