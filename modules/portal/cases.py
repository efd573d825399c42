"""The signed-in customer's service cases, through clienteling's api: their cases with the shared notes, a new
case, and a reply. Scoped to the customer ids of the signed-in account (from the session, never from the page);
a case id that is not theirs raises :class:`~modules.portal.access.NotYours` ("not found"), which the page logs.
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.errors import JewelError, NotFound, ValidationError
from modules.clienteling import api as clienteling
from modules.portal.access import Customer, NotYours, portal_actor
from modules.portal.records import primary_customer, record_number

CLOSED = "Closed"  # the status label of a case that takes no reply
WHEN = "%d %b %Y %H:%M"


def case_rows(session: Session, customer: Customer) -> list[dict[str, object]]:
    """The customer's cases, newest first: number, kind, subject, status, whether it takes a reply, and the shared
    notes oldest first (``mine`` when the customer wrote it), times in the store's zone."""
    actor = portal_actor(session, customer.store_id, customer.name)
    seen: set[int] = set()
    rows: list[dict[str, object]] = []
    for customer_id in customer.customer_ids:
        for case in clienteling.customer_cases(session, customer_id):
            if case.id in seen:  # two linked profiles merged into one share their cases
                continue
            seen.add(case.id)
            rows.append(
                {
                    "id": str(case.id),
                    "number": case.number,
                    "kind": case.kind,
                    "subject": case.subject,
                    "status": case.status,
                    "open": case.status != CLOSED,
                    "opened": actor.local(case.opened_at).strftime(WHEN),
                    "notes": [
                        {
                            "at": actor.local(n.at).strftime(WHEN),
                            "author": "You" if n.mine else n.author,
                            "text": n.text,
                            "mine": "yes" if n.mine else "",
                        }
                        for n in case.notes
                    ],
                }
            )
    return sorted(rows, key=lambda row: -int(str(row["id"])))


def open_case(session: Session, customer: Customer, kind: str, subject: str, text: str) -> clienteling.PublicCase:
    """Open a case on the account's first customer profile (staff are told)."""
    return clienteling.open_customer_case(session, primary_customer(customer), kind, subject, text)


def reply(session: Session, customer: Customer, case_id: object, text: str) -> clienteling.PublicCase:
    """Add the customer's reply to one of their cases; a closed case takes none."""
    number = record_number(case_id)
    for customer_id in customer.customer_ids:
        try:
            return clienteling.add_customer_reply(session, customer_id, number, text)
        except ValidationError as exc:  # one reply box per case: the message goes to the page, not a field
            raise JewelError(next(iter(exc.fields.values()))) from None
        except NotFound:
            continue
    raise NotYours("case", case_id)
