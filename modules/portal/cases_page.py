"""The customer's service cases: each with its shared thread, a reply box while it is not closed, and a form to
open a new case. A staff reply reaches the open page at once (each case's live channel)."""

from __future__ import annotations

import reflex as rx

from jewelerp.auth.pages import form_text
from jewelerp.live import subscribe, unsubscribe
from jewelerp.ui.forms import field, field_error, select_field
from modules.clienteling.api import CASE_KINDS, case_channel
from modules.portal import cases
from modules.portal.access import Customer
from modules.portal.layout import card_list, empty, portal_page, record_card
from modules.portal.state import LoadMixin, PortalState, to_sign_in

PATH = "/portal/cases"


class PortalCasesState(LoadMixin, PortalState):
    """The signed-in customer's cases (``load`` lists them and follows each one live); each case's changes reach
    the page while it is open."""

    cases: list[dict] = []

    def _reload(self, customer: Customer) -> None:
        self.cases = self._portal(customer, cases.case_rows) or []
        for case in self.cases:
            subscribe(self, case_channel(int(case["id"])))

    def _on_live(self, channel: str) -> None:
        """A case changed (a staff reply, a new status): show the cases again while this tab is here, signed in."""
        customer = self._customer()
        if customer is None or not str(self.router.url.path).startswith(PATH):
            unsubscribe(self, channel)
            return
        self.cases = self._portal(customer, cases.case_rows) or []

    @rx.event
    def open_case(self, form: dict):
        """Open a case with the kind, subject and message typed."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        kind, subject = form_text(form, "kind")[:20], form_text(form, "subject")[:300]
        text = form_text(form, "text")[:5000]
        self._change(
            customer,
            lambda s, c: cases.open_case(s, c, kind, subject, text),
            lambda opened: f"Case {opened.number} is open; the store will reply here.",
        )
        return None

    @rx.event
    def reply(self, case_id: str, form: dict):
        """Add a reply to one of the customer's cases; another's case answers "Not found." and is logged."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        text = form_text(form, "reply")[:5000]
        self._change(
            customer,
            lambda s, c: cases.reply(s, c, case_id, text),
            lambda answered: f"Your reply on {answered.number} is sent.",
        )
        return None


def _note(note: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(note["author"].to(str) + " · " + note["at"].to(str), size="1", color_scheme="gray"),
        rx.text(note["text"].to(str), size="2", white_space="pre-wrap"),
        padding="0.4rem 0.6rem",
        border_radius="0.5rem",
        background=rx.cond(note["mine"].to(str) != "", "var(--gold-3)", "var(--gray-3)"),
        margin_left=rx.cond(note["mine"].to(str) != "", "1.5rem", "0"),
    )


def _reply_box(case: rx.Var) -> rx.Component:
    number = case["number"].to(str)
    return rx.form(
        rx.vstack(
            rx.text_area(
                name="reply",
                rows="2",
                width="100%",
                max_length=5000,
                placeholder="Write a reply",
                aria_label="Reply on " + number,
            ),
            rx.button("Send reply", type="submit", size="2", aria_label="Send reply on " + number),
            width="100%",
        ),
        on_submit=lambda form: PortalCasesState.reply(case["id"].to(str), form),
        no_validate=True,
        reset_on_submit=True,
        width="100%",
    )


def _case(case: rx.Var) -> rx.Component:
    return record_card(
        rx.hstack(
            rx.text.strong(case["number"].to(str)),
            rx.spacer(),
            rx.badge(case["status"].to(str), aria_label="Status of " + case["number"].to(str)),
            width="100%",
        ),
        rx.text(case["subject"].to(str), size="2", weight="medium"),
        rx.text(case["kind"].to(str) + ", opened " + case["opened"].to(str), size="1", color_scheme="gray"),
        rx.vstack(
            rx.foreach(case["notes"].to(list[dict[str, str]]), _note),
            spacing="2",
            width="100%",
            aria_label="Messages on " + case["number"].to(str),
        ),
        rx.cond(
            case["open"].to(bool),
            _reply_box(case),
            empty("This case is closed; open a new case if you need more help."),
        ),
    )


def _new_case_form() -> rx.Component:
    return record_card(
        rx.heading("Open a case", size="3", as_="h2"),
        rx.form(
            rx.vstack(
                select_field("What kind of matter?", "kind", [("", "Choose…"), *CASE_KINDS]),
                field("Subject", "subject", max_length=200),
                rx.el.label(rx.text("Your message", size="2", weight="medium"), html_for="field-text"),
                rx.text_area(id="field-text", name="text", rows="4", width="100%", max_length=5000),
                field_error("text"),
                rx.button("Open the case", type="submit"),
                width="100%",
            ),
            on_submit=PortalCasesState.open_case,
            no_validate=True,
            reset_on_submit=True,
            width="100%",
        ),
    )


def cases_page() -> rx.Component:
    """The customer's cases with their threads, newest first, and the form to open one."""
    return portal_page(
        "My cases",
        PortalCasesState,
        rx.text("Replies from the store appear here as they are written.", size="2", color_scheme="gray"),
        card_list(PortalCasesState.cases, _case, "No cases yet."),
        _new_case_form(),
    )
