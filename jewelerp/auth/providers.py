"""The sign-in providers staff may use besides their password: Google, Microsoft, LinkedIn and Facebook.

Each is a fixed :class:`Preset` (endpoints, scopes, which checks apply) plus its settings: a client id and
secret from the provider's developer console. The environment wins over the admin's settings
(``core_identity_provider``), field by field:

* ``JEWELERP_OAUTH_<NAME>_CLIENT_ID`` and ``JEWELERP_OAUTH_<NAME>_CLIENT_SECRET``;
* ``JEWELERP_OAUTH_<NAME>_METADATA_URL`` (environment only) points a preset at another issuer's discovery
  document, e.g. a test provider.

A provider without a client id is not set up and is not offered. Only a Google account whose address Google has
verified may sign in by matching a user's e-mail; every other account must be linked by its user first
(Microsoft's ``email`` claim is not verified, and Facebook sends no such flag).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.models import IdentityProvider
from jewelerp.db import utcnow
from jewelerp.errors import NotFound, require_fields
from jewelerp.keys import decrypt_secret, encrypt_secret

ENV_PREFIX = "JEWELERP_OAUTH_"
GRAPH = "https://graph.facebook.com/v23.0/"  # Facebook's Graph API version, in one place
DEFAULT_TENANT = "organizations"  # Microsoft: any work or school account (each still has to be linked)
TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,99}")
TENANT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CLIENT_ID_MAX = 255
SECRET_MAX = 500
TENANTS_MAX = 1000


@dataclass(frozen=True)
class Preset:
    """What JewelERP knows about a provider: where it lives and which checks its answers need."""

    code: str
    label: str
    metadata_url: str = ""  # OpenID Connect discovery; ``{tenant}`` stands for Microsoft's tenant
    authorize_url: str = ""  # OAuth 2 without discovery (Facebook)
    token_url: str = ""
    profile_url: str = ""  # OAuth 2 without ID tokens: who signed in (Facebook's Graph ``me``)
    scope: str = "openid email profile"
    pkce: bool = True
    token_auth: str = "client_secret_basic"
    verified_email_match: bool = False  # may an account sign in by a verified e-mail matching a user's?
    nonce_required: bool = True
    tenants: bool = False

    @property
    def openid(self) -> bool:
        """Whether the provider answers with an ID token (OpenID Connect)."""
        return "openid" in self.scope.split()


PRESETS: dict[str, Preset] = {
    preset.code: preset
    for preset in (
        Preset(
            "google",
            "Google",
            metadata_url="https://accounts.google.com/.well-known/openid-configuration",
            verified_email_match=True,
        ),
        Preset(
            "microsoft",
            "Microsoft",
            metadata_url="https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration",
            tenants=True,
        ),
        Preset(  # LinkedIn refuses PKCE from web apps and puts no nonce in its ID tokens
            "linkedin",
            "LinkedIn",
            metadata_url="https://www.linkedin.com/oauth/.well-known/openid-configuration",
            scope="openid profile email",
            pkce=False,
            token_auth="client_secret_post",
            nonce_required=False,
        ),
        Preset(
            "facebook",
            "Facebook",
            authorize_url="https://www.facebook.com/v23.0/dialog/oauth",
            token_url=f"{GRAPH}oauth/access_token",
            profile_url=f"{GRAPH}me",
            scope="email public_profile",
            token_auth="client_secret_post",
        ),
    )
}


@dataclass(frozen=True)
class ProviderConfig:
    """A provider set up for signing in: its preset and the settings in force."""

    preset: Preset
    client_id: str
    client_secret: str = field(repr=False)
    metadata_url: str = ""
    authorize_url: str = ""
    token_url: str = ""
    profile_url: str = ""  # "" with a discovery document: its ``userinfo_endpoint``
    allowed_tenants: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProviderSettings:
    """A provider as the admin page shows it: never the secret, only whether one is saved."""

    code: str
    label: str
    enabled: bool
    client_id: str
    has_secret: bool
    tenant: str
    allowed_tenants: str
    from_environment: bool  # the client id comes from the environment, which wins over these settings


def label_of(code: str) -> str:
    """The provider's name as people know it ("Google"); "That provider" for an unknown code."""
    preset = PRESETS.get(code)
    return preset.label if preset else "That provider"


def _env(code: str, name: str) -> str:
    return os.environ.get(f"{ENV_PREFIX}{code.upper()}_{name}", "").strip()


def _stored(session: Session, code: str) -> IdentityProvider | None:
    row = session.get(IdentityProvider, code)
    return row if row is not None and row.enabled else None


def _client_id(code: str, row: IdentityProvider | None) -> str:
    return _env(code, "CLIENT_ID") or (row.client_id if row else "")


def provider_config(session: Session, code: str) -> ProviderConfig | None:
    """The settings in force for provider ``code``; None when it is unknown or not set up.

    Raises JewelError when the saved secret cannot be read with this server's key.
    """
    preset = PRESETS.get(code)
    if preset is None:
        return None
    row = _stored(session, code)
    client_id = _client_id(code, row)
    if not client_id:
        return None
    secret = _env(code, "CLIENT_SECRET") or (decrypt_secret(row.client_secret) if row and row.client_secret else "")
    metadata_url = _env(code, "METADATA_URL")
    if metadata_url:  # another issuer: every endpoint comes from its discovery document
        return ProviderConfig(preset, client_id, secret, metadata_url, allowed_tenants=_tenant_ids(row))
    tenant = (row.tenant if row else "") or DEFAULT_TENANT
    return ProviderConfig(
        preset,
        client_id,
        secret,
        preset.metadata_url.replace("{tenant}", tenant),
        preset.authorize_url,
        preset.token_url,
        preset.profile_url,
        _tenant_ids(row),
    )


def _tenant_ids(row: IdentityProvider | None) -> tuple[str, ...]:
    return tuple(t for t in (row.allowed_tenants if row else "").split(",") if t)


def sign_in_providers(session: Session) -> list[dict[str, str]]:
    """The providers set up for signing in, for the sign-in page's buttons: ``{"name": "google", "label":
    "Google"}``, in a fixed order."""
    return [
        {"name": code, "label": preset.label}
        for code, preset in PRESETS.items()
        if _client_id(code, _stored(session, code))
    ]


def provider_settings(session: Session, actor: Actor) -> list[ProviderSettings]:
    """Every provider's saved settings, for the admin page (the secret is never returned)."""
    actor.require("core.users.manage")
    shown = []
    for code, preset in PRESETS.items():
        row = session.get(IdentityProvider, code) or IdentityProvider(code=code, enabled=False)
        shown.append(
            ProviderSettings(
                code,
                preset.label,
                row.enabled,
                row.client_id,
                bool(row.client_secret),
                row.tenant,
                row.allowed_tenants,
                bool(_env(code, "CLIENT_ID")),
            )
        )
    return shown


def save_provider(
    session: Session,
    actor: Actor,
    code: str,
    *,
    enabled: bool,
    client_id: str,
    client_secret: str = "",
    tenant: str = "",
    allowed_tenants: str = "",
) -> None:
    """Save provider ``code``'s settings (admins). The secret is write-only: an empty one keeps the saved one.

    ``tenant`` and ``allowed_tenants`` (tenant ids, comma-separated) concern Microsoft only.
    """
    actor.require("core.users.manage")
    preset = PRESETS.get(code)
    if preset is None:
        raise NotFound("There is no such sign-in provider.")
    row = session.get(IdentityProvider, code) or IdentityProvider(code=code)
    client_id, client_secret = client_id.strip(), client_secret.strip()
    tenant = tenant.strip() if preset.tenants else ""
    tenant_ids = [t.strip().lower() for t in allowed_tenants.split(",") if t.strip()] if preset.tenants else []
    errors: dict[str, str] = {}
    if enabled and not client_id:
        errors["client_id"] = f"Enter the client ID {preset.label} gave you."
    elif len(client_id) > CLIENT_ID_MAX or not client_id.isprintable() or " " in client_id:
        errors["client_id"] = "This client ID is not valid: copy it again from the provider's console."
    if len(client_secret) > SECRET_MAX or not client_secret.isprintable():
        errors["client_secret"] = "This secret is not valid: copy it again from the provider's console."
    if tenant and not TENANT.fullmatch(tenant):
        errors["tenant"] = "Enter a tenant ID, a domain such as zaveri.in, or organizations."
    if any(not TENANT_ID.fullmatch(t) for t in tenant_ids) or len(",".join(tenant_ids)) > TENANTS_MAX:
        errors["allowed_tenants"] = "Enter tenant IDs (like 72f988bf-86f1-41af-91ab-2d7cd011db47), comma-separated."
    require_fields(errors)
    row.enabled, row.client_id, row.tenant = enabled, client_id, tenant
    row.allowed_tenants = ",".join(tenant_ids)
    if client_secret:
        row.client_secret = encrypt_secret(client_secret)
    row.updated_at = utcnow()
    session.add(row)
