"""Registering for the portal, confirming the address, and signing in with a one-time code.

* Registration keeps what was typed on a portal account and mails a single-use link (:data:`LINK_TTL`) to the
  address. Only opening it confirms the address; then the account is linked to every customer of the store with
  that e-mail (clienteling's api), or a new customer is made. A typed address alone links nothing.
* A sign-in code (6 digits, :data:`CODE_TTL`, at most :data:`MAX_TRIES` tries) goes to a confirmed address only,
  by e-mail or SMS through the outbox. The answer is the same whether or not an account uses the address, and
  requests are limited per address and per client address (:data:`PER_ADDRESS`, :data:`PER_CLIENT` in
  :data:`LIMIT_WINDOW`). Codes are kept as HMACs under the installation's secret key, never in clear.
* A phone is confirmed by a code sent to it while signed in; then the account is linked to the store's customers
  with that phone, and the phone may sign in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from jewelerp.auth.email_links import link_url, send_mail
from jewelerp.core.audit import record_event, record_refusal
from jewelerp.core.models import Store
from jewelerp.core.settings import get_setting
from jewelerp.core.users import EMAIL_RE
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import AuthError, JewelError, ValidationError
from jewelerp.keys import SECRET, raw_key
from jewelerp.notifications.outbox import queue_message
from modules.clienteling.api import (
    CHANNELS,
    CustomerInput,
    create_customer,
    customers_with_contact,
    parse_phone,
    set_consent,
)
from modules.portal.access import portal_actor, portal_enabled
from modules.portal.models import PortalAccount, PortalCode, PortalEmailLink, PortalLink
from modules.portal.sessions import digest, open_session

CONFIRM_PATH = "/portal/confirm"
LINK_TTL = timedelta(minutes=30)
CODE_TTL = timedelta(minutes=10)
CODE_DIGITS = 6
MAX_TRIES = 5
LIMIT_WINDOW = timedelta(minutes=15)
PER_ADDRESS = 3
PER_CLIENT = 10
LINKS_PER_ACCOUNT = 3
SENT = "If that address belongs to a portal account of this store, we have sent it a sign-in code."
LINK_SENT = "We have sent a link to {email}. Open it within 30 minutes to confirm your address."
WRONG_CODE = "That code is wrong or has expired. Ask for a new one."
TOO_MANY = "Too many codes asked for. Try again in 15 minutes."
LINK_DEAD = "This link has expired or was already used. Register again to get a new one."
PHONE_TAKEN = "Another account of this store signs in with this number. Ask the store to help."
NO_PORTAL = "Choose a store that offers the customer portal."
CONFIRM_SUBJECT = "Confirm your address for {store}'s customer portal"
CONFIRM_BODY = """Hello {name},

Open this link within 30 minutes to confirm {email} for your account on {store}'s customer portal:

{link}

If you did not register, ignore this mail.
"""
CODE_SUBJECT = "Your sign-in code for {store}"
CODE_BODY = "Your sign-in code for {store}'s customer portal is {code}. It works for 10 minutes. Never share it."


@dataclass(frozen=True)
class Registration:
    """What the registration form sends."""

    store_id: int
    name: str
    email: str
    phone: str = ""
    consent_email: bool = False
    consent_sms: bool = False
    consent_whatsapp: bool = False


def _store_name(session: Session, store_id: int) -> str:
    store = session.get(Store, store_id)
    return store.name if store else ""


def _clean(session: Session, data: Registration) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    name, email = " ".join(data.name.split()), data.email.strip().lower()
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > 120:
        errors["name"] = "Keep your name to 120 characters."
    if len(email) > 254 or not EMAIL_RE.match(email):
        errors["email"] = "Enter an e-mail address like name@example.com."
    region = get_setting(session, data.store_id, "clienteling.default_country")
    phone = parse_phone(data.phone[:40], region, errors, "phone")
    if not portal_enabled(session, data.store_id):
        errors["store"] = NO_PORTAL
    if errors:
        raise ValidationError(errors)
    return name, email, phone


def register(data: Registration, origin: str, client_ip: str) -> str:
    """Record a registration and mail its confirmation link; returns the message to show.

    Registering again with an unconfirmed address updates what was typed and sends a new link (earlier ones stop
    working, at most :data:`LINKS_PER_ACCOUNT` in :data:`LIMIT_WINDOW`); an already confirmed account is left as it
    is and sent nothing (its owner signs in with a code), and the answer is the same, so it never tells whether the
    address was known. At most :data:`PER_CLIENT` registrations per client address in :data:`LIMIT_WINDOW`
    (refusals logged). Bad input raises ValidationError and changes nothing.
    """
    with unit_of_work() as session:
        name, email, phone = _clean(session, data)
        store = _store_name(session, data.store_id)
        since = utcnow() - LIMIT_WINDOW
        recent = select(func.count()).where(PortalEmailLink.client_ip == client_ip, PortalEmailLink.created_at > since)
        crowded = session.exec(recent).one() >= PER_CLIENT
        if not crowded:
            return _register(session, data, name, email, phone, store, origin, client_ip)
    record_refusal("portal", client_ip, {"reason": "too many registrations from this address"})
    raise JewelError(TOO_MANY)


def _register(
    session: Session, data: Registration, name: str, email: str, phone: str, store: str, origin: str, client_ip: str
) -> str:
    """Keep or update an unconfirmed registration and mail its link (see :func:`register`)."""
    account = session.exec(
        select(PortalAccount).where(PortalAccount.store_id == data.store_id, PortalAccount.email == email)
    ).first()
    if account is not None and account.email_confirmed_at is not None:
        return LINK_SENT.format(email=email)  # already theirs: nothing changes, the answer is the same
    if account is None:
        account = PortalAccount(store_id=data.store_id, email=email, name=name)
    elif _links_lately(session, account.id or 0) >= LINKS_PER_ACCOUNT:
        raise JewelError(TOO_MANY)
    account.name, account.phone = name, phone
    account.consent_email, account.consent_sms = data.consent_email, data.consent_sms
    account.consent_whatsapp = data.consent_whatsapp
    session.add(account)
    session.flush()
    token = _issue_link(session, account.id or 0, email, client_ip)
    text = CONFIRM_BODY.format(name=name, email=email, store=store, link=link_url(origin, CONFIRM_PATH, token))
    send_mail(session, data.store_id, email, CONFIRM_SUBJECT.format(store=store), text, "portal.register")
    return LINK_SENT.format(email=email)


def _links_lately(session: Session, account_id: int) -> int:
    since = utcnow() - LIMIT_WINDOW
    stmt = select(func.count()).where(PortalEmailLink.account_id == account_id, PortalEmailLink.created_at > since)
    return session.exec(stmt).one()


def _issue_link(session: Session, account_id: int, email: str, client_ip: str) -> str:
    now = utcnow()
    session.execute(
        update(PortalEmailLink)
        .where(PortalEmailLink.account_id == account_id, PortalEmailLink.used_at.is_(None))
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PortalEmailLink(
            account_id=account_id,
            email=email,
            token_hash=digest(token),
            client_ip=client_ip[:45],
            created_at=now,
            expires_at=now + LINK_TTL,
        )
    )
    return token


def confirm(token: str, client_ip: str) -> str:
    """Use a confirmation link, once: the address is confirmed and the account linked to the store's customers
    with that e-mail (a new customer when there is none). Returns the store's name; ``AuthError`` (logged) when the
    link no longer works."""
    try:
        return _confirm(token, client_ip)
    except AuthError:
        record_refusal("portal", client_ip, {"reason": "unknown, used or expired confirmation link"})
        raise


def _spend_link(session: Session, token: str) -> PortalAccount:
    now = utcnow()
    row = None
    if token and len(token) <= 100:
        row = session.exec(select(PortalEmailLink).where(PortalEmailLink.token_hash == digest(token))).first()
    if row is None or row.revoked_at is not None or row.used_at is not None or row.expires_at <= now:
        raise AuthError(LINK_DEAD)
    spent = session.execute(
        update(PortalEmailLink)
        .where(PortalEmailLink.id == row.id, PortalEmailLink.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    account = session.get(PortalAccount, row.account_id)
    if spent != 1 or account is None or account.email != row.email:
        raise AuthError(LINK_DEAD)
    return account


def _confirm(token: str, client_ip: str) -> str:
    with unit_of_work() as session:
        account = _spend_link(session, token)
        account.email_confirmed_at = utcnow()
        session.add(account)
        ids = link_email_customers(session, account)
        actor = portal_actor(session, account.store_id, account.name)
        for customer_id in ids:
            for channel in CHANNELS:
                set_consent(session, actor, customer_id, channel, getattr(account, f"consent_{channel}"))
        record_event(session, "portal", "confirmed", client_ip, {"account": account.id, "linked": len(ids)})
        return _store_name(session, account.store_id)


def link_email_customers(session: Session, account: PortalAccount) -> list[int]:
    """Link an account whose e-mail was just confirmed to the store's customers with that e-mail (clienteling's
    api), or to a new customer when there is none; returns their ids. Call it only once the address is proven."""
    actor = portal_actor(session, account.store_id, account.name)
    ids = customers_with_contact(session, actor, email=account.email)
    via = "email"
    if not ids:
        profile = CustomerInput(name=account.name, email=account.email, phone=account.phone)
        ids, via = [create_customer(session, actor, profile, allow_duplicate=True).id or 0], "created"
    for customer_id in ids:
        _link(session, account.id or 0, customer_id, via)
    return ids


def _link(session: Session, account_id: int, customer_id: int, via: str) -> None:
    exists = session.exec(
        select(PortalLink.id).where(PortalLink.account_id == account_id, PortalLink.customer_id == customer_id)
    ).first()
    if exists is None:
        session.add(PortalLink(account_id=account_id, customer_id=customer_id, via=via))


def _code_hash(code_id_salt: str, code: str) -> str:
    return hmac.new(raw_key(SECRET), f"{code_id_salt}:{code}".encode(), hashlib.sha256).hexdigest()


def _address(session: Session, store_id: int, channel: str, raw: str) -> str:
    if channel == "email":
        return raw.strip().lower()[:254]
    errors: dict[str, str] = {}
    phone = parse_phone(raw[:40], get_setting(session, store_id, "clienteling.default_country"), errors, "address")
    if errors or not phone:
        raise ValidationError({"address": "Enter your mobile number, e.g. 98765 43210."})
    return phone


def _account_for(session: Session, store_id: int, channel: str, address: str) -> PortalAccount | None:
    if channel == "email":
        where = (PortalAccount.email == address, PortalAccount.email_confirmed_at.is_not(None))
    else:
        where = (PortalAccount.phone == address, PortalAccount.phone_confirmed_at.is_not(None))
    return session.exec(select(PortalAccount).where(PortalAccount.store_id == store_id, *where)).first()


def _limited(session: Session, store_id: int, address: str, client_ip: str) -> str | None:
    since = utcnow() - LIMIT_WINDOW
    recent = select(func.count()).where(PortalCode.created_at > since)
    if session.exec(recent.where(PortalCode.client_ip == client_ip)).one() >= PER_CLIENT:
        return "too many codes asked for from this address"
    if session.exec(recent.where(PortalCode.store_id == store_id, PortalCode.address == address)).one() >= PER_ADDRESS:
        return "too many codes asked for this address"
    return None


def request_code(
    store_id: int, channel: str, raw_address: str, client_ip: str, *, account_id: int | None = None
) -> str:
    """Send a sign-in code to ``raw_address`` (``channel`` email or sms) if an account of the store has confirmed
    it; returns the same message either way. With ``account_id`` (a signed-in customer confirming their phone) the
    code goes to that account's phone as typed. Raises ``JewelError`` when the limits are reached (logged)."""
    if channel not in ("email", "sms"):
        raise ValidationError({"channel": "Choose e-mail or SMS."})
    with unit_of_work() as session:
        if not portal_enabled(session, store_id):
            raise ValidationError({"store": NO_PORTAL})
        address = _address(session, store_id, channel, raw_address)
        if channel == "email" and not EMAIL_RE.match(address):
            raise ValidationError({"address": "Enter an e-mail address like name@example.com."})
        reason = _limited(session, store_id, address, client_ip)
        if reason is None:
            _send_code(session, store_id, channel, address, client_ip, account_id)
    if reason is not None:
        record_refusal("portal", client_ip, {"reason": reason, "address": address}, store_id=store_id)
        raise JewelError(TOO_MANY)
    return SENT


def _send_code(
    session: Session, store_id: int, channel: str, address: str, client_ip: str, account_id: int | None
) -> None:
    """Record a new code for ``address`` and send it when an account may sign in with it (``account_id``: the
    signed-in account confirming its phone)."""
    if account_id is not None:
        account = session.get(PortalAccount, account_id)
        account = account if account is not None and account.phone == address else None
    else:
        account = _account_for(session, store_id, channel, address)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(8)
    now = utcnow()
    session.add(
        PortalCode(
            store_id=store_id,
            channel=channel,
            address=address,
            account_id=account.id if account else None,
            code_hash=f"{salt}${_code_hash(salt, code)}",
            client_ip=client_ip[:45],
            created_at=now,
            expires_at=now + CODE_TTL,
        )
    )
    if account is not None:
        store = _store_name(session, store_id)
        text = CODE_BODY.format(store=store, code=code)
        if channel == "email":
            send_mail(session, store_id, address, CODE_SUBJECT.format(store=store), text, "portal.code")
        else:
            queue_message(session, store_id, "sms", address, "", text, "portal.code")


def _check_code(session: Session, store_id: int, channel: str, address: str, code: str) -> PortalCode | None:
    """The code row when ``code`` is right for the address's latest live code (spent at once), else None (a try
    used up)."""
    now = utcnow()
    row = session.exec(
        select(PortalCode)
        .where(PortalCode.store_id == store_id, PortalCode.channel == channel, PortalCode.address == address)
        .order_by(PortalCode.id.desc())
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now or row.tries >= MAX_TRIES:
        return None
    salt, _, expected = row.code_hash.partition("$")
    right = row.account_id is not None and hmac.compare_digest(expected, _code_hash(salt, code.strip()))
    if not right:
        session.execute(update(PortalCode).where(PortalCode.id == row.id).values(tries=PortalCode.tries + 1))
        return None
    spent = session.execute(
        update(PortalCode)
        .where(PortalCode.id == row.id, PortalCode.used_at.is_(None), PortalCode.tries < MAX_TRIES)
        .values(used_at=now)
    ).rowcount
    return row if spent == 1 else None


def sign_in(store_id: int, channel: str, raw_address: str, code: str, client_ip: str) -> str:
    """Check a sign-in code; returns the one-time ticket for the portal cookie. ``AuthError`` (logged) when the code
    is wrong, expired, used or out of tries."""
    if channel not in ("email", "sms") or not code.strip().isdigit() or len(code.strip()) != CODE_DIGITS:
        record_refusal("portal", client_ip, {"reason": "malformed sign-in code"}, store_id=store_id)
        raise AuthError(WRONG_CODE)
    with unit_of_work() as session:
        address = _address(session, store_id, channel, raw_address)
        row = _check_code(session, store_id, channel, address, code)
        account = session.get(PortalAccount, row.account_id) if row else None
        usable = account is not None and _account_for(session, store_id, channel, address) is not None
        if usable:
            ticket = open_session(session, account.id or 0, channel, client_ip)
            record_event(session, "portal", "sign_in", client_ip, {"account": account.id, "by": channel})
    if not usable:
        record_refusal("portal", client_ip, {"reason": "wrong sign-in code", "address": address}, store_id=store_id)
        raise AuthError(WRONG_CODE)
    return ticket


def confirm_phone(account_id: int, code: str, client_ip: str) -> int:
    """A signed-in customer proves their phone with the code sent to it: the phone may then sign in, and the
    account is linked to the store's customers with that phone. Returns how many customers were newly linked."""
    with read_session() as session:
        account = session.get(PortalAccount, account_id)
        store_id, phone = (account.store_id, account.phone) if account else (0, "")
    if not phone:
        raise ValidationError({"phone_code": "Add your mobile number first."})
    with unit_of_work() as session:
        row = _check_code(session, store_id, "sms", phone, code)
        account = session.get(PortalAccount, account_id)
        taken = _account_for(session, store_id, "sms", phone)
        if taken is not None and taken.id != account_id:
            raise ValidationError({"phone_code": PHONE_TAKEN})
        if row is None or row.account_id != account_id or account is None or account.phone != phone:
            wrong = True
        else:
            wrong = False
            account.phone_confirmed_at = utcnow()
            session.add(account)
            actor = portal_actor(session, store_id, account.name)
            before = set(session.exec(select(PortalLink.customer_id).where(PortalLink.account_id == account_id)))
            found = [c for c in customers_with_contact(session, actor, phone=phone) if c not in before]
            for customer_id in found:
                _link(session, account_id, customer_id, "phone")
            record_event(session, "portal", "phone_ok", client_ip, {"account": account_id})
    if wrong:
        record_refusal("portal", client_ip, {"reason": "wrong phone code", "account": account_id}, store_id=store_id)
        raise ValidationError({"phone_code": WRONG_CODE})
    return len(found)
