"""What other modules may use of loyalty: a customer's points and tier as plain data, their schemes, and the quote
of a scheme's next instalment for an online payment (:data:`INSTALMENT_PURPOSE`, see :mod:`modules.loyalty.online`).

Functions take ``(session, actor)`` and check the actor's permission like the page that does the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from modules.loyalty.customer_schemes import CustomerScheme, SchemeInstalmentRow, customer_schemes
from modules.loyalty.online import PURPOSE as INSTALMENT_PURPOSE
from modules.loyalty.online import InstalmentQuote, instalment_quote
from modules.loyalty.points import member_for_customer, member_status

__all__ = [
    "INSTALMENT_PURPOSE",
    "CustomerPoints",
    "CustomerScheme",
    "InstalmentQuote",
    "SchemeInstalmentRow",
    "customer_points",
    "customer_schemes",
    "instalment_quote",
]


@dataclass(frozen=True)
class CustomerPoints:
    """A member's standing in the store's program: points, what they are worth, and the tier."""

    balance: int
    worth: Decimal  # the balance at the program's point value, in rupees
    tier: str  # "" below the first tier
    next_tier: str  # "" at the top


def customer_points(session: Session, actor: Actor, customer_id: int) -> CustomerPoints | None:
    """The customer's points in the actor's store program; None when the customer is not a member."""
    member = member_for_customer(session, actor, customer_id)
    if member is None:
        return None
    status = member_status(session, actor, member)
    return CustomerPoints(
        balance=status.balance,
        worth=status.balance * status.point_value,
        tier=status.tier.name if status.tier else "",
        next_tier=status.next_tier.name if status.next_tier else "",
    )
