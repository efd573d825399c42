"""Portal test helpers: register and confirm a customer, read the code the outbox holds, sign in."""

from __future__ import annotations

import re

from sqlmodel import select

from jewelerp.core.models import AuditLog
from jewelerp.db import read_session, unit_of_work
from jewelerp.notifications.models import OutboxMessage
from modules.clienteling.api import CustomerInput, create_customer
from modules.portal import identity
from modules.portal.access import Customer, portal_actor, signed_in_customer
from modules.portal.identity import Registration
from modules.portal.models import PortalEmailLink
from modules.portal.sessions import account_of, begin_session

ORIGIN = "http://portal.test"
IP = "198.51.100.7"


def customer(actor, name: str, email: str = "", phone: str = "") -> int:
    """A clienteling customer of the actor's store (made by staff); returns the id."""
    with unit_of_work(actor) as session:
        data = CustomerInput(name=name, email=email, phone=phone)
        return create_customer(session, actor, data, allow_duplicate=True).id


def last_message(recipient: str) -> OutboxMessage:
    """The newest outbox message to ``recipient``."""
    with read_session() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
        return session.exec(stmt).first()


def mailed_token(email: str) -> str:
    """The token of the confirmation link last mailed to ``email``."""
    return re.search(r"token=([\w-]+)", last_message(email).body).group(1)


def mailed_code(recipient: str) -> str:
    """The sign-in code last sent to ``recipient``."""
    return re.search(r"\b(\d{6})\b", last_message(recipient).body).group(1)


def register(store_id: int, name: str, email: str, phone: str = "", **consent: bool) -> str:
    """Register and return the confirmation token mailed."""
    identity.register(Registration(store_id, name, email, phone, **consent), ORIGIN, IP)
    return mailed_token(email.strip().lower())


def signed_up(store_id: int, name: str, email: str, phone: str = "") -> int:
    """Register, confirm and sign in by e-mail code; returns the account id."""
    identity.confirm(register(store_id, name, email, phone), IP)
    return sign_in(store_id, email)


def sign_in(store_id: int, address: str, channel: str = "email") -> int:
    """Ask for a code, use it and exchange the ticket; returns the account the session belongs to."""
    identity.request_code(store_id, channel, address, IP)
    ticket = identity.sign_in(store_id, channel, address, mailed_code(address), IP)
    return account_of(begin_session(ticket))


def links_of(account_id: int) -> int:
    """How many confirmation links the account was sent."""
    with read_session() as session:
        return len(session.exec(select(PortalEmailLink).where(PortalEmailLink.account_id == account_id)).all())


def portal_refusals() -> list[str]:
    """The reasons of the portal refusals in the security log, oldest first."""
    with read_session() as session:
        rows = session.exec(
            select(AuditLog)
            .where(AuditLog.record_type == "security", AuditLog.record_id == "portal")
            .order_by(AuditLog.id)
        ).all()
    return [row.changes for row in rows if row.action == "refused"]


def two_customers(world) -> tuple[int, int]:
    """Asha and Ravi, customers of MUM each with a confirmed, signed-in portal account: their account ids."""
    manager = world.actor("manager")
    accounts = []
    for name, email in (("Asha Rao", "asha@example.com"), ("Ravi Menon", "ravi@example.com")):
        customer(manager, name, email=email)
        accounts.append(signed_up(world.mum, name, email))
    return accounts[0], accounts[1]


def as_customer(account_id: int) -> Customer:
    """The signed-in customer of the account, as the portal's pages see them."""
    with read_session() as session:
        return signed_in_customer(session, account_id)


def read_as(account_id: int, work, *args):
    """``work(session, customer, *args)`` in a read session, for the account's customer."""
    with read_session() as session:
        return work(session, as_customer(account_id), *args)


def write_as(account_id: int, work, *args):
    """``work(session, customer, *args)`` in a unit of work as the portal's actor, as a page's write runs."""
    customer = as_customer(account_id)
    with read_session() as session:
        actor = portal_actor(session, customer.store_id, customer.name)
    with unit_of_work(actor) as session:
        return work(session, customer, *args)
