"""Signing in, and linking an account, through Google, Microsoft, LinkedIn or Facebook (with authlib).

:func:`start_flow` keeps the flow in a ``core_oauth_flow`` row (hashes of the ``state`` and of a random value
the browser keeps in a cookie, the nonce, the PKCE verifier) and returns the provider's address.
:func:`finish_flow` spends that row with one conditional UPDATE (same ``state``, same browser, unused, under ten
minutes old), so a replayed or stolen answer is refused before anything is sent to the provider. It then
exchanges the code, verifies the ID token (signature, issuer, audience, expiry, our nonce) or, for Facebook,
asks the Graph API who signed in, and maps the account to a user: a linked account first, else, where the
preset allows it (Google), an e-mail the provider says it verified. Nothing is ever created for an unknown
account. Every refusal is logged (never a token) and has a short code the sign-in page turns into a sentence
(:data:`MESSAGES`).

Network calls are async (authlib's Starlette client); database work runs in worker threads.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.oidc.core import CodeIDToken
from joserfc.errors import JoseError
from sqlalchemy import func, update
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from jewelerp.auth.actor import Actor
from jewelerp.auth.models import ExternalIdentity, OAuthFlow
from jewelerp.auth.proofs import STAFF_PURPOSES, ProofDone, ProvenIdentity, identity_proof
from jewelerp.auth.providers import Preset, ProviderConfig, label_of, provider_config
from jewelerp.auth.service import begin_session, build_actor, open_session, resolve
from jewelerp.core.audit import current_client_ip, record_event, record_refusal
from jewelerp.core.invitations import accept_invitation
from jewelerp.core.models import Store, User
from jewelerp.core.users import store_roles
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import AuthError, JewelError, NotFound

with warnings.catch_warnings():  # authlib 1.9 warns that it prefers httpx2; httpx is what we pin
    warnings.filterwarnings("ignore", category=AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App

FLOW_TTL = timedelta(minutes=10)
CLIENT_TTL = 3600.0  # seconds a provider's discovery document is trusted before it is read again
HTTP_TIMEOUT = 10.0
MESSAGES: dict[str, str] = {
    "not_configured": "Signing in with {provider} is not set up. Sign in with your password.",
    "cancelled": "Signing in with {provider} was cancelled.",
    "expired": "That sign-in took too long or was already used. Start again.",
    "provider_refused": "{provider} refused the sign-in. Sign in with your password or try again.",
    "id_token_invalid": "{provider}'s answer could not be verified. Sign in with your password or try again later.",
    "provider_unavailable": (
        "{provider} did not answer properly just now. Sign in with your password or try again later."
    ),
    "not_linked": (
        "This {provider} account is not linked to a JewelERP user. "
        "Sign in with your password and link it under Your account."
    ),
    "disabled": "This account is disabled. Ask an admin to re-enable it.",
    "no_store": "Your account has no store access yet. Ask an admin to give you a role.",
    "signed_out": "Your session has ended. Sign in again, then link your {provider} account.",
    "taken": "This {provider} account is already linked to another JewelERP user.",
    "invite_dead": (
        "This invitation has expired, was revoked or was already used. Ask the admin who invited you for a new one."
    ),
}
ACCOUNT_REFUSALS = {"account disabled": "disabled", "no store access": "no_store"}  # open_session's reasons
ONLY_WAY_IN = "This is your only way to sign in. Ask an admin to set a password for you before unlinking it."
_UNAVAILABLE = (httpx.HTTPError, ValueError, TypeError, RuntimeError, KeyError)
_clients: dict[str, tuple[ProviderConfig, float, StarletteOAuth2App]] = {}


class SignInRefused(Exception):
    """A refused sign-in or link: ``code`` names it for the page (:data:`MESSAGES`), ``reason`` for the log."""

    def __init__(self, code: str, reason: str, purpose: str = "sign_in"):
        super().__init__(reason)
        self.code, self.reason, self.purpose = code, reason, purpose


@dataclass(frozen=True)
class FlowStart:
    """Where to send the browser, and the value of its flow cookie (which binds the answer to this browser)."""

    url: str
    browser_key: str


@dataclass(frozen=True)
class FlowDone:
    """A finished flow: where the browser goes next and, for a sign-in, the new session's token (its cookie) or the
    challenge of the two-factor code."""

    purpose: str
    next_path: str
    session_token: str | None = None
    challenge: str | None = None  # the user has two-factor sign-in: their code is still due
    proof: ProofDone | None = None  # a module's purpose: its cookie to set (jewelerp.auth.proofs)


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: ``subject`` is stable at that provider, ``email`` is not."""

    subject: str
    email: str
    email_verified: bool
    name: str = ""


@dataclass(frozen=True)
class LinkedAccount:
    """A provider account linked to the signed-in user, for the profile page."""

    id: int
    provider: str
    label: str
    email: str
    linked_at: datetime
    last_used_at: datetime | None


def refusal_message(code: str, provider: str = "") -> str:
    """The sentence for a refusal ``code`` (``/login?error=<code>&provider=<name>``); "" for an unknown code."""
    template = MESSAGES.get(code)
    return template.format(provider=label_of(provider)) if template else ""


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class _NonceWhenPresent(CodeIDToken):
    """LinkedIn puts no nonce in its ID tokens: check the nonce only when there is one."""

    def validate_nonce(self) -> None:
        """Compare the nonce with ours when the token carries one."""
        if "nonce" in self:
            super().validate_nonce()


def _client(config: ProviderConfig) -> StarletteOAuth2App:
    """authlib's client for ``config``, kept :data:`CLIENT_TTL` seconds (it caches the discovery document)."""
    code = config.preset.code
    cached = _clients.get(code)
    now = time.monotonic()
    if cached and cached[0] == config and now - cached[1] < CLIENT_TTL:
        return cached[2]
    preset = config.preset
    kwargs: dict[str, Any] = {
        "scope": preset.scope,
        "timeout": HTTP_TIMEOUT,
        "token_endpoint_auth_method": preset.token_auth,
    }
    if preset.pkce:
        kwargs["code_challenge_method"] = "S256"
    client = OAuth().register(
        code,
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.metadata_url or None,
        authorize_url=config.authorize_url or None,
        access_token_url=config.token_url or None,
        client_kwargs=kwargs,
    )
    _clients[code] = (config, now, client)
    return client


def forget_clients() -> None:
    """Drop the cached clients, so every provider's discovery document is read again."""
    _clients.clear()


@contextmanager
def _provider_errors(purpose: str) -> Iterator[None]:
    """Turn what a provider's answer can raise into a :class:`SignInRefused` (the reason holds no token)."""
    try:
        yield
    except OAuthError as exc:  # the provider answered with an error (invalid_grant, invalid_client ...)
        raise SignInRefused("provider_refused", f"the provider refused: {exc.error}", purpose) from exc
    except JoseError as exc:  # signature, algorithm, issuer, audience, expiry, nonce
        raise SignInRefused("id_token_invalid", f"ID token refused: {exc.error} {exc.description}", purpose) from exc
    except _UNAVAILABLE as exc:  # down, an HTTP error, garbage instead of JSON, a discovery document missing parts
        raise SignInRefused(
            "provider_unavailable", f"the provider did not answer properly ({type(exc).__name__})", purpose
        ) from exc


def _config(provider: str, purpose: str) -> ProviderConfig:
    try:
        with read_session() as session:
            config = provider_config(session, provider)
    except JewelError as exc:  # a saved secret this server's key cannot read
        raise SignInRefused("not_configured", exc.message, purpose) from exc
    if config is None:
        raise SignInRefused("not_configured", "the provider is not set up", purpose)
    return config


async def _refused(refusal: SignInRefused, provider: str, client_ip: str) -> None:
    await run_in_threadpool(
        record_refusal, "oauth", client_ip, {"provider": provider[:20], "reason": refusal.reason[:300]}
    )


async def start_flow(
    provider: str,
    purpose: str,
    next_path: str,
    redirect_uri: str,
    client_ip: str,
    user_id: int | None = None,
    invitation_id: int | None = None,
    context: str = "",
) -> FlowStart:
    """Begin signing in (``purpose`` "sign_in"), linking an account (``"link"``, for the signed-in ``user_id``),
    joining from an invitation (``"invite"``, its ``invitation_id``: the account becomes the new user's way in)
    or a module's purpose (:mod:`jewelerp.auth.proofs`, with its ``context``) with ``provider``: the provider's
    address to send the browser to and the browser's flow cookie value.

    ``redirect_uri`` is our callback as the browser reaches it; ``next_path`` where the browser goes afterwards.
    Raises :class:`SignInRefused` (logged).
    """
    try:
        return await _start(provider, purpose, next_path, redirect_uri, user_id, invitation_id, context)
    except SignInRefused as refusal:
        await _refused(refusal, provider, client_ip)
        raise


async def _start(
    provider: str,
    purpose: str,
    next_path: str,
    redirect_uri: str,
    user_id: int | None,
    invitation_id: int | None,
    context: str,
) -> FlowStart:
    if purpose not in STAFF_PURPOSES and identity_proof(purpose) is None:
        raise SignInRefused("not_configured", f"no installed module signs in for {purpose[:20]!r}", purpose)
    if purpose == "link" and user_id is None:
        raise SignInRefused("signed_out", "linking an account without a live session", purpose)
    if purpose == "invite" and invitation_id is None:
        raise SignInRefused("invite_dead", "joining with an unknown, used, revoked or expired invitation", purpose)
    config = await run_in_threadpool(_config, provider, purpose)
    with _provider_errors(purpose):
        found = await _client(config).create_authorization_url(redirect_uri)
    browser_key = secrets.token_urlsafe(32)
    now = utcnow()
    flow = OAuthFlow(
        provider=provider,
        purpose=purpose,
        state_hash=_hash(found["state"]),
        browser_hash=_hash(browser_key),
        nonce=found.get("nonce") or "",
        code_verifier=found.get("code_verifier") or "",
        redirect_uri=redirect_uri,
        next_path=next_path,
        user_id=user_id,
        invitation_id=invitation_id,
        context=context[:200],
        created_at=now,
        expires_at=now + FLOW_TTL,
    )
    await run_in_threadpool(_save, flow)
    return FlowStart(found["url"], browser_key)


def _save(flow: OAuthFlow) -> None:
    with unit_of_work() as session:
        session.add(flow)


async def finish_flow(
    provider: str, params: Mapping[str, str], browser_key: str, session_token: str, client_ip: str, user_agent: str
) -> FlowDone:
    """Finish the flow the provider's answer ``params`` (the callback's query) belongs to, in the browser holding
    ``browser_key``: a sign-in opens a session, a link links the account to the user of ``session_token``.

    Raises :class:`SignInRefused` (logged, nothing created).
    """
    try:
        return await _finish(provider, params, browser_key, session_token, client_ip, user_agent)
    except SignInRefused as refusal:
        await _refused(refusal, provider, client_ip)
        raise


async def _finish(
    provider: str, params: Mapping[str, str], browser_key: str, session_token: str, client_ip: str, user_agent: str
) -> FlowDone:
    flow = await run_in_threadpool(_consume, provider, params.get("state", ""), browser_key)
    if flow is None:
        raise SignInRefused("expired", "unknown, used or expired state, or the flow cookie of another browser")
    if "error" in params:
        code = "cancelled" if params["error"] == "access_denied" else "provider_refused"
        raise SignInRefused(code, f"the provider answered {params['error'][:60]}", flow.purpose)
    config = await run_in_threadpool(_config, provider, flow.purpose)
    with _provider_errors(flow.purpose):
        identity = await _identity(_client(config), config, flow, params)
    proof = identity_proof(flow.purpose)
    if proof is not None:
        proven = ProvenIdentity(provider, identity, flow.context, client_ip, user_agent)
        done = await run_in_threadpool(proof.finish, proven)
        return FlowDone(flow.purpose, done.next_path, proof=done)
    if flow.purpose not in STAFF_PURPOSES:  # the module that started it is gone: never a staff sign-in
        raise SignInRefused("not_configured", f"no installed module signs in for {flow.purpose!r}", flow.purpose)
    if flow.purpose == "link":
        await run_in_threadpool(_link, flow, identity, session_token, client_ip)
        return FlowDone("link", flow.next_path)
    if flow.purpose == "invite":
        user_id = await run_in_threadpool(_join, flow, identity, client_ip)
    else:
        user_id = await run_in_threadpool(_find_user, config.preset, identity)
    done = await run_in_threadpool(_signed_in, user_id, provider, client_ip, user_agent)
    return replace(done, next_path=flow.next_path)


def _consume(provider: str, state: str, browser_key: str) -> OAuthFlow | None:
    """Spend the flow of ``state`` started in the browser holding ``browser_key``: once, within :data:`FLOW_TTL`."""
    if not state or not browser_key:
        return None
    now = utcnow()
    state_hash = _hash(state)
    with unit_of_work() as session:
        spent = session.execute(
            update(OAuthFlow)
            .where(
                OAuthFlow.state_hash == state_hash,
                OAuthFlow.browser_hash == _hash(browser_key),
                OAuthFlow.provider == provider,
                OAuthFlow.used_at.is_(None),
                OAuthFlow.expires_at > now,
            )
            .values(used_at=now)
        )
        if spent.rowcount != 1:
            return None
        return session.exec(select(OAuthFlow).where(OAuthFlow.state_hash == state_hash)).one()


def _issuer_matches(issuer: str, value: str) -> bool:
    """Whether ``value`` is ``issuer``; Microsoft's shared tenants name theirs ``.../{tenantid}/v2.0``."""
    pattern = re.escape(issuer).replace(re.escape("{tenantid}"), "[^/]+")
    return bool(issuer) and re.fullmatch(pattern, value) is not None


def _claims_options(config: ProviderConfig, issuer: str) -> dict[str, dict[str, Any]]:
    """What the ID token must say: our issuer and our client as its audience (a new dict each time: authlib
    takes the ``validate`` hooks out of the one it is given)."""
    if "{tenantid}" in issuer:  # Microsoft's shared tenants: the issuer of the tenant the token names

        def same_tenant(claims: Mapping[str, Any], value: object) -> bool:
            return value == issuer.replace("{tenantid}", str(claims.get("tid", "")))

        iss: dict[str, Any] = {"essential": True, "validate": same_tenant}
    else:
        iss = {"essential": True, "value": issuer}
    options: dict[str, dict[str, Any]] = {"iss": iss, "aud": {"essential": True, "value": config.client_id}}
    if config.allowed_tenants:
        options["tid"] = {"essential": True, "values": list(config.allowed_tenants)}
    return options


async def _identity(
    client: StarletteOAuth2App, config: ProviderConfig, flow: OAuthFlow, params: Mapping[str, str]
) -> Identity:
    """Exchange the answer's code and find out who signed in (a verified ID token, or Facebook's Graph ``me``)."""
    metadata = await client.load_server_metadata()
    issuer = metadata.get("issuer", "")
    if "iss" in params and not _issuer_matches(issuer, params["iss"]):  # RFC 9207: an answer meant for another
        raise SignInRefused("id_token_invalid", "the answer names another issuer", flow.purpose)
    if "iss" not in params and metadata.get("authorization_response_iss_parameter_supported"):
        raise SignInRefused("id_token_invalid", "the answer names no issuer", flow.purpose)
    if not params.get("code"):
        raise SignInRefused("provider_refused", "the answer holds no code", flow.purpose)
    verifier = {"code_verifier": flow.code_verifier} if flow.code_verifier else {}
    token = await client.fetch_access_token(code=params["code"], redirect_uri=flow.redirect_uri, **verifier)
    if not config.preset.openid:
        return await _graph_identity(client, config, token, metadata)
    claims = await client.parse_id_token(
        token,
        nonce=flow.nonce,
        claims_options=_claims_options(config, issuer),
        claims_cls=None if config.preset.nonce_required else _NonceWhenPresent,
    )
    if claims is None:
        raise SignInRefused("id_token_invalid", "the answer holds no ID token", flow.purpose)
    return Identity(
        str(claims["sub"]),
        str(claims.get("email") or "").strip().lower(),
        claims.get("email_verified") is True,
        str(claims.get("name") or ""),
    )


async def _graph_identity(
    client: StarletteOAuth2App, config: ProviderConfig, token: dict[str, Any], metadata: Mapping[str, Any]
) -> Identity:
    """Facebook: who owns the access token, asked with ``appsecret_proof`` (so a stolen token is useless to others)."""
    proof = hmac.new(config.client_secret.encode(), token["access_token"].encode(), hashlib.sha256).hexdigest()
    url = config.profile_url or metadata["userinfo_endpoint"]
    response = await client.get(url, token=token, params={"fields": "id,name,email", "appsecret_proof": proof})
    response.raise_for_status()
    profile = response.json()
    return Identity(
        str(profile["id"]), str(profile.get("email") or "").strip().lower(), False, str(profile.get("name") or "")
    )


def _has_store(session: Session, user_id: int) -> bool:
    stores = list(store_roles(session, user_id))
    return session.exec(select(Store.id).where(Store.active, Store.id.in_(stores))).first() is not None


def _find_user(preset: Preset, identity: Identity) -> int:
    """The user the account signs in as: linked (its last use recorded), else matched by a verified e-mail where
    ``preset`` allows it, to an active user with a store. Nothing is created for an unknown account."""
    with unit_of_work() as session:
        link = session.exec(
            select(ExternalIdentity).where(
                ExternalIdentity.provider == preset.code, ExternalIdentity.subject == identity.subject
            )
        ).first()
        if link is not None:  # a plain UPDATE: the sign-in is logged as an event, not as a changed field
            session.execute(
                update(ExternalIdentity).where(ExternalIdentity.id == link.id).values(last_used_at=utcnow())
            )
            return link.user_id
        if preset.verified_email_match and identity.email_verified and identity.email:
            user = session.exec(select(User).where(User.email == identity.email)).first()
            if user is not None and user.active and _has_store(session, user.id):
                return user.id
    raise SignInRefused("not_linked", "no user is linked to this account or has its verified e-mail")


def _signed_in(user_id: int, provider: str, client_ip: str, user_agent: str) -> FlowDone:
    """The identity is proven: open the user's session (its token for the cookie) or, for a user with two-factor
    sign-in, the challenge their code must answer. The single step from a proven identity to a session."""
    with unit_of_work() as session:
        user = session.get(User, user_id)
        if user is None:
            raise SignInRefused("not_linked", "the linked user no longer exists")
        result = open_session(session, user, provider, client_ip, user_agent)
    if result.challenge:
        return FlowDone("sign_in", "/", challenge=result.challenge)
    if result.ticket is None:
        raise SignInRefused(ACCOUNT_REFUSALS.get(result.reason, "disabled"), result.reason)
    token = begin_session(result.ticket)
    if token is None:
        raise SignInRefused("expired", "the new session's ticket was spent already")
    return FlowDone("sign_in", "/", token)


def _join(flow: OAuthFlow, identity: Identity, client_ip: str) -> int:
    """Accept the flow's invitation with the provider account: the new user, whose way in it is (linked)."""
    with unit_of_work() as session:
        taken = session.exec(
            select(ExternalIdentity).where(
                ExternalIdentity.provider == flow.provider, ExternalIdentity.subject == identity.subject
            )
        ).first()
        if taken is not None:
            raise SignInRefused("taken", "the account is linked to another user", "invite")
        user = accept_invitation(session, flow.invitation_id or 0, identity.name, None, client_ip)
        if user is None:
            raise SignInRefused("invite_dead", "the invitation was used, revoked or expired meanwhile", "invite")
        session.add(
            ExternalIdentity(
                user_id=user.id, provider=flow.provider, subject=identity.subject, email=identity.email[:254]
            )
        )
        record_event(
            session, "oauth", "link", client_ip, {"provider": flow.provider}, user_id=user.id, user_name=user.name
        )
        return user.id or 0


def _link(flow: OAuthFlow, identity: Identity, session_token: str, client_ip: str) -> None:
    """Link the account to the user who started the flow, whose session must still be live in this browser."""
    with unit_of_work() as session:
        info = resolve(session, session_token)
        if info is None or info.user_id != flow.user_id:
            raise SignInRefused("signed_out", "the session that started the link has ended", "link")
        actor = build_actor(session, info.user_id, info.store_id)
        session.info["actor"] = actor  # the audit log names who linked the account
        taken = session.exec(
            select(ExternalIdentity).where(
                ExternalIdentity.provider == flow.provider, ExternalIdentity.subject == identity.subject
            )
        ).first()
        if taken is not None and taken.user_id != actor.user_id:
            raise SignInRefused("taken", "the account is linked to another user", "link")
        if taken is None:
            session.add(
                ExternalIdentity(
                    user_id=actor.user_id, provider=flow.provider, subject=identity.subject, email=identity.email[:254]
                )
            )
        record_event(
            session,
            "oauth",
            "link",
            client_ip,
            {"provider": flow.provider},
            user_id=actor.user_id,
            user_name=actor.user_name,
            store_id=actor.store_id,
        )


def _own_user(actor: Actor) -> int:
    if actor.user_id is None:
        raise AuthError("Sign in as yourself to manage your linked accounts.")
    return actor.user_id


def linked_accounts(session: Session, actor: Actor) -> list[LinkedAccount]:
    """The provider accounts linked to the signed-in user, oldest first."""
    rows = session.exec(
        select(ExternalIdentity).where(ExternalIdentity.user_id == _own_user(actor)).order_by(ExternalIdentity.id)
    ).all()
    return [
        LinkedAccount(row.id, row.provider, label_of(row.provider), row.email, row.linked_at, row.last_used_at)
        for row in rows
    ]


def unlink_account(session: Session, actor: Actor, link_id: int) -> None:
    """Unlink one of the signed-in user's provider accounts; refused when it is their only way to sign in (no
    password and no other linked account)."""
    user_id = _own_user(actor)
    row = session.get(ExternalIdentity, link_id)
    if row is None or row.user_id != user_id:
        raise NotFound("That linked account no longer exists.")
    user = session.get(User, user_id)
    links = session.exec(select(func.count()).where(ExternalIdentity.user_id == user_id)).one()
    if not (user and user.password_hash) and links <= 1:
        raise JewelError(ONLY_WAY_IN)
    session.delete(row)
    record_event(
        session,
        "oauth",
        "unlink",
        current_client_ip(),
        {"provider": row.provider},
        user_id=user_id,
        user_name=actor.user_name,
        store_id=actor.store_id,
    )
