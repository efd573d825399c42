"""Signing in to the portal with Google, Facebook or LinkedIn, through the platform's provider flow
(:mod:`jewelerp.auth.proofs`; the providers an admin set up under Admin → Sign-in providers).

* An account linked to a portal account of the store signs in to it.
* Otherwise, an e-mail address the provider says it verified (Google's and LinkedIn's ID tokens carry
  ``email_verified``) counts as confirmed: it signs in to the store's portal account with that e-mail, confirming
  it if it was not yet, or registers a new one, and links it to the store's customers with that e-mail (a new
  customer when there is none), as opening the mailed link does. An unconfirmed registration of that e-mail
  keeps none of what was typed into it (name, phone, choices): anyone could have typed them.
* An account whose provider does not vouch for its e-mail (Facebook says nothing) signs in only once linked: a
  customer signed in with a code links it on "My contact choices", so no one else's e-mail opens their records.

Every sign-in and link is logged; every refusal too (by the platform), with a sentence on the portal's sign-in
page (:data:`MESSAGES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from reflex.config import get_config
from sqlalchemy import update
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from jewelerp.auth.oidc import SignInRefused
from jewelerp.auth.oidc_routes import send_to_provider
from jewelerp.auth.proofs import ProofDone, ProvenIdentity
from jewelerp.auth.providers import label_of, sign_in_providers
from jewelerp.auth.session_cookie import browser_origin, frontend_origin
from jewelerp.core.audit import record_event
from jewelerp.core.users import EMAIL_RE
from jewelerp.db import read_session, unit_of_work, utcnow
from modules.portal.access import NotYours, portal_enabled
from modules.portal.identity import link_email_customers
from modules.portal.models import PortalAccount, PortalEmailLink, PortalIdentity
from modules.portal.sessions import (
    HOME,
    PORTAL_COOKIE,
    SESSION_TTL,
    SIGN_IN,
    account_of,
    begin_session,
    open_session,
)

PURPOSE = "portal"
PROVIDERS = ("google", "facebook", "linkedin")  # Microsoft's preset is for work accounts: staff only
START_PATH = "/api/portal/oauth/{provider}/start"
CONTACT_PAGE = "/portal/consent"  # where customers link and unlink their accounts
MESSAGES: dict[str, str] = {
    "not_configured": "Signing in with {provider} is not offered. Sign in with a code instead.",
    "cancelled": "Signing in with {provider} was cancelled.",
    "expired": "That sign-in took too long or was already used. Start again.",
    "provider_refused": "{provider} refused the sign-in. Try again, or sign in with a code.",
    "id_token_invalid": "{provider}'s answer could not be verified. Try again later, or sign in with a code.",
    "provider_unavailable": "{provider} did not answer properly just now. Try again later, or sign in with a code.",
    "no_portal": "Choose a store that offers the customer portal.",
    "unverified": (
        "{provider} did not confirm an e-mail address to us. Sign in with a code, then link your {provider} "
        "account under My contact choices."
    ),
    "signed_out": "Your portal session has ended. Sign in again, then link your {provider} account.",
    "taken": "This {provider} account is already linked to another portal account of this store.",
}


@dataclass(frozen=True)
class LinkedAccount:
    """A provider account linked to the signed-in portal account, for the contact choices page."""

    id: int
    provider: str
    label: str
    email: str


def refusal_message(code: str, provider: str) -> str:
    """The sentence for the refusal ``code`` the sign-in page was sent back with ("" for an unknown code)."""
    template = MESSAGES.get(code)
    return template.format(provider=label_of(provider if provider in PROVIDERS else "")) if template else ""


def portal_providers() -> list[dict[str, str]]:
    """The providers set up that customers may sign in with (``{"name", "label"}``), in a fixed order."""
    with read_session() as session:
        return [p for p in sign_in_providers(session) if p["name"] in PROVIDERS]


def start_url(page_origin: str, provider: str, **params: str) -> str:
    """Where a button sends the browser to sign in (``store=<id>``) or link (``link=1``) with ``provider``."""
    origin = browser_origin(get_config().api_url, page_origin)
    return f"{origin}{START_PATH.format(provider=provider)}?{urlencode(params)}"


def _refused(code: str, reason: str) -> SignInRefused:
    return SignInRefused(code, reason, PURPOSE)


def _context(text: str) -> tuple[int, int | None]:
    """``"<store>"`` (sign in) or ``"<store>:<account>"`` (link), as :func:`start` wrote it."""
    store, _colon, account = text.partition(":")
    if not store.isdigit():
        raise _refused("expired", "a portal flow without its store")
    return int(store), int(account) if account.isdigit() else None


def _linked(session: Session, store_id: int, provider: str, subject: str) -> PortalIdentity | None:
    return session.exec(
        select(PortalIdentity).where(
            PortalIdentity.store_id == store_id, PortalIdentity.provider == provider, PortalIdentity.subject == subject
        )
    ).first()


def _account_by_verified_email(session: Session, store_id: int, proven: ProvenIdentity) -> PortalAccount:
    """The store's account of the e-mail the provider verified, confirmed now if it was not (a new account when
    there is none); linked to the store's customers with that e-mail when newly confirmed."""
    email = proven.identity.email
    account = session.exec(
        select(PortalAccount).where(PortalAccount.store_id == store_id, PortalAccount.email == email)
    ).first()
    if account is not None and account.email_confirmed_at is not None:
        return account
    name = " ".join(proven.identity.name.split())[:120] or email.split("@", 1)[0][:120]
    if account is None:
        account = PortalAccount(store_id=store_id, email=email, name=name)
    else:  # an unconfirmed registration: what was typed into it is nobody's word
        account.name, account.phone = name, ""
        account.consent_email = account.consent_sms = account.consent_whatsapp = False
        session.execute(
            update(PortalEmailLink)
            .where(PortalEmailLink.account_id == account.id, PortalEmailLink.used_at.is_(None))
            .values(revoked_at=utcnow())
        )
    account.email_confirmed_at = utcnow()
    session.add(account)
    session.flush()
    linked = link_email_customers(session, account)
    record_event(session, "portal", "confirmed", proven.client_ip, {"account": account.id, "linked": len(linked)})
    return account


def _sign_in(store_id: int, proven: ProvenIdentity) -> ProofDone:
    identity, provider = proven.identity, proven.provider
    with unit_of_work() as session:
        if not portal_enabled(session, store_id):
            raise _refused("no_portal", "a store without the portal")
        link = _linked(session, store_id, provider, identity.subject)
        if link is not None:
            link.last_used_at = utcnow()
            session.add(link)
            account_id = link.account_id
        elif identity.email_verified and EMAIL_RE.match(identity.email) and len(identity.email) <= 254:
            account_id = _account_by_verified_email(session, store_id, proven).id or 0
            session.add(
                PortalIdentity(
                    account_id=account_id,
                    store_id=store_id,
                    provider=provider,
                    subject=identity.subject[:255],
                    email=identity.email,
                    last_used_at=utcnow(),
                )
            )
            record_event(session, "portal", "oauth_link", proven.client_ip, {"account": account_id, "via": provider})
        else:
            raise _refused("unverified", "an account not linked, without an e-mail the provider verified")
        ticket = open_session(session, account_id, provider, proven.client_ip)
        record_event(session, "portal", "sign_in", proven.client_ip, {"account": account_id, "by": provider})
    token = begin_session(ticket)
    if token is None:
        raise _refused("expired", "the new portal session's ticket was spent already")
    return ProofDone(HOME, PORTAL_COOKIE, token, int(SESSION_TTL.total_seconds()))


def _link(store_id: int, account_id: int, proven: ProvenIdentity) -> ProofDone:
    identity, provider = proven.identity, proven.provider
    with unit_of_work() as session:
        account = session.get(PortalAccount, account_id)
        if account is None or account.store_id != store_id or not portal_enabled(session, store_id):
            raise _refused("signed_out", "linking to an account that is gone")
        taken = _linked(session, store_id, provider, identity.subject)
        if taken is not None and taken.account_id != account_id:
            raise _refused("taken", "the provider account is linked to another portal account")
        if taken is None:
            session.add(
                PortalIdentity(
                    account_id=account_id,
                    store_id=store_id,
                    provider=provider,
                    subject=identity.subject[:255],
                    email=identity.email[:254],
                )
            )
        record_event(session, "portal", "oauth_link", proven.client_ip, {"account": account_id, "via": provider})
    return ProofDone(f"{CONTACT_PAGE}?{urlencode({'linked': provider})}")


class PortalSignIn:
    """The portal's contribution to ``core.identity_proofs``: customers sign in and link accounts."""

    purpose = PURPOSE
    refused_page = SIGN_IN

    def finish(self, proven: ProvenIdentity) -> ProofDone:
        """Sign the customer in (the portal cookie) or link the account to the signed-in customer's account."""
        if proven.provider not in PROVIDERS:
            raise _refused("not_configured", "a provider customers do not sign in with")
        store_id, account_id = _context(proven.context)
        if account_id is None:
            return _sign_in(store_id, proven)
        return _link(store_id, account_id, proven)


PROOF = PortalSignIn()


def _back(request: Request, code: str, provider: str, page: str = SIGN_IN) -> Response:
    query = urlencode({"error": code, "provider": provider if provider in PROVIDERS else ""})
    return RedirectResponse(f"{frontend_origin(request)}{page}?{query}", status_code=303)


def _store_of(account_id: int) -> int:
    with read_session() as session:
        account = session.get(PortalAccount, account_id)
        return account.store_id if account else 0


def _offers_portal(store_id: int) -> bool:
    with read_session() as session:
        return portal_enabled(session, store_id)


async def start(request: Request) -> Response:
    """Send the browser to the provider: to sign in to a store's portal (``?store=<id>``) or, for a customer
    signed in from this site, to link the account (``?link=1``)."""
    provider = request.path_params["provider"]
    if provider not in PROVIDERS:
        return _back(request, "not_configured", provider)
    if request.query_params.get("link"):
        account_id = None
        if request.headers.get("sec-fetch-site") != "cross-site":
            account_id = await run_in_threadpool(account_of, request.cookies.get(PORTAL_COOKIE, ""))
        if account_id is None:
            return _back(request, "signed_out", provider)
        store_id = await run_in_threadpool(_store_of, account_id)
        context, next_path = f"{store_id}:{account_id}", CONTACT_PAGE
    else:
        raw = request.query_params.get("store", "")
        store_id = int(raw) if raw.isdigit() and len(raw) < 10 else 0
        if not await run_in_threadpool(_offers_portal, store_id):
            return _back(request, "no_portal", provider)
        context, next_path = str(store_id), HOME
    return await send_to_provider(request, provider, PURPOSE, next_path, context)


def linked_accounts(session: Session, account_id: int) -> list[LinkedAccount]:
    """The provider accounts linked to ``account_id``, oldest first."""
    rows = session.exec(
        select(PortalIdentity).where(PortalIdentity.account_id == account_id).order_by(PortalIdentity.id)
    ).all()
    return [LinkedAccount(row.id or 0, row.provider, label_of(row.provider), row.email) for row in rows]


def unlink(session: Session, account_id: int, link_id: int, client_ip: str) -> str:
    """Unlink one of ``account_id``'s provider accounts (the customer still signs in with a code to their
    confirmed e-mail); returns its provider's name. :class:`NotYours` for any other link."""
    row = session.get(PortalIdentity, link_id)
    if row is None or row.account_id != account_id:
        raise NotYours("linked account", link_id)
    session.delete(row)
    record_event(session, "portal", "oauth_unlink", client_ip, {"account": account_id, "via": row.provider})
    return label_of(row.provider)
