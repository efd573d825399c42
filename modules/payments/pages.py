"""The payment orders page (managers): every online payment order of the store, newest first, filtered by status
and date range, with the "refund needed" ones flagged and a form to mark one refunded once the manager refunded
it at the gateway's dashboard. Every handler checks the session and the permission before it reads anything."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.auth.pages import form_text
from jewelerp.errors import JewelError, SessionEnded
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.payments.order_list import DATE_FROM, DATE_TO, PAYMENT_ORDERS, REFUND, VIEW, filter_day, refunds_due
from modules.payments.refunds import NOTE_MAX, mark_refunded

TITLE = "Payment orders"
HOW_TO_REFUND = (
    '"Refund needed" marks a payment that came in for something already paid (a second tab, a second click on '
    "another day): nothing was taken for it. Refund it on the payment gateway's dashboard (Razorpay: Transactions › "
    "Payments › the payment id › Refund), then mark it refunded here with the gateway's refund id."
)


class PaymentOrdersTable(DataTableMixin, AppState):
    """One page of the store's payment orders, the date range typed, and the order being marked refunded."""

    spec: ClassVar[TableSpec] = PAYMENT_ORDERS
    can_refund: bool = False
    date_from: str = ""
    date_to: str = ""
    refunding: dict[str, str] = {}  # the row whose refund is being recorded ({} when the form is closed)
    refund_count: int = 0  # the store's payments waiting for a refund, whatever the filters

    def _refresh(self) -> None:
        super()._refresh()
        self.refund_count = self._run(refunds_due, write=False) or 0

    def _allowed(self, permission: str = VIEW) -> bool:
        """Whether the signed-in person may do this here (an ended session raises first); says why not."""
        try:
            actor = self._actor()
            actor.require(permission)
        except SessionEnded:  # the app's exception handler sends the browser to the sign-in page
            raise
        except JewelError as exc:
            self.rows, self.total, self.refunding, self.refund_count = [], 0, {}, 0
            self._say(exc.message, ok=False)
            return False
        self.can_refund = actor.can(REFUND)
        return True

    @rx.event
    def load(self) -> None:
        """The first page, newest first; ``?status=to_refund`` in the address starts filtered."""
        if not self._allowed():
            return
        self._clear_messages()
        self.refunding, self.date_from, self.date_to = {}, "", ""
        self._load()

    @rx.event
    def set_filter(self, key: str, value: str) -> None:
        """Apply the status filter."""
        if not self._allowed():
            return
        if key == "status" and isinstance(value, str) and len(value) <= 20:
            self.filters = {**self.filters, "status": value}
            self.page = 0
            self._refresh()

    @rx.event
    def set_date(self, key: str, value: str) -> None:
        """Apply the first or last day of the date range (``2026-12-07``; empty: no limit)."""
        if not self._allowed():
            return
        if key not in (DATE_FROM, DATE_TO) or not isinstance(value, str):
            return
        day = filter_day(value)
        shown = day.isoformat() if day else ""
        if key == DATE_FROM:
            self.date_from = shown
        else:
            self.date_to = shown
        self.filters = {**self.filters, key: shown}
        self.page = 0
        self._refresh()

    @rx.event
    def start_refund(self, order_id: str) -> None:
        """Open the "mark refunded" form for one order shown on this page."""
        if not self._allowed(REFUND):
            return
        self._clear_messages()
        self.refunding = next((r for r in self.rows if r["id"] == str(order_id) and r["refund_needed"]), {})

    @rx.event
    def cancel_refund(self) -> None:
        """Close the form."""
        self.refunding = {}

    @rx.event
    def save_refund(self, form: dict) -> None:
        """Record the refund of the order in the form with the manager's note; audit-logged."""
        if not self._allowed(REFUND):
            return
        order_id = self.refunding.get("id", "")
        note = form_text(form, "refund_note")[: NOTE_MAX * 2] if isinstance(form, dict) else ""
        done = self._run(lambda s, a: mark_refunded(s, a, order_id, note))
        if done is None:
            return
        self._say(f"Payment {self.refunding.get('payment', '')} is marked refunded.")
        self.refunding = {}
        self._refresh()


def _row_actions(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["refund_needed"] != "",
        rx.hstack(
            rx.badge("Refund needed", color_scheme="red", variant="solid"),
            rx.cond(
                PaymentOrdersTable.can_refund,
                rx.button(
                    "Mark refunded",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=PaymentOrdersTable.start_refund(row["id"]),
                    aria_label="Mark refunded: " + row["payment"],
                ),
            ),
            align="center",
        ),
    )


def _date_range() -> rx.Component:
    def day(label: str, key: str, value: rx.Var) -> rx.Component:
        return rx.el.label(
            rx.hstack(
                rx.text(label, size="2"),
                rx.input(type="date", value=value, on_change=lambda v: PaymentOrdersTable.set_date(key, v)),
                align="center",
                spacing="1",
            )
        )

    return rx.hstack(
        day("From", DATE_FROM, PaymentOrdersTable.date_from),
        day("To", DATE_TO, PaymentOrdersTable.date_to),
        spacing="2",
        wrap="wrap",
    )


def _refund_form() -> rx.Component:
    row = PaymentOrdersTable.refunding
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Mark refunded", size="3"),
                rx.text(
                    row["amount"],
                    " paid by ",
                    row["customer"],
                    " for ",
                    row["purpose"],
                    " (",
                    row["payment"],
                    ").",
                    size="2",
                ),
                rx.text("Refund it on the gateway's dashboard first; this only records that you did.", size="2"),
                field("Refund note", "refund_note", hint="The gateway's refund id, or how the money went back"),
                rx.hstack(
                    rx.button("Mark refunded", type="submit", color_scheme="red"),
                    rx.button("Cancel", type="button", variant="soft", on_click=PaymentOrdersTable.cancel_refund),
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=PaymentOrdersTable.save_refund,
            no_validate=True,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
    )


def _refunds_due() -> rx.Component:
    count = PaymentOrdersTable.refund_count
    return rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert")),
        rx.callout.text(
            rx.cond(count == 1, "1 payment needs a refund. ", count.to_string() + " payments need a refund. "),
            rx.button(
                "Show them",
                size="1",
                variant="solid",  # a soft red button on the red callout is below AA contrast
                color_scheme="red",
                on_click=PaymentOrdersTable.set_filter("status", "to_refund"),
            ),
        ),
        color_scheme="red",
        width="100%",
    )


def orders_page() -> rx.Component:
    """The store's payment orders."""
    return shell(
        rx.vstack(
            rx.callout.root(
                rx.callout.icon(rx.icon("info")),
                rx.callout.text(HOW_TO_REFUND),
                color_scheme="amber",
                width="100%",
            ),
            rx.cond(PaymentOrdersTable.refund_count > 0, _refunds_due()),
            rx.cond(PaymentOrdersTable.refunding, _refund_form()),
            data_table(PaymentOrdersTable, row_actions=_row_actions, toolbar=_date_range()),
            spacing="4",
            width="100%",
        ),
        TITLE,
    )
