"""The signed-in customer's pages: home, invoices (PDF), pieces, repairs (live), schemes, wish list, occasions and
contact choices. Each handler checks the portal session first and reads only the signed-in customer's records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

import reflex as rx

from jewelerp.auth.pages import form_text
from jewelerp.auth.session_cookie import load_page
from jewelerp.errors import JewelError, ValidationError
from jewelerp.live import subscribe, unsubscribe
from jewelerp.ui.downloads import download_pdf
from jewelerp.ui.forms import field
from modules.portal import identity, payments, records
from modules.portal.access import Customer
from modules.portal.layout import card_list, empty, portal_page, record_card, remove_button
from modules.portal.photos import photo_src
from modules.portal.social_page import sign_in_accounts_card
from modules.portal.state import LoadMixin, PortalState, to_sign_in
from modules.repairs.api import job_channel


class SectionMixin(LoadMixin, mixin=True):
    """A portal section listing the signed-in customer's records of one kind (``reader`` makes the rows)."""

    reader: ClassVar[str]  # the name of the function of modules.portal.records that makes the rows
    rows: list[dict[str, str]] = []

    def _reload(self, customer: Customer) -> None:
        self.rows = self._portal(customer, getattr(records, self.reader)) or []  # type: ignore[attr-defined]


def section(state: type, title: str, row: Callable[[rx.Var], rx.Component], none: str, *above: rx.Component):
    """A portal page listing ``state.rows`` as cards drawn by ``row`` (``none`` when there are none)."""
    return portal_page(
        title,
        state,
        *above,
        card_list(state.rows, row, none),
    )


def entry_form(on_submit: rx.EventHandler, button: str, *fields: rx.Component) -> rx.Component:
    """A form of ``fields`` sent by the ``button``, emptied once sent (the page's message says how it went)."""
    return rx.form(
        rx.vstack(*fields, rx.button(button, type="submit"), width="100%"),
        on_submit=on_submit,
        no_validate=True,
        reset_on_submit=True,
        width="100%",
    )


def _line(label: str, value: rx.Var | str) -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(rx.text(label, size="2", color_scheme="gray", min_width="7rem"), rx.text(value, size="2")),
    )


class PaymentMixin(rx.State, mixin=True):
    """A portal page with "Pay" buttons: the checkout for an amount the store quotes, and what became of the
    payment the customer came back from (``?payment=<token>``)."""

    receipt: dict[str, str] = {}

    def _load_receipt(self, customer: Customer) -> None:
        """The payment named in the address (another customer's answers "Not found." and is logged)."""
        token = str(self.router.url.query_parameters.get("payment", ""))[:64]
        self.receipt = {}
        if token:
            found = self._portal(customer, lambda s, c: payments.payment_receipt(s, c, token))  # type: ignore[attr-defined]
            self.receipt = found or {}

    async def _pay(self, checkout: Callable[[Customer, str], str], record_id: str):
        """Open the order with ``checkout(customer, record_id)`` in a worker thread (the gateway may take seconds;
        no transaction is open meanwhile) and send the browser to its checkout."""
        customer = self._signed_in()  # type: ignore[attr-defined]
        if customer is None:
            return to_sign_in()
        path = await asyncio.to_thread(
            self._guarded,  # type: ignore[attr-defined]
            customer,
            lambda: checkout(customer, record_id),
        )
        if path is None:
            return None
        return load_page(self._backend() + path)  # type: ignore[attr-defined]


def _receipt_card(receipt: rx.Var) -> rx.Component:
    """The payment the customer came back from: paid (with its receipt), still on its way, or failed."""
    return rx.card(
        rx.vstack(
            rx.heading(
                rx.match(
                    receipt["status"],
                    ("paid", "Payment received"),
                    ("failed", "Payment not completed"),
                    ("to_refund", "Already paid: the store will refund this payment"),
                    ("refunded", "Payment refunded"),
                    "Payment on its way",
                ),
                size="3",
                as_="h2",
            ),
            _line("For", receipt["for"]),
            _line("Amount", receipt["amount"]),
            _line("Paid at", receipt["time"]),
            _line("Receipt", receipt["receipt"]),
            _line("Payment id", receipt["payment"]),
            rx.cond(
                receipt["status"] == "pending",
                rx.text("The gateway has not confirmed it yet; reload the page in a minute.", size="2"),
            ),
            spacing="1",
            width="100%",
        ),
        role="status",
        width="100%",
    )


class PortalHomeState(PortalState):
    """The customer's name, store, points and tier."""

    summary: dict[str, str] = {}

    @rx.event
    def load(self):
        """Show the summary of the signed-in customer."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        self.summary = self._portal(customer, records.home) or {}
        return None


def home_page() -> rx.Component:
    """Home: who and where, points and tier, and the sections."""
    s = PortalHomeState.summary
    return portal_page(
        "Welcome",
        PortalHomeState,
        record_card(
            rx.text("Hello ", rx.text.strong(s["name"]), size="3"),
            rx.text("Your store: ", s["store"], size="2"),
        ),
        record_card(
            rx.heading("Loyalty points", size="3", as_="h2"),
            rx.cond(
                s["points"] != "",
                rx.vstack(
                    _line("Points", s["points"]),
                    _line("Worth", s["worth"]),
                    _line("Tier", s["tier"]),
                    _line("Next tier", s["next_tier"]),
                    spacing="1",
                ),
                empty("You are not a member of the store's points program yet."),
            ),
        ),
    )


class PortalInvoicesState(SectionMixin, PortalState):
    """The customer's issued invoices."""

    reader = "invoices"

    @rx.event
    def download(self, invoice_id: str):
        """The PDF of one of the customer's invoices; another's id answers "Not found." and is logged."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        self._clear_messages()
        found = self._portal(customer, lambda s, c: records.invoice_pdf(s, c, invoice_id))
        return download_pdf(found[1], found[0]) if found else None


def invoices_page() -> rx.Component:
    """Invoices, each with its PDF."""

    def row(invoice: rx.Var) -> rx.Component:
        return record_card(
            rx.hstack(rx.text.strong(invoice["number"]), rx.spacer(), rx.badge(invoice["status"]), width="100%"),
            _line("Date", invoice["date"]),
            _line("Total", invoice["total"]),
            rx.button(
                "Download PDF",
                on_click=PortalInvoicesState.download(invoice["id"]),
                size="2",
                variant="soft",
                aria_label="Download PDF of " + invoice["number"],
            ),
        )

    return section(PortalInvoicesState, "Invoices", row, "No invoices yet.")


class PortalPiecesState(SectionMixin, PortalState):
    """The pieces the customer bought."""

    reader = "pieces"


def pieces_page() -> rx.Component:
    """Pieces with a link to each certificate and provenance passport."""

    def row(piece: rx.Var) -> rx.Component:
        return record_card(
            rx.text.strong(piece["description"]),
            _line("SKU", piece["sku"]),
            rx.cond(
                piece["certificate"] != "",
                rx.link("Certificate and provenance", href=piece["certificate"], is_external=True, size="2"),
            ),
        )

    return section(PortalPiecesState, "My pieces", row, "No pieces bought here yet.")


class PortalRepairsState(PaymentMixin, SectionMixin, PortalState):
    """The customer's repair and custom-order jobs; each job's stage moves reach the page as they happen."""

    reader = "jobs"
    photos: dict[str, list[dict[str, str]]] = {}

    def _reload(self, customer: Customer) -> None:
        """The jobs, and the photos the store shared on them (each with the address the browser loads it from)."""
        super()._reload(customer)
        backend = self._backend()
        shared = self._portal(customer, records.job_photos) or {}
        self.photos = {
            job_id: [photo | {"src": photo_src(backend, photo["id"])} for photo in photos]
            for job_id, photos in shared.items()
        }

    @rx.event
    def load(self):
        """List the jobs and listen to each job's own channel; after a payment, show its receipt."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        self._load_receipt(customer)
        self._reload(customer)
        for job in self.rows:
            subscribe(self, job_channel(int(job["id"])))
        return None

    def _on_live(self, channel: str) -> None:
        """A job moved: show the stages again while this tab is on the page and still signed in."""
        customer = self._customer()
        if customer is None or not str(self.router.url.path).startswith("/portal/repairs"):
            unsubscribe(self, channel)
            return
        self._reload(customer)

    @rx.event
    async def pay(self, job_id: str):
        """Go to the checkout for the balance of one of the customer's jobs (the amount is the store's); another
        customer's job answers "Not found." and is logged."""
        return await self._pay(payments.pay_balance, job_id)


def _thumbnail(photo: rx.Var) -> rx.Component:
    """A shared photo, small, opening the whole photo in a new tab; its stage or caption and date below."""
    return rx.vstack(
        rx.link(
            rx.image(
                src=photo["src"],
                alt=photo["alt"],
                width="6rem",
                height="6rem",
                object_fit="cover",
                loading="lazy",
                border_radius="var(--radius-2)",
            ),
            href=photo["src"],
            is_external=True,
        ),
        rx.text(photo["what"], size="1", weight="medium"),
        rx.text(photo["taken"], size="1", color_scheme="gray"),
        spacing="0",
        width="6rem",
        role="listitem",
    )


def _job_photos(job: rx.Var) -> rx.Component:
    """The photos the store shared on ``job``, when it shared any."""
    photos = PortalRepairsState.photos
    thumbnails = rx.flex(rx.foreach(photos[job["id"]], _thumbnail), wrap="wrap", gap="0.75rem", role="list")
    title = rx.text("Photos from the store", size="2", color_scheme="gray")
    return rx.cond(photos.contains(job["id"]), rx.vstack(title, thumbnails, spacing="1", padding_top="0.5rem"))


def repairs_page() -> rx.Component:
    """Repair and custom-order jobs with their stage and the photos the store shared."""

    def row(job: rx.Var) -> rx.Component:
        return record_card(
            rx.hstack(rx.text.strong(job["number"]), rx.spacer(), rx.badge(job["kind"]), width="100%"),
            rx.text(job["item"], size="2"),
            rx.hstack(
                rx.text("Stage", size="2", color_scheme="gray", min_width="7rem"),
                rx.text(job["stage"], size="2", weight="bold", aria_label="Stage of " + job["number"]),
            ),
            _line("Promised for", job["promised"]),
            _line("Balance due", job["balance"]),
            rx.cond(
                job["balance"] != "",
                rx.button(
                    "Pay balance " + job["balance"],
                    on_click=PortalRepairsState.pay(job["id"]),
                    size="2",
                    width="fit-content",
                ),
            ),
            _job_photos(job),
        )

    note = rx.text("Stages change here as the workshop moves your piece.", size="2", color_scheme="gray")
    receipt = rx.cond(PortalRepairsState.receipt, _receipt_card(PortalRepairsState.receipt))
    return section(PortalRepairsState, "Repairs and orders", row, "No repairs or orders.", receipt, note)


class PortalSchemesState(PaymentMixin, PortalState):
    """The customer's gold schemes, and what became of the payment they came back from."""

    schemes: list[dict] = []

    @rx.event
    def load(self):
        """List the signed-in customer's schemes; after a payment, show its receipt."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        self._load_receipt(customer)
        self.schemes = self._portal(customer, records.schemes) or []
        return None

    @rx.event
    async def pay(self, enrolment_id: str):
        """Go to the checkout for the next instalment of one of the customer's schemes (the amount is the
        store's quote); another customer's scheme answers "Not found." and is logged."""
        return await self._pay(payments.pay_instalment, enrolment_id)


def schemes_page() -> rx.Component:
    """Schemes with what was paid, the next instalment and every instalment."""

    def instalment(i: rx.Var) -> rx.Component:
        return rx.hstack(
            rx.text(i["seq"].to(str) + ".", size="1", min_width="1.5rem"),
            rx.text(i["due"].to(str), size="1", min_width="6rem"),
            rx.text(i["amount"].to(str), size="1", min_width="5rem"),
            rx.text(i["status"].to(str), size="1"),
        )

    def row(scheme: rx.Var) -> rx.Component:
        return record_card(
            rx.hstack(
                rx.text.strong(scheme["scheme"].to(str)), rx.spacer(), rx.badge(scheme["status"].to(str)), width="100%"
            ),
            _line("Number", scheme["number"].to(str)),
            _line("Paid so far", scheme["paid"].to(str)),
            _line("Balance today", scheme["value"].to(str)),
            _line("Next due", scheme["next_due"].to(str)),
            _line("Next amount", scheme["next_amount"].to(str)),
            rx.cond(
                scheme["can_pay"].to(str) != "",
                rx.button(
                    "Pay instalment " + scheme["next_amount"].to(str),
                    on_click=PortalSchemesState.pay(scheme["id"].to(str)),
                    size="2",
                    width="fit-content",
                ),
            ),
            rx.el.details(
                rx.el.summary("Instalments"),
                rx.vstack(rx.foreach(scheme["instalments"].to(list[dict[str, str]]), instalment), spacing="1"),
            ),
        )

    return portal_page(
        "Gold schemes",
        PortalSchemesState,
        rx.cond(PortalSchemesState.receipt, _receipt_card(PortalSchemesState.receipt)),
        card_list(PortalSchemesState.schemes, row, "No gold schemes."),
    )


class PortalWishlistState(SectionMixin, PortalState):
    """The customer's wish list."""

    reader = "wishes"

    @rx.event
    def add(self, form: dict):
        """Add words to the wish list."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        text = form_text(form, "wish_text")[:400]
        self._change(customer, lambda s, c: records.add_wish(s, c, text) or True, lambda _: "Added to your wish list.")
        return None

    @rx.event
    def remove(self, wish_id: str):
        """Take a wish off the list; another customer's wish answers "Not found." and is logged."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        done = "Removed from your wish list."
        self._change(customer, lambda s, c: records.remove_wish(s, c, wish_id) or True, lambda _: done)
        return None


def wishlist_page() -> rx.Component:
    """The wish list with a form to add to it."""

    def row(wish: rx.Var) -> rx.Component:
        return record_card(
            rx.text(wish["text"], size="2"),
            rx.hstack(
                rx.text("Added " + wish["added"], size="1", color_scheme="gray"),
                rx.spacer(),
                remove_button("Remove", PortalWishlistState.remove(wish["id"]), "Remove " + wish["text"]),
                width="100%",
            ),
        )

    form = entry_form(
        PortalWishlistState.add, "Add to wish list", field("What would you like?", "wish_text", max_length=300)
    )
    return section(PortalWishlistState, "Wish list", row, "Nothing on your wish list yet.", form)


class PortalOccasionsState(SectionMixin, PortalState):
    """The family occasions the customer told the store."""

    reader = "occasions"

    @rx.event
    def add(self, form: dict):
        """Remember an occasion every year."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        label, on = form_text(form, "occasion_label")[:200], form_text(form, "occasion_date")[:20]
        self._change(customer, lambda s, c: records.add_occasion(s, c, label, on) or True, lambda _: "Occasion saved.")
        return None


def occasions_page() -> rx.Component:
    """Occasions with a form to add one."""

    def row(occasion: rx.Var) -> rx.Component:
        return record_card(
            rx.hstack(rx.text.strong(occasion["when"]), rx.text(occasion["what"], size="2"), spacing="3", wrap="wrap")
        )

    form = entry_form(
        PortalOccasionsState.add,
        "Save occasion",
        field("Occasion", "occasion_label", max_length=120, placeholder="Daughter's birthday"),
        field("Date", "occasion_date", type="date"),
    )
    return section(PortalOccasionsState, "Family occasions", row, "No occasions yet.", form)


class PortalConsentState(LoadMixin, PortalState):
    """The customer's contact choices, and their phone to confirm for SMS sign-in."""

    consents: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    phone: str = ""
    phone_confirmed: bool = False
    phone_code_sent: bool = False

    def _reload(self, customer: Customer) -> None:
        self.consents = self._portal(customer, records.consents) or []
        self.history = self._portal(customer, records.consent_history) or []
        self.phone, self.phone_confirmed = customer.phone, customer.phone_confirmed

    @rx.event
    def change(self, channel: str, wanted: bool):
        """Give or withdraw consent to one channel; the time of the change is kept."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        changed = self._portal(
            customer, lambda s, c: records.set_consent(s, c, str(channel), wanted is True), write=True
        )
        if changed is not None:
            self._say("Your choice is saved.")
            self._reload(customer)
        return None

    @rx.event
    async def send_phone_code(self):
        """Text a code to the account's phone, to confirm it."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        self._clear_messages()
        try:
            await asyncio.to_thread(
                identity.request_code,
                customer.store_id,
                "sms",
                customer.phone,
                self._client_ip(),
                account_id=customer.account_id,
            )
        except (ValidationError, JewelError) as exc:
            self._say(exc.message, ok=False)
            return None
        self.phone_code_sent = True
        self._say("We have sent a code to your mobile.")
        return None

    @rx.event
    async def confirm_phone(self, form: dict):
        """Check the code: the phone may then sign in, and the store's profiles with it are linked."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        self._clear_messages()
        code = form_text(form, "phone_code")[:12]
        try:
            await asyncio.to_thread(identity.confirm_phone, customer.account_id, code, self._client_ip())
        except ValidationError as exc:
            self.errors = exc.fields
            return None
        self.phone_code_sent, self.phone_confirmed = False, True
        self._say("Your mobile number is confirmed; you can sign in with it.")
        return None


def _consent_change(change: rx.Var) -> rx.Component:
    """One change of the customer's contact choices: when, the channel, and on or off."""
    return rx.el.li(
        rx.hstack(
            rx.text(change["when"], size="1", color_scheme="gray", min_width="8.5rem"),
            rx.text(change["label"] + ": ", rx.text.strong(change["state"]), size="2"),
            align="baseline",
            wrap="wrap",
            spacing="2",
        ),
    )


def consent_page() -> rx.Component:
    """Contact choices, each with when it was last set, their latest changes, and the phone confirmation."""

    def row(choice: rx.Var) -> rx.Component:
        return rx.el.label(
            rx.hstack(
                rx.checkbox(
                    checked=choice["on"] != "",
                    on_change=lambda wanted: PortalConsentState.change(choice["channel"], wanted),
                ),
                rx.text(choice["label"], size="2"),
                rx.text(rx.cond(choice["since"] != "", "since " + choice["since"], ""), size="1", color_scheme="gray"),
                align="center",
                wrap="wrap",
            )
        )

    phone = record_card(
        rx.heading("Mobile number", size="3", as_="h2"),
        rx.cond(
            PortalConsentState.phone == "",
            empty("You gave no mobile number when you registered."),
            rx.vstack(
                rx.text(PortalConsentState.phone, size="2"),
                rx.cond(
                    PortalConsentState.phone_confirmed,
                    rx.badge("Confirmed: you can sign in with it", color_scheme="green"),
                    rx.cond(
                        PortalConsentState.phone_code_sent,
                        entry_form(
                            PortalConsentState.confirm_phone,
                            "Confirm my number",
                            field("Code from the SMS", "phone_code", input_mode="numeric", max_length=6),
                        ),
                        rx.button("Text me a code to confirm it", on_click=PortalConsentState.send_phone_code),
                    ),
                ),
            ),
        ),
    )
    return portal_page(
        "My choices",
        PortalConsentState,
        record_card(
            rx.heading("The store may contact me by", size="3", as_="h2"),
            rx.foreach(PortalConsentState.consents, row),
        ),
        record_card(
            rx.heading("Your latest changes", size="3", as_="h2"),
            rx.cond(
                PortalConsentState.history,
                rx.el.ul(
                    rx.foreach(PortalConsentState.history, _consent_change), list_style="none", padding="0", margin="0"
                ),
                empty("You have not changed your choices yet."),
            ),
        ),
        phone,
        sign_in_accounts_card(),
    )
