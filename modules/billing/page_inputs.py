"""Small input helpers shared by the billing pages (invoices, estimates, bookings), and the
new-document form of the invoice and estimate lists."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.errors import ValidationError
from jewelerp.validation import MAX_ID, read_int
from modules.billing.models import Invoice

NEW_FIELDS = ("customer_name", "customer_id", "customer_state", "customer_pan")


def store_state_of(session: Session, actor: Actor) -> str:
    """The state of the actor's store (a customer with no state is taken to be in it)."""
    store = session.get(Store, actor.store_id)
    return store.state if store is not None else ""


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
    """A list page's "new document" form (invoices, estimates): the customer's number, name, state and PAN.

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
        self.store_state = self._run(store_state_of, write=False) or ""
        self._load()

    @rx.event
    def new(self) -> None:
        """Open the new-document form, the customer's state set to the store's."""
        self._open_form(0, {"customer_state": self.store_state})

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
                customer_state=data["customer_state"],
                customer_pan=data["customer_pan"],
            )

        document = self._run(work)
        if document is None:
            self._keep_typed(form, NEW_FIELDS)
            return None
        self.form_open = False
        return rx.redirect(f"/billing/invoices/{document.id}")
