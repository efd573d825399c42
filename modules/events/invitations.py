"""Inviting the event's audience: the store's customers of the chosen segments, and those who came to or
registered for the chosen events (modules.events.audience), who consented to be contacted, each once, on the
channels they agreed to, with a link of their own to the public page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError
from modules.events.audience import audience_contacts, parse_audience
from modules.events.messages import queue_invitation
from modules.events.models import Invitation
from modules.events.records import MANAGE, get_event, new_token
from modules.events.registrations import is_open


@dataclass(frozen=True)
class InvitationReport:
    """How many customers were invited now, and how many had been invited before."""

    invited: int
    already: int


def send_invitations(session: Session, actor: Actor, event_id: int) -> InvitationReport:
    """Queue an invitation to every consenting customer of the audience not invited yet."""
    event = get_event(session, actor, event_id, MANAGE)
    audience = parse_audience(event.audience)
    if event.cancelled_at is not None:
        raise JewelError("This event is cancelled: nobody is invited to it.")
    if not audience:
        raise JewelError("Choose the audience (segments or people from an event) of the event first.")
    if not is_open(event):
        raise JewelError("Registration for this event is closed: open it before inviting anyone.")
    invited_before = set(session.scalars(select(Invitation.customer_id).where(Invitation.event_id == event.id)))
    invited = 0
    for contact in audience_contacts(session, actor, audience):
        if contact.customer_id in invited_before:
            continue
        token = new_token()
        channels = queue_invitation(session, event, contact.name, contact.channels, token)
        if channels:
            session.add(
                Invitation(event_id=event.id, customer_id=contact.customer_id, token=token, channels=",".join(channels))
            )
            invited += 1
    session.flush()
    return InvitationReport(invited, len(invited_before))
