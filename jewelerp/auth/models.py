"""Platform tables for signing in through Google, Microsoft, LinkedIn or Facebook (prefixed ``core_``).

Sign-in happens before any store is chosen, so a provider's settings are one row for the whole business, not a
store setting.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from jewelerp.db import utcnow


class IdentityProvider(SQLModel, table=True):
    """An admin's settings for one provider (``JEWELERP_OAUTH_<NAME>_*`` environment variables win over them).

    ``client_secret`` holds the secret encrypted with the server's secret key (:func:`jewelerp.keys.encrypt_secret`);
    the audit log records that it changed, never its value (its name looks secret).
    """

    __tablename__ = "core_identity_provider"

    code: str = Field(primary_key=True, max_length=20)  # google | microsoft | linkedin | facebook
    enabled: bool = True
    client_id: str = Field(default="", max_length=255)
    client_secret: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    tenant: str = Field(default="", max_length=100)  # Microsoft: a tenant id or domain, or organizations/common
    allowed_tenants: str = Field(default="", max_length=1000)  # Microsoft: tenant ids allowed in, comma-separated
    updated_at: datetime = Field(default_factory=utcnow)


class ExternalIdentity(SQLModel, table=True):
    """A provider account (its ``subject``, stable at that provider) linked to a user: the only way a Microsoft,
    LinkedIn or Facebook account signs in, and the first one tried for Google."""

    __tablename__ = "core_external_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id", index=True)
    provider: str = Field(max_length=20)
    subject: str = Field(max_length=255)
    email: str = Field(default="", max_length=254)  # what the provider said when it was linked (shown, never matched)
    linked_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None


class OAuthFlow(SQLModel, table=True):
    """One sign-in (or link) sent to a provider, waiting for its answer: spent once by one conditional UPDATE.

    Only hashes of the ``state`` sent to the provider and of the browser's flow cookie are kept, so the answer is
    accepted once, within ten minutes, and only in the browser that started it.
    """

    __tablename__ = "core_oauth_flow"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)
    purpose: str = Field(max_length=10)  # sign_in | link | invite, or a module's (jewelerp.auth.proofs)
    state_hash: str = Field(unique=True, max_length=64)
    browser_hash: str = Field(max_length=64)
    nonce: str = Field(default="", max_length=100)
    code_verifier: str = Field(default="", max_length=128)
    redirect_uri: str = Field(max_length=500)
    next_path: str = Field(default="/", max_length=2000)
    user_id: int | None = Field(default=None, foreign_key="core_user.id")  # who is linking an account
    invitation_id: int | None = None  # the invitation a new member of staff accepts with this account
    context: str = Field(default="", max_length=200)  # a module's purpose: what its finish reads back
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
