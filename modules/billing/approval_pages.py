"""The approval pages: drafts waiting for a manager (``/billing/approvals``), and the approval part of the
invoice page (why a draft needs approval, asking for it, approving or rejecting it with a note).

:class:`InvoiceApprovalMixin` joins the invoice page's state, which provides ``_id()``, ``_run``,
``_say``, ``_after``, ``version`` and the ``invoice`` display dict; :func:`approval_panel` is its card.
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import ValidationError
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.billing import approvals
from modules.billing.invoice_tables import APPROVALS, invoice_label
from modules.billing.models import Invoice

LABELS = {
    "": "Needs a manager's approval",
    "pending": "Waiting for a manager's approval",
    "approved": "Approved",
    "rejected": "Rejected",
}


def _approval_data(session: Session, actor: Actor, invoice_id: int) -> dict[str, str]:
    """What the invoice page shows about the invoice's approval (``show`` is "" when there is nothing)."""
    invoice, needed = approvals.approval_of(session, actor, invoice_id)  # checks the permission and the store
    return {
        "show": "yes" if invoice.kind == "invoice" and (needed or invoice.approval) else "",
        "state": invoice.approval,
        "label": LABELS.get(invoice.approval, invoice.approval),
        "reason": needed or invoice.approval_reason,
        "needed": "yes" if needed else "",
        "decided": (
            f"By {invoice.approval_by} on {actor.local(invoice.approval_at):%d %b %Y %H:%M}"
            if invoice.approval_at
            else ""
        ),
        "note": invoice.approval_note,
        "may_decide": "yes" if actor.can(approvals.APPROVE) else "",
        "own": "yes" if invoice.created_by == actor.user_name else "",
    }


def _decide(state: AppState, invoice_id: int, approve: bool, note: str) -> Invoice | None:
    """Approve or reject one draft as the signed-in manager and say so; a missing note becomes the page's
    message (the note box is not a form field that could show it)."""

    def work(session: Session, actor: Actor) -> Invoice:
        if approve:
            return approvals.approve(session, actor, invoice_id, note)
        return approvals.reject(session, actor, invoice_id, note)

    try:
        invoice = state._run(work, reraise=ValidationError)
    except ValidationError as exc:
        state._say(exc.message, ok=False)
        return None
    if invoice is not None:
        state._say(f"{invoice_label(invoice)} {invoice.approval}.")
    return invoice


class InvoiceApprovalMixin(rx.State, mixin=True):
    """Ask for, give or refuse approval on the invoice page (the state it joins provides ``_id()`` and ``_run``)."""

    approval: dict[str, str] = {}
    approval_note: str = ""

    def _load_approval(self, invoice_id: int) -> None:
        data = self._run(lambda s, a: _approval_data(s, a, invoice_id), write=False)  # type: ignore[attr-defined]
        self.approval, self.approval_note = data or {}, ""

    @rx.event
    def set_approval_note(self, value: str) -> None:
        """Keep the note typed for the decision."""
        self.approval_note = value

    @rx.event
    def ask_approval(self) -> None:
        """Ask a manager to approve this draft."""
        invoice_id = self._id()  # type: ignore[attr-defined]
        asked = self._run(  # type: ignore[attr-defined]
            lambda s, a: approvals.request_approval(s, a, invoice_id),
            done="Approval requested: the draft waits for a manager.",
        )
        self._after(asked)  # type: ignore[attr-defined]

    @rx.event
    def decide(self, approve: bool) -> None:
        """Approve (True) or reject (False) this draft with the note typed."""
        invoice = _decide(self, self._id(), approve, self.approval_note)  # type: ignore[arg-type, attr-defined]
        self._after(invoice)  # type: ignore[attr-defined]


def _decide_form(state: Any, reject: rx.Var) -> rx.Component:
    """The note and the Approve (and Reject) buttons; remounted with the page so the note starts empty."""
    return rx.flex(
        rx.box(
            rx.input(
                placeholder="Note (required to reject)",
                aria_label="Approval note",
                on_change=state.set_approval_note,
                key=state.version.to_string(),
                width="100%",
            ),
            min_width="16em",
            flex="1",
        ),
        rx.button(rx.icon("check", size=16), "Approve", color_scheme="green", on_click=state.decide(True)),
        rx.cond(
            reject,
            rx.button(
                rx.icon("x", size=16), "Reject", color_scheme="red", variant="soft", on_click=state.decide(False)
            ),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        width="100%",
    )


def approval_panel(state: Any) -> rx.Component:
    """The invoice page's approval card: status, reason, who decided, and the actions open to the viewer."""
    info = state.approval
    draft = state.invoice["status"] == "draft"
    open_to_decide = draft & (info["needed"] == "yes") & (info["may_decide"] == "yes")
    pending = info["state"] == "pending"
    return rx.cond(
        info["show"] == "yes",
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.heading("Approval", size="4"),
                    rx.badge(
                        info["label"],
                        color_scheme=rx.match(info["state"], ("approved", "green"), ("rejected", "red"), "amber"),
                        size="2",
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(info["reason"], size="2"),
                rx.cond(
                    info["decided"] != "",
                    rx.text(
                        info["decided"],
                        rx.cond(info["note"] != "", ": " + info["note"], ""),
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                rx.cond(
                    draft & (info["needed"] == "yes") & (info["state"] == "") & (info["may_decide"] != "yes"),
                    rx.flex(
                        rx.button(rx.icon("send", size=16), "Request approval", on_click=state.ask_approval),
                        rx.text("A manager approves it on the Approvals page; then it can be issued.", size="1"),
                        spacing="3",
                        align="center",
                        wrap="wrap",
                    ),
                ),
                rx.cond(
                    open_to_decide & (pending | ((info["state"] == "") & (info["own"] == "yes"))),
                    _decide_form(state, pending),
                ),
                rx.cond(
                    draft & (info["state"] == "rejected"),
                    rx.text("Change the lines to ask for approval again.", size="1"),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


# ---------------------------------------------------------------------------- the list


class ApprovalsState(DataTableMixin, AppState):
    """One page of the store's drafts waiting for approval, with a note per row."""

    spec: ClassVar[TableSpec] = APPROVALS
    notes: dict[str, str] = {}

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check (the manifest's on_load)."""
        self.notes = {}
        self._load()

    @rx.event
    def set_note(self, invoice_id: str, value: str) -> None:
        """Keep the note typed on one row."""
        self.notes = {**self.notes, invoice_id: value}

    @rx.event
    def decide(self, invoice_id: str, approve: bool) -> None:
        """Approve (True) or reject (False) one draft with its row's note."""
        number = int(invoice_id) if str(invoice_id).isdigit() else 0
        if _decide(self, number, approve, self.notes.get(invoice_id, "")) is not None:
            self.notes = {k: v for k, v in self.notes.items() if k != invoice_id}
            self._refresh()


def _row_actions(row: Any) -> rx.Component:
    return rx.vstack(
        rx.input(
            placeholder="Note",
            aria_label="Note for " + row["number"],
            key=row["id"],
            on_change=lambda value: ApprovalsState.set_note(row["id"], value),
            size="1",
            width="100%",
        ),
        rx.hstack(
            rx.button(
                "Approve",
                size="1",
                color_scheme="green",
                on_click=ApprovalsState.decide(row["id"], True),
                aria_label="Approve " + row["number"],
            ),
            rx.button(
                "Reject",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=ApprovalsState.decide(row["id"], False),
                aria_label="Reject " + row["number"],
            ),
            spacing="2",
        ),
        spacing="2",
        min_width="9.5em",
    )


def approvals_page() -> rx.Component:
    """Drafts waiting for a manager's approval (``/billing/approvals``)."""
    return shell(
        rx.vstack(
            rx.text(
                "Drafts with a discount above the store's limit, or a total above its approval amount, wait here. "
                "A note is required to reject; an approved draft can be issued at the counter.",
                size="2",
                color_scheme="gray",
            ),
            data_table(ApprovalsState, link_column="number", row_actions=_row_actions),
            spacing="4",
            width="100%",
        ),
        "Approvals",
    )
