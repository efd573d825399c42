"""Who a portal request acts for: the signed-in account, the customers it is linked to, and the actor the portal
uses to read those customers' records through the other modules' apis.

The actor is the store's system actor cut down to :data:`PORTAL_GRANTS` and named after the account, so the audit
log shows ``portal: Asha Rao`` for what a customer changed. It never reaches a page: every portal service takes the
account (from the session cookie, never from an argument) and passes only that account's customer ids on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import system_actor
from jewelerp.core.audit import record_refusal
from jewelerp.core.models import Store
from jewelerp.core.module_states import enabled_modules
from jewelerp.errors import NotFound
from modules.portal.models import PortalAccount, PortalLink

MODULE = "portal"
# What the portal reads and changes for the signed-in customer, through the owners' apis.
PORTAL_GRANTS = frozenset(
    {
        "clienteling.customer.view",
        "clienteling.customer.edit",  # consent, wishlist, occasions, a new profile on confirmation
        "billing.invoice.create",  # billing reads invoices and their lines under this permission
        "stock.piece.view",
        "repairs.job.view",
        "loyalty.member.view",
        "payments.order.pay",  # an online payment of an amount the owning module quotes
    }
)
NOT_FOUND = "Not found."


@dataclass(frozen=True)
class Customer:
    """The signed-in customer: their account, store and the clienteling customers they may see."""

    account_id: int
    store_id: int
    store_name: str
    name: str
    email: str
    phone: str
    phone_confirmed: bool
    customer_ids: tuple[int, ...]


def portal_stores(session: Session) -> list[tuple[int, str]]:
    """Active stores where the portal is enabled: (id, name), for the sign-in and registration forms."""
    stores = session.exec(select(Store).where(Store.active).order_by(Store.id)).all()
    return [(s.id or 0, s.name) for s in stores if MODULE in enabled_modules(session, s.id or 0)]


def portal_enabled(session: Session, store_id: int) -> bool:
    """Whether ``store_id`` is an active store with the portal switched on."""
    store = session.get(Store, store_id)
    return store is not None and store.active and MODULE in enabled_modules(session, store_id)


def portal_actor(session: Session, store_id: int, account_name: str) -> Actor:
    """The actor the portal reads the customer's records with (see the module docstring)."""
    actor = system_actor(session, store_id)
    actor.require_module(MODULE)
    return replace(actor, user_name=f"portal: {account_name}"[:120], role="portal", permissions=PORTAL_GRANTS)


def linked_customers(session: Session, account_id: int) -> tuple[int, ...]:
    """The clienteling customer ids the account may see."""
    stmt = select(PortalLink.customer_id).where(PortalLink.account_id == account_id).order_by(PortalLink.id)
    return tuple(session.exec(stmt))


def signed_in_customer(session: Session, account_id: int) -> Customer | None:
    """The account as a :class:`Customer`, or None when it is gone or its store no longer offers the portal."""
    account = session.get(PortalAccount, account_id)
    if account is None or account.email_confirmed_at is None or not portal_enabled(session, account.store_id):
        return None
    ids = linked_customers(session, account_id)
    store = session.get(Store, account.store_id)
    return Customer(
        account.id or 0,
        account.store_id,
        store.name if store else "",
        account.name,
        account.email,
        account.phone,
        account.phone_confirmed_at is not None,
        ids,
    )


class NotYours(NotFound):
    """A record the signed-in customer asked for is not theirs (or does not exist): answered "not found" and
    logged by :func:`log_not_yours` once the transaction is over."""

    def __init__(self, what: str, ref: object):
        super().__init__(NOT_FOUND)
        self.what, self.ref = what, str(ref)[:80]


def log_not_yours(customer: Customer, refused: NotYours, client_ip: str) -> None:
    """Write the refusal to the security log (in its own short transaction: call it with none open)."""
    record_refusal(
        "portal",
        client_ip,
        {"reason": f"{refused.what} not of this customer", "ref": refused.ref, "account": customer.account_id},
        user_name=f"portal: {customer.name}"[:120],
        store_id=customer.store_id,
    )
