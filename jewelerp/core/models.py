"""Platform tables (prefixed ``core_``). Times are aware UTC datetimes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from jewelerp.db import utcnow
from jewelerp.registry import get_registry


class Store(SQLModel, table=True):
    """A store / branch of the business."""

    __tablename__ = "core_store"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=8)
    name: str = Field(max_length=120)
    address: str = Field(default="", max_length=500)
    state: str = Field(default="", max_length=60)
    state_code: str = Field(default="", max_length=2)  # GST state code (jewelerp.gst.STATES)
    gstin: str = Field(default="", max_length=15)
    time_zone: str = Field(default="Asia/Kolkata", max_length=64)
    currency: str = Field(default="INR", max_length=3)
    active: bool = True


class User(SQLModel, table=True):
    """A member of staff who can log in."""

    __tablename__ = "core_user"
    __audit_masked__ = ("password_hash", "totp_secret")

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    email: str = Field(unique=True, index=True, max_length=254)
    phone: str = Field(default="", max_length=20)
    active: bool = True
    password_hash: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    email_confirmed_at: datetime | None = None  # when the user last proved they read mail at ``email``
    pending_email: str = Field(default="", max_length=254)  # a new address waiting for its confirmation link
    totp_secret: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # encrypted (keys.py)
    totp_enabled_at: datetime | None = None  # two-factor sign-in is on since
    totp_last_step: int | None = None  # the time step of the last code accepted: no code is accepted twice


class Role(SQLModel, table=True):
    """Admin, Manager, Sales or Designer."""

    __tablename__ = "core_role"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=20)
    name: str = Field(max_length=60)


class RolePermission(SQLModel, table=True):
    """A permission granted to a role (chain-wide)."""

    __tablename__ = "core_role_permission"

    role_id: int = Field(foreign_key="core_role.id", primary_key=True)
    permission: str = Field(primary_key=True, max_length=120)


class PermissionSeed(SQLModel, table=True):
    """Marks a permission whose default grants were applied, so an admin's revocations stick."""

    __tablename__ = "core_permission_seed"
    __audit__ = False

    permission: str = Field(primary_key=True, max_length=120)
    seeded_at: datetime = Field(default_factory=utcnow)


class UserStoreRole(SQLModel, table=True):
    """The role a user holds in a store; no row means no access to that store."""

    __tablename__ = "core_user_store_role"

    user_id: int = Field(foreign_key="core_user.id", primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", primary_key=True)
    role_id: int = Field(foreign_key="core_role.id")


class StoreSetting(SQLModel, table=True):
    """A per-store setting value (JSON text); missing rows mean the manifest default."""

    __tablename__ = "core_store_setting"

    store_id: int = Field(foreign_key="core_store.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=120)
    value: str = Field(sa_column=Column(Text, nullable=False))

    @property
    def __audit_masked__(self) -> tuple[str, ...]:
        """A secret setting (an SMTP password) is audited as changed, without its value."""
        return ("value",) if self.key in get_registry().secret_settings() else ()


class ModuleState(SQLModel, table=True):
    """Whether a module is enabled in a store."""

    __tablename__ = "core_module_state"

    store_id: int = Field(foreign_key="core_store.id", primary_key=True)
    module: str = Field(primary_key=True, max_length=60)
    enabled: bool = False


class AuditLog(SQLModel, table=True):
    """Who changed which record when, with field-level before/after values (JSON)."""

    __tablename__ = "core_audit_log"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, index=True)
    user_name: str = Field(default="system", max_length=120)
    store_id: int | None = Field(default=None, index=True)
    record_type: str = Field(index=True, max_length=80)
    record_id: str = Field(max_length=80)
    action: str = Field(max_length=10)
    changes: str = Field(sa_column=Column(Text, nullable=False))


class AuthSession(SQLModel, table=True):
    """A server-side login session; the browser holds only the random token, in an HttpOnly cookie.

    A sign-in opens the row with a one-time ``ticket_hash`` (valid for a minute) and no token yet;
    the backend route that consumes the ticket sets ``token_hash`` and the cookie in one response,
    so the token itself never passes through the websocket or page state.
    """

    __tablename__ = "core_auth_session"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, unique=True, index=True, max_length=64)
    ticket_hash: str | None = Field(default=None, unique=True, index=True, max_length=64)
    ticket_expires_at: datetime | None = None
    user_id: int = Field(foreign_key="core_user.id", index=True)
    store_id: int | None = Field(default=None, foreign_key="core_store.id")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    method: str = Field(default="password", max_length=20)  # how the user proved who they are: password, google ...
    second_factor: bool = False  # a two-factor code was given too
    must_enrol: bool = False  # the store requires two-factor of this user, who has not set it up yet
    client_ip: str = Field(default="", max_length=45)
    user_agent: str = Field(default="", max_length=300)


class RecoveryCode(SQLModel, table=True):
    """One of a user's single-use recovery codes (for a lost phone), kept only as a hash."""

    __tablename__ = "core_recovery_code"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id", index=True)
    code_hash: str = Field(unique=True, max_length=64)
    used_at: datetime | None = None


class SignInChallenge(SQLModel, table=True):
    """A sign-in waiting for its second step: the password (or provider) was right, the code is still due.

    The page holds the random token (only its hash is here) for :data:`jewelerp.auth.two_factor.CHALLENGE_TTL`;
    a right code spends it once and opens the session.
    """

    __tablename__ = "core_sign_in_challenge"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="core_user.id", index=True)
    method: str = Field(max_length=20)
    client_ip: str = Field(default="", max_length=45)
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class EmailToken(SQLModel, table=True):
    """A single-use link sent by e-mail (a password reset, an address to confirm): only its hash is kept.

    Spent by one conditional UPDATE (``used_at``); a later request of the same purpose revokes earlier ones.
    """

    __tablename__ = "core_email_token"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=10)  # reset | confirm
    user_id: int = Field(foreign_key="core_user.id", index=True)
    email: str = Field(max_length=254)  # the address the link went to
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """An admin's invitation to join as staff: a single-use link mailed to ``email`` (only its hash is kept), with
    the role the invitee will hold in each store (``roles``: store id -> role code)."""

    __tablename__ = "core_invitation"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, max_length=254)
    name: str = Field(default="", max_length=120)
    roles: dict = Field(sa_column=Column(JSON, nullable=False))
    invited_by: int | None = Field(default=None, foreign_key="core_user.id")
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    accepted_at: datetime | None = None
    accepted_user_id: int | None = Field(default=None, foreign_key="core_user.id")
    revoked_at: datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """One password check (or second-step code, or reset link asked for), with the address it came from, for the
    sign-in limits.

    Tries refused before the check (a lock, too many at once) are not rows here: they
    go to the audit log as refusals, so hammering a lock never extends or spreads it.
    """

    __tablename__ = "core_login_attempt"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, max_length=254)
    client_ip: str = Field(default="", index=True, max_length=45)
    at: datetime = Field(default_factory=utcnow, index=True)
    success: bool = False
    kind: str = Field(default="password", max_length=10)  # password | code (second step) | reset (a link asked for)


class JobLease(SQLModel, table=True):
    """Who may run a job right now; a lease expires so a dead worker cannot block it."""

    __tablename__ = "core_job_lease"
    __audit__ = False

    job_id: str = Field(primary_key=True, max_length=120)
    holder: str = Field(max_length=120)
    expires_at: datetime
    last_started_at: datetime | None = None  # the latest run's start: workers fired for that run skip it


class JobRun(SQLModel, table=True):
    """One run of a scheduled job."""

    __tablename__ = "core_job_run"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(index=True, max_length=120)
    trigger: str = Field(default="schedule", max_length=20)
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    status: str = Field(default="running", max_length=20)
    stores: str = Field(default="", max_length=500)
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class EventDelivery(SQLModel, table=True):
    """One after-commit handler's pending, done or failed reaction to one event (the events outbox).

    Written in the emitter's transaction, so it exists only if the emitter's change committed.
    """

    __tablename__ = "core_event_delivery"
    __audit__ = False
    __table_args__ = (
        Index("ix_core_event_delivery_due", "status", "next_attempt_at"),
        Index("ix_core_event_delivery_queue", "store_id", "module", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    record: str = Field(max_length=80)
    event: str = Field(max_length=60)
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    module: str = Field(max_length=60)
    handler: str = Field(max_length=200)
    store_id: int = Field(foreign_key="core_store.id")
    user_id: int | None = None
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None


class InstalledModule(SQLModel, table=True):
    """A module installed in this database: its migrations ran, its install data loaded and its permissions
    were granted, at ``version`` (the manifest's version when it was last installed or upgraded)."""

    __tablename__ = "core_installed_module"

    name: str = Field(primary_key=True, max_length=60)
    version: str = Field(max_length=40)
    installed_at: datetime = Field(default_factory=utcnow)
    upgraded_at: datetime | None = None
