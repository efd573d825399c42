"""Senders deliver one outbox message over one channel; modules plug in their own.

A module contributes ``{"core.senders": ("modules.textlocal.sms:SMS",)}`` where
``SMS = ChannelSender("sms", send)``; ``send(message: OutgoingMessage) -> None`` returns when the
message is handed over and raises on failure (the outbox retries it later). Raising
:class:`SenderNotConfigured` means "this store has not set me up yet": the message waits without
using up a try. E-mail has a built-in SMTP sender; a module's e-mail sender replaces it where enabled.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

from jewelerp.registry import Registry, call

SENDERS = "core.senders"
BUILT_IN = {"email": "jewelerp.notifications.smtp:send_email"}

Sender = Callable[["OutgoingMessage"], None]


class SendsChannel(Protocol):
    """The ``core.senders`` extension point: the channel a contribution sends, and how."""

    channel: str

    def send(self, message: OutgoingMessage) -> None: ...


@dataclass(frozen=True)
class ChannelSender:
    """A module's sender for one channel (``"sms"``, ``"whatsapp"``, ``"email"`` ...)."""

    channel: str
    send: Sender


class SenderNotConfigured(Exception):
    """The store has not set this channel up; the message stays queued with this explanation."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: its name as the recipient sees it, its MIME type and its bytes."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingMessage:
    """What a sender gets: a plain copy of the outbox row (and its attachments), readable outside any
    transaction. A sender for a channel that carries no files (SMS) ignores ``attachments``."""

    id: int
    store_id: int
    channel: str
    recipient: str
    subject: str
    body: str
    source: str
    attachments: tuple[Attachment, ...] = ()


def sender_for(channel: str, enabled_modules: Collection[str], registry: Registry) -> Sender:
    """The sender for ``channel`` in a store with these modules enabled.

    The first enabled module (in dependency order) contributing one wins, then the built-in
    sender; with neither, the returned sender raises :class:`SenderNotConfigured`.
    """
    for _module, sender in registry.contributions_by_module(SENDERS, enabled_modules):
        if sender.channel == channel:
            return sender.send
    if channel in BUILT_IN:
        return call(BUILT_IN[channel])
    return _missing


def _missing(message: OutgoingMessage) -> None:
    raise SenderNotConfigured(f"No module that sends {message.channel} messages is enabled in this store.")
