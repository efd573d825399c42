"""Scheme instalments paid online: a quote for the customer's next instalment, and the receipt when the payment
gateway says it was paid.

- :func:`instalment_quote` is what a customer's page may offer to pay: the next unpaid instalment of one of the
  customer's own active schemes, priced today (a grams scheme at today's rate) with the late fee. The amount is
  always this module's, never a page's. Its reference ``<scheme number>#<instalment>`` names the instalment.
- :func:`instalment_paid` handles ``("payments.order", "paid")`` for the purpose :data:`PURPOSE`, in the
  webhook's transaction: it takes that instalment with billing's ``online`` method, the gateway's payment id as
  the reference, priced for the day of the quote (so the receipt matches what was charged), with a receipt in
  the ``SRC`` series dated that day. When the instalment is already paid (a second tab's order paid too), the
  scheme closed, or the amount no longer matches, it records nothing: it logs the payment as unapplied
  (security log) and tells the store's managers to refund it
  (:func:`modules.payments.api.report_unapplied`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError, NotFound
from jewelerp.money import format_inr
from modules.billing.api import ONLINE
from modules.loyalty.models import Enrolment
from modules.loyalty.schemes import VIEW, collect, instalment_due
from modules.payments.api import report_unapplied

PURPOSE = "loyalty.instalment"


@dataclass(frozen=True)
class InstalmentQuote:
    """The next instalment of a customer's scheme as it is paid today: the total includes the late fee."""

    enrolment_id: int
    customer_id: int
    number: str
    seq: int
    total: Decimal
    late_fee: Decimal

    @property
    def reference(self) -> str:
        """The instalment as a payment's reference: ``MUM/S2627/00004#3``."""
        return f"{self.number}#{self.seq}"

    @property
    def description(self) -> str:
        """What the checkout page says is paid."""
        return f"Gold scheme {self.number}, instalment {self.seq}"


def _open_scheme(enrolment: Enrolment, today: date) -> None:
    if enrolment.status != "active" or today >= enrolment.maturity_on:
        raise JewelError(f"Scheme {enrolment.number} takes no more instalments.")


def instalment_quote(
    session: Session, actor: Actor, customer_ids: tuple[int, ...], enrolment_id: int
) -> InstalmentQuote:
    """The next instalment of one of ``customer_ids``' active schemes in the actor's store, priced today;
    NotFound for a scheme that is not theirs, JewelError when it takes no instalment."""
    actor.require(VIEW)
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.store_id != actor.store_id or enrolment.customer_id not in customer_ids:
        raise NotFound("That scheme enrolment does not exist in this store.")
    _open_scheme(enrolment, actor.today())
    due = instalment_due(session, actor, enrolment, actor.today())
    return InstalmentQuote(
        enrolment.id or 0, enrolment.customer_id, enrolment.number, due.instalment.seq, due.total, due.late_fee
    )


def _problem(session: Session, actor: Actor, enrolment: Enrolment | None, payload: dict[str, Any]) -> str:
    """Why the paid order cannot become the instalment's receipt ("" when it can)."""
    if enrolment is None or enrolment.customer_id != int(payload["customer_id"]):
        return "no such scheme of this customer"
    seq = str(payload["reference"]).rpartition("#")[2]
    try:
        _open_scheme(enrolment, date.fromisoformat(str(payload["quoted_on"])))
        due = instalment_due(session, actor, enrolment, date.fromisoformat(str(payload["quoted_on"])))
    except JewelError as exc:
        return exc.message
    if str(due.instalment.seq) != seq:
        return f"instalment {seq} is already paid"
    if due.total != Decimal(str(payload["amount"])):
        return f"the instalment now costs {format_inr(due.total, paise=True)}"
    return ""


def instalment_paid(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """``("payments.order", "paid")``: the receipt of the instalment the order paid (see the module docstring)."""
    if payload.get("purpose") != PURPOSE:
        return
    number = str(payload["reference"]).rpartition("#")[0]
    enrolment = session.scalars(
        select(Enrolment).where(Enrolment.store_id == actor.store_id, Enrolment.number == number).with_for_update()
    ).first()
    problem = _problem(session, actor, enrolment, payload)
    if problem:
        link = f"/loyalty/enrolments/{enrolment.id}" if enrolment else "/loyalty/schemes"
        report_unapplied(session, actor, payload, problem, link)
        return
    quoted_on = date.fromisoformat(str(payload["quoted_on"]))
    collect(session, actor, enrolment, ONLINE, str(payload["payment_id"]), quoted_on, online=True)
