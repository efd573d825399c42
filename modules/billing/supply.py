"""Who an invoice is for, where its goods go, and its place of supply (which decides CGST + SGST or IGST).

**The recipient** (CGST Rules 2017, Rule 46(d)-(f)): the customer's address, state (a GST state code chosen
from :func:`jewelerp.gst.state_options`, never typed), GSTIN when the buyer is registered (B2B), and the
delivery address and state when the goods are delivered somewhere else. A GSTIN must be valid and belong to
the customer's state (:func:`jewelerp.gst.gstin_problem`: format, mod-36 check character, first two digits);
when no state is chosen, a GSTIN gives it.

**The place of supply** (:func:`place_of_supply`, the only place the rule lives):

1. A registered buyer (GSTIN given): the state of its GSTIN. It carries the goods to its registered place of
   business, or has them delivered on its direction: IGST Act 2017 s.10(1)(a) (movement "by the supplier or
   the recipient" ends there) and s.10(1)(b) (bill-to-ship-to: the buyer who directs the delivery is deemed
   to receive the goods at its principal place of business); for services s.12(2)(a), the location of the
   registered recipient. Its input tax credit needs exactly this place of supply.
2. An unregistered buyer whose goods are delivered to an address (ship-to): the delivery state, IGST Act
   s.10(1)(ca) read with CBIC Circular 209/3/2024-GST (the delivery address recorded on the invoice is the
   recipient's address for the place of supply).
3. Otherwise, an over-the-counter sale: the store's state, whatever the customer's home state. The goods are
   delivered at the counter, and the counter is the delivery address recorded on the invoice (s.10(1)(ca) with
   Circular 209/3/2024-GST; s.10(1)(c) before it). See docs/compliance.md for the reading and its limits.

A sale is inter-state (IGST, IGST Act s.7(1)) when its place of supply is not the store's state, within the
state (CGST + SGST, s.8(1)) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from jewelerp.gst import RETIRED, STATES, gstin_problem, state_name
from jewelerp.validation import check_lengths
from modules.billing.models import Invoice

RECIPIENT_LABELS = {
    "customer_address": "The customer's address",
    "ship_to_address": "The delivery address",
}
STATE_MESSAGE = "Choose the state from the list."


class Supplied(Protocol):
    """What the place of supply is read from: an invoice (or estimate) and its recipient's details."""

    customer_state_code: str
    customer_gstin: str
    ship_to_state_code: str


@dataclass(frozen=True)
class Recipient:
    """The customer's details on an invoice as entered: address, state code, GSTIN, and the delivery address."""

    address: str = ""
    state_code: str = ""
    gstin: str = ""
    ship_to_address: str = ""
    ship_to_state_code: str = ""

    def cleaned(self) -> Recipient:
        """Spaces tidied, the GSTIN in capitals, and the customer's state taken from the GSTIN when not chosen."""
        gstin = self.gstin.strip().upper()
        state = self.state_code.strip() or (gstin[:2] if gstin[:2] in STATES else "")
        return Recipient(
            address=" ".join(self.address.split()),
            state_code=state,
            gstin=gstin,
            ship_to_address=" ".join(self.ship_to_address.split()),
            ship_to_state_code=self.ship_to_state_code.strip(),
        )


NO_RECIPIENT = Recipient()  # a walk-in at the counter: no address, state, GSTIN or delivery recorded


def recipient_of(invoice: Invoice) -> Recipient:
    """The recipient details an invoice (or estimate, or booking's invoice) carries."""
    return Recipient(
        invoice.customer_address,
        invoice.customer_state_code,
        invoice.customer_gstin,
        invoice.ship_to_address,
        invoice.ship_to_state_code,
    )


def _state_problem(code: str) -> str | None:
    return STATE_MESSAGE if code and (code not in STATES or code in RETIRED) else None


def check_recipient(recipient: Recipient, errors: dict[str, str]) -> Recipient:
    """The cleaned recipient; its problems go into ``errors`` keyed by the invoice's field names."""
    data = recipient.cleaned()
    if problem := _state_problem(data.state_code):
        errors["customer_state_code"] = problem
    if problem := _state_problem(data.ship_to_state_code):
        errors["ship_to_state_code"] = problem
    if data.gstin and (problem := gstin_problem(data.gstin, data.state_code)):
        errors["customer_gstin"] = problem
    if data.ship_to_address and not data.ship_to_state_code:
        errors["ship_to_state_code"] = "Choose the state the goods are delivered to."
    elif data.ship_to_state_code and not data.ship_to_address:
        errors["ship_to_address"] = "Enter the address the goods are delivered to, or no delivery state."
    texts = {"customer_address": data.address, "ship_to_address": data.ship_to_address}
    check_lengths(Invoice, texts, errors, RECIPIENT_LABELS)
    return data


def write_recipient(invoice: Invoice, recipient: Recipient) -> None:
    """Put checked recipient details on an invoice (the place of supply is worked out by the caller)."""
    invoice.customer_address, invoice.customer_state_code = recipient.address, recipient.state_code
    invoice.customer_gstin = recipient.gstin
    invoice.ship_to_address, invoice.ship_to_state_code = recipient.ship_to_address, recipient.ship_to_state_code


def place_of_supply(store_state_code: str, invoice: Supplied) -> str:
    """The GST state code of the invoice's place of supply (IGST Act 2017 s.10(1) and s.12(2); see the module)."""
    if invoice.customer_gstin:
        return invoice.customer_gstin[:2]
    if invoice.ship_to_state_code:
        return invoice.ship_to_state_code
    return store_state_code


def is_inter_state(store_state_code: str, place: str) -> bool:
    """Whether a supply from the store's state to ``place`` is inter-state (IGST Act 2017 s.7(1), s.8(1))."""
    return bool(place) and place != store_state_code


def state_label(code: str, typed: str = "") -> str:
    """ "27 · Maharashtra" for a state code; the state as typed on records from before the list; else ""."""
    return f"{code} · {state_name(code)}" if code in STATES else " ".join(typed.split())


def registered(invoice: Supplied) -> bool:
    """Whether the buyer is registered (its GSTIN is on the invoice): a B2B supply."""
    return bool(invoice.customer_gstin)
