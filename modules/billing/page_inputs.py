"""Small input helpers shared by the billing pages (invoices, estimates, bookings), and the
new-document form of the invoice and estimate lists."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.errors import ValidationError
from jewelerp.gst import state_options
from jewelerp.validation import MAX_ID, read_int
from modules.billing.models import Invoice
from modules.billing.supply import Recipient

RECIPIENT_FIELDS = (
    "customer_address",
    "customer_state_code",
    "customer_gstin",
    "ship_to_address",
    "ship_to_state_code",
)
NEW_FIELDS = ("customer_name", "customer_id", "customer_pan", *RECIPIENT_FIELDS)
STATE_CHOICES = [("", "Not given"), *state_options()]


def store_state_code(session: Session, actor: Actor) -> str:
    """The GST state code of the actor's store (the customer's state starts as it on the forms)."""
    store = session.get(Store, actor.store_id)
    return store.state_code if store is not None else ""


def recipient_from(form: dict[str, str]) -> Recipient:
    """The customer's address, state, GSTIN and delivery address from a form's fields (checked by the service)."""
    return Recipient(*(str(form.get(key, "")) for key in RECIPIENT_FIELDS))


def customer_number(raw: str) -> int | None:
    """The clienteling customer number typed in the form; empty means a walk-in customer."""
    text = raw.strip().lstrip("#")
    if not text:
        return None
    number = read_int(text, 1, MAX_ID)
    if number is None:
        raise ValidationError({"customer_id": "The customer number is digits only, e.g. 42 (or leave it empty)."})
    return number


class NewDocumentMixin(rx.State, mixin=True):
    """A list page's "new document" form (invoices, estimates): the customer's number, name, PAN, address,
    state, GSTIN and delivery address.

    The page's state also takes ``RecordFormMixin``, ``DataTableMixin`` and ``AppState`` and defines
    ``_start(session, actor, **customer) -> Invoice`` (``create_draft`` or ``create_estimate``).
    """

    store_state: str = ""

    def _start(self, session: Session, actor: Actor, **customer: Any) -> Invoice:
        raise NotImplementedError

    @rx.event
    def open_page(self):
        """Runs after the shell's access check (the manifest's on_load)."""
        self.form_open = False
        self.store_state = self._run(store_state_code, write=False) or ""
        self._load()

    @rx.event
    def new(self) -> None:
        """Open the new-document form, the customer's state set to the store's."""
        self._open_form(0, {"customer_state_code": self.store_state})

    @rx.event
    def create(self, form: dict):
        """Start the draft and open it on the invoice page; on bad input the form keeps what was typed."""
        data = {k: str(form.get(k, "")) for k in NEW_FIELDS}

        def work(session: Session, actor: Actor) -> Invoice:
            return self._start(
                session,
                actor,
                customer_id=customer_number(data["customer_id"]),
                customer_name=data["customer_name"],
                customer_pan=data["customer_pan"],
                recipient=recipient_from(data),
            )

        document = self._run(work)
        if document is None:
            self._keep_typed(form, NEW_FIELDS)
            return None
        self.form_open = False
        return rx.redirect(f"/billing/invoices/{document.id}")
