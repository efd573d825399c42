"""Portal tables (prefixed ``portal_``): customer accounts, their links to clienteling customers, the one-time
links and codes that prove an address, and the customers' own sessions. None of them is a staff user.

Customers are clienteling's customer ids, kept as plain numbers (modules never join each other's tables).
Links, codes and session tokens are stored only as keyed or plain SHA-256 digests.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from jewelerp.db import utcnow


class PortalAccount(SQLModel, table=True):
    """A customer's portal account in one store, as they registered it; addresses count only once confirmed."""

    __tablename__ = "portal_account"
    __table_args__ = (UniqueConstraint("store_id", "email", name="uq_portal_account_store_email"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    name: str = Field(max_length=120)
    email: str = Field(max_length=254)
    phone: str = Field(default="", max_length=20, index=True)  # E.164, as clienteling stores it
    consent_email: bool = False
    consent_sms: bool = False
    consent_whatsapp: bool = False
    email_confirmed_at: datetime | None = None
    phone_confirmed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class PortalLink(SQLModel, table=True):
    """An account sees the records of this clienteling customer: made only from a confirmed address."""

    __tablename__ = "portal_link"
    __table_args__ = (UniqueConstraint("account_id", "customer_id", name="uq_portal_link_account_customer"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="portal_account.id", index=True)
    customer_id: int = Field(index=True)
    via: str = Field(max_length=10)  # email | phone | created
    linked_at: datetime = Field(default_factory=utcnow)


class PortalEmailLink(SQLModel, table=True):
    """A single-use link mailed to confirm a registration's address."""

    __tablename__ = "portal_email_link"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="portal_account.id", index=True)
    email: str = Field(max_length=254)
    token_hash: str = Field(max_length=64, unique=True)
    client_ip: str = Field(default="", max_length=45, index=True)  # who registered (the per-client limit)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class PortalCode(SQLModel, table=True):
    """A one-time sign-in code sent to an address (e-mail or phone) of a store; also the rate limit's record.

    ``account_id`` is None when no account of the store has that confirmed address: the code is then never
    sent, but the request is kept so the answer and the limits are the same as for a real one.
    """

    __tablename__ = "portal_code"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    channel: str = Field(max_length=10)  # email | sms
    address: str = Field(max_length=254, index=True)
    account_id: int | None = Field(default=None, foreign_key="portal_account.id")
    code_hash: str = Field(max_length=96)  # "<salt>$<HMAC-SHA256>"
    client_ip: str = Field(default="", max_length=45, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    tries: int = 0
    used_at: datetime | None = None


class PortalSession(SQLModel, table=True):
    """A customer's signed-in browser: a one-time ticket becomes the token of the portal's own cookie."""

    __tablename__ = "portal_session"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="portal_account.id", index=True)
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_expires_at: datetime | None = None
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_seen_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    method: str = Field(default="", max_length=10)
    client_ip: str = Field(default="", max_length=45)


class PortalIdentity(SQLModel, table=True):
    """A Google, Facebook or LinkedIn account a customer signs in to one store's portal with.

    ``subject`` is the account's stable id at the provider; the e-mail is what the provider said at linking.
    """

    __tablename__ = "portal_identity"
    __table_args__ = (
        UniqueConstraint("store_id", "provider", "subject", name="uq_portal_identity_store_provider_subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="portal_account.id", index=True)
    store_id: int = Field(foreign_key="core_store.id")
    provider: str = Field(max_length=20)
    subject: str = Field(max_length=255)
    email: str = Field(default="", max_length=254)
    linked_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
