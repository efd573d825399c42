"""The gold savings scheme pages.

- ``/loyalty/schemes``: the store's enrolments with a status filter and Excel export, and the enrol form.
- ``/loyalty/enrolments/[enrolment_id]``: one enrolment: schedule, receipts (PDF), redemptions, pay the next
  instalment, foreclose. The PAN is masked (``••••••234F``) for staff without ``clienteling.customer.pii``.
- ``/loyalty/schemes-maturing``: schemes maturing this month (store dates), exportable.
- ``/loyalty/scheme-liability``: what the store owes on active and matured schemes, in rupees (a grams
  scheme at what was paid and at today's rate) and grams, with one exportable row per scheme.
- ``/loyalty/scheme-templates``: scheme setup for managers.

:func:`schemes_panel` and :func:`member_schemes` give the member page its schemes card.
"""

from __future__ import annotations

import calendar
from io import BytesIO
from typing import Any, ClassVar

import reflex as rx
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import Select, select
from sqlalchemy.orm import object_session
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import Store
from jewelerp.errors import NotFound
from jewelerp.masking import mask_pan
from jewelerp.money import format_inr
from jewelerp.pdf_fonts import document_fonts
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.downloads import download_pdf
from jewelerp.ui.forms import fact, field, select_field
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from modules.billing.api import METHOD_OPTIONS, METHODS, REFERENCE_HINT
from modules.clienteling.api import PII
from modules.loyalty import schemes
from modules.loyalty.models import Enrolment, SchemeInstalment, SchemeRedemption, SchemeTemplate
from modules.stock.api import list_metals, metal_label

STATUS_LABELS = dict(schemes.STATUSES)
NO_RATE = "No rate today"
STATUS_COLOURS = (("active", "blue"), ("matured", "green"), ("redeemed", "gray"), ("lapsed", "red"))
ENROL_FIELDS = ("template_id", "customer_id", "nominee_name", "nominee_relation", "pan", "id_kind", "id_number")
TEMPLATE_FIELDS = (
    "name",
    "unit",
    "instalment",
    "instalment_grams",
    "months",
    "bonus_kind",
    "bonus_value",
    "grace_days",
    "max_missed",
    "metal_id",
    "foreclosure_deduction_pct",
)
ID_OPTIONS = [(key, label) for key, (label, _pattern, _hint) in schemes.ID_KINDS.items()]


def _money(amount: Any) -> str:
    return format_inr(amount, paise=True)


def _grams(value: Any) -> str:
    return f"{value:.3f} g" if value else ""


def _template_names(session: Session, actor: Actor) -> list[tuple[str, str]]:
    return [(str(t.id), t.name) for t in schemes.list_templates(session, actor)]


# ---------------------------------------------------------------------------- lists


def _enrolments(actor: Actor, q: TableQuery) -> Select:
    stmt = select(Enrolment, SchemeTemplate.name).join(SchemeTemplate, SchemeTemplate.id == Enrolment.template_id)
    stmt = stmt.where(Enrolment.store_id == actor.store_id)
    if q.filters.get("status") in STATUS_LABELS:
        stmt = stmt.where(Enrolment.status == q.filters["status"])
    if str(q.filters.get("template", "")).isdigit():
        stmt = stmt.where(Enrolment.template_id == int(q.filters["template"]))
    return stmt


def _enrolment_row(r: Any, actor: Actor) -> dict[str, Any]:
    enrolment, scheme = r
    return {
        "number": enrolment.number,
        "_link": f"/loyalty/enrolments/{enrolment.id}",
        "customer": enrolment.customer_name,
        "scheme": scheme,
        "started": enrolment.start_on,
        "matures": enrolment.maturity_on,
        "paid": enrolment.paid,
        "grams": enrolment.grams or None,
        "status": STATUS_LABELS.get(enrolment.status, enrolment.status),
    }


ENROLMENT_COLUMNS = (
    Column("number", "Number"),
    Column("customer", "Customer"),
    Column("scheme", "Scheme"),
    Column("started", "Started", kind=Kind.DATE),
    Column("matures", "Matures", kind=Kind.DATE),
    Column("paid", "Paid", sortable=False, kind=Kind.MONEY),
    Column("grams", "Grams", sortable=False, kind=Kind.WEIGHT),
    Column("status", "Status", sortable=False),
)
SORTS = {
    "number": Enrolment.number,
    "customer": Enrolment.customer_name,
    "scheme": SchemeTemplate.name,
    "started": Enrolment.start_on,
    "matures": Enrolment.maturity_on,
}
SCHEMES = TableSpec(
    name="scheme-enrolments",
    title="Gold scheme enrolments",
    permission=schemes.VIEW,
    columns=ENROLMENT_COLUMNS,
    base=_enrolments,
    row=_enrolment_row,
    sort_columns=SORTS,
    default_sort="started",
    newest_first=True,
    filters=(
        Filter("status", "Statuses", schemes.STATUSES),
        Filter("template", "Schemes", options_loader=_template_names),
    ),
    search_columns=(Enrolment.number, Enrolment.customer_name),
)


def _maturing(actor: Actor, q: TableQuery) -> Select:
    today = actor.today()
    first, last = today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return _enrolments(actor, q).where(
        Enrolment.maturity_on >= first, Enrolment.maturity_on <= last, Enrolment.status.in_(schemes.OPEN)
    )


MATURING = TableSpec(
    name="schemes-maturing",
    title="Schemes maturing this month",
    permission=schemes.VIEW,
    columns=ENROLMENT_COLUMNS,
    base=_maturing,
    row=_enrolment_row,
    sort_columns=SORTS,
    default_sort="matures",
    search_columns=(Enrolment.number, Enrolment.customer_name),
)


def _owed(actor: Actor, q: TableQuery) -> Select:
    stmt = select(Enrolment, SchemeTemplate).join(SchemeTemplate, SchemeTemplate.id == Enrolment.template_id)
    return stmt.where(Enrolment.store_id == actor.store_id, Enrolment.status.in_(schemes.OPEN))


def _owed_row(r: Any, actor: Actor) -> dict[str, Any]:
    enrolment, template = r
    rate = schemes.rate_for_liability(object_session(enrolment), actor, template)  # the page's own session
    owed = schemes.scheme_liability(template, enrolment, rate)
    return {
        "number": enrolment.number,
        "_link": f"/loyalty/enrolments/{enrolment.id}",
        "customer": enrolment.customer_name,
        "scheme": template.name,
        "status": STATUS_LABELS.get(enrolment.status, enrolment.status),
        "paid": owed.paid,
        "bonus": owed.bonus,
        "redeemed": owed.redeemed or None,
        "owed": owed.total,
        "today": owed.at_today if owed.at_today is not None else NO_RATE,
        "grams": owed.grams or None,
    }


LIABILITY = TableSpec(
    name="scheme-liability",
    title="Scheme liability",
    permission=schemes.VIEW,
    columns=(
        Column("number", "Number"),
        Column("customer", "Customer"),
        Column("scheme", "Scheme"),
        Column("status", "Status", sortable=False),
        Column("paid", "Paid", sortable=False, kind=Kind.MONEY),
        Column("bonus", "Bonus accrued", sortable=False, kind=Kind.MONEY),
        Column("redeemed", "Redeemed", sortable=False, kind=Kind.MONEY),
        Column("owed", "Owed at what was paid", sortable=False, kind=Kind.MONEY),
        Column("today", "Owed at today's rate", sortable=False, kind=Kind.MONEY),
        Column("grams", "Grams", sortable=False, kind=Kind.WEIGHT),
    ),
    base=_owed,
    row=_owed_row,
    sort_columns={"number": Enrolment.number, "customer": Enrolment.customer_name, "scheme": SchemeTemplate.name},
    default_sort="number",
    search_columns=(Enrolment.number, Enrolment.customer_name),
)


def _templates(actor: Actor, q: TableQuery) -> Select:
    return select(SchemeTemplate).where(SchemeTemplate.store_id == actor.store_id)


def _template_row(r: Any, actor: Actor) -> dict[str, str]:
    (template,) = r
    return {
        "id": str(template.id),
        "name": template.name,
        "terms": f"{template.months} months, {template.grace_days} grace days, {template.max_missed} may be missed",
        "foreclosure": f"{template.foreclosure_deduction_pct.normalize():f}% kept",
        "offered": "Yes" if template.active else "No",
    }


TEMPLATES = TableSpec(
    name="scheme-templates",
    title="Gold schemes offered",
    permission=schemes.VIEW,
    columns=(
        Column("name", "Scheme"),
        Column("terms", "Terms", sortable=False, wrap=True),
        Column("foreclosure", "Foreclosure", sortable=False),
        Column("offered", "Offered", sortable=False),
    ),
    base=_templates,
    row=_template_row,
    sort_columns={"name": SchemeTemplate.name},
    default_sort="name",
    search_columns=(SchemeTemplate.name,),
)


# ---------------------------------------------------------------------------- the schemes list and enrol form


def _enrol_options(session: Session, actor: Actor) -> list[dict[str, str]]:
    return [
        {"value": str(t.id), "label": f"{t.name}: {schemes.describe_template(session, t)}"}
        for t in schemes.list_templates(session, actor, offered_only=True)
    ]


class SchemesState(RecordFormMixin, DataTableMixin, AppState):
    """One page of enrolments and the enrol form."""

    spec: ClassVar[TableSpec] = SCHEMES
    offered: list[dict[str, str]] = []
    can_enrol: bool = False

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check (the manifest's on_load)."""
        self.form_open = False
        self.can_enrol = bool(self._run(lambda s, a: a.can(schemes.ENROL), write=False))
        self._load()

    @rx.event
    def new(self) -> None:
        """Open the enrol form."""
        self.offered = self._run(_enrol_options, write=False) or []
        first = self.offered[0]["value"] if self.offered else ""
        self._open_form(0, {"template_id": first, "id_kind": "aadhaar"})

    @rx.event
    def create(self, form: dict):
        """Enrol the customer and open the enrolment; on bad input the form keeps what was typed."""
        data = schemes.EnrolInput(**{k: str(form.get(k, "")) for k in ENROL_FIELDS})
        enrolment = self._run(lambda s, a: schemes.enrol(s, a, data))
        if enrolment is None:
            self._keep_typed(form, ENROL_FIELDS)
            return None
        self.form_open = False
        return rx.redirect(f"/loyalty/enrolments/{enrolment.id}")


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%")


def _enrol_fields() -> rx.Component:
    value = SchemesState.editing
    return _grid(
        select_field("Scheme", "template_id", SchemesState.offered, default_value=value["template_id"]),
        field("Customer number", "customer_id", default_value=value["customer_id"], hint="From Customers, e.g. 42"),
        field("Nominee", "nominee_name", default_value=value["nominee_name"]),
        field("Nominee's relation", "nominee_relation", default_value=value["nominee_relation"], hint="e.g. Son"),
        field("PAN", "pan", default_value=value["pan"], hint="Needed when the instalments reach ₹2,00,000"),
        select_field("Identity document", "id_kind", ID_OPTIONS, default_value=value["id_kind"]),
        field("Document number", "id_number", hint="Only its last 4 characters are kept"),
    )


def _nav() -> rx.Component:
    return rx.flex(
        rx.link("Maturing this month", href="/loyalty/schemes-maturing", size="2"),
        rx.link("Liability", href="/loyalty/scheme-liability", size="2"),
        rx.link("Scheme setup", href="/loyalty/scheme-templates", size="2"),
        spacing="4",
        wrap="wrap",
    )


def schemes_page() -> rx.Component:
    """The enrolments list (``/loyalty/schemes``)."""
    return shell(
        rx.vstack(
            _nav(),
            record_form(SchemesState, ("Enrol in a scheme", "Enrol"), _enrol_fields(), "Enrol", SchemesState.create),
            data_table(
                SchemesState,
                link_column="number",
                toolbar=rx.cond(
                    SchemesState.can_enrol,
                    rx.button(rx.icon("user-plus", size=16), "Enrol a customer", on_click=SchemesState.new),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "Gold schemes",
    )


# ---------------------------------------------------------------------------- one enrolment


def _schedule_row(instalment: SchemeInstalment, grace_days: int) -> dict[str, str]:
    late = schemes.is_late(instalment, grace_days)
    return {
        "seq": str(instalment.seq),
        "due_on": f"{instalment.due_on:%d %b %Y}",
        "amount": _money(instalment.amount) if instalment.amount else "At the day's rate",
        "status": "paid late" if late else instalment.status,
        "paid_on": f"{instalment.paid_on:%d %b %Y}" if instalment.paid_on else "",
        "receipt": instalment.receipt_number or "",
        "method": METHODS.get(instalment.method, instalment.method),
        "reference": instalment.reference,
        "rate": _money(instalment.rate) if instalment.rate else "",
        "grams": _grams(instalment.grams),
        "late_fee": _money(instalment.late_fee) if instalment.late_fee else "",
    }


def _redemption_row(redemption: SchemeRedemption, actor: Actor) -> dict[str, str]:
    return {
        "at": f"{actor.local(redemption.at):%d %b %Y}",
        "invoice": redemption.invoice_number,
        "amount": _money(redemption.amount),
        "grams": _grams(redemption.grams),
        "rate": _money(redemption.rate) if redemption.rate else "",
        "left": _money(redemption.value_left),
        "by": redemption.user_name,
    }


def _kyc(enrolment: Enrolment, actor: Actor) -> str:
    """The PAN (masked without the PII permission) and the identity document, as one line."""
    pan = enrolment.pan if actor.can(PII) else mask_pan(enrolment.pan)
    return " · ".join(x for x in (pan, f"{enrolment.id_kind.title()} {enrolment.id_number_masked}") if x.strip())


def _enrolment_data(session: Session, actor: Actor, enrolment_id: int) -> dict[str, Any]:
    """Everything the enrolment page shows, as display text."""
    enrolment = schemes.get_enrolment(session, actor, enrolment_id)  # checks the permission and the store
    template = session.get(SchemeTemplate, enrolment.template_id)
    rows = [_schedule_row(i, template.grace_days) for i in schemes.instalments_of(session, enrolment.id)]
    refund, pct = schemes.foreclosure_refund(session, enrolment)
    value = ""
    if enrolment.status == "matured":
        value = _money(schemes.scheme_value(session, actor, enrolment))
    redemptions = [_redemption_row(r, actor) for r in schemes.redemptions_of(session, enrolment.id)]
    return {
        "enrolment": {
            "number": enrolment.number,
            "status": enrolment.status,
            "status_label": STATUS_LABELS.get(enrolment.status, enrolment.status),
            "customer": f"{enrolment.customer_name} (customer {enrolment.customer_id})",
            "scheme": f"{template.name}: {schemes.describe_template(session, template)}",
            "nominee": f"{enrolment.nominee_name} ({enrolment.nominee_relation})",
            "kyc": _kyc(enrolment, actor),
            "dates": f"{enrolment.start_on:%d %b %Y} to {enrolment.maturity_on:%d %b %Y}",
            "paid": _money(enrolment.paid),
            "grams": _grams(enrolment.grams),
            "grams_left": _grams(schemes.grams_left(enrolment)) if enrolment.grams_redeemed else "",
            "bonus": _money(enrolment.bonus) if enrolment.bonus else "",
            "value": value,
            "settled": _money(enrolment.settled) if enrolment.settled else "",
            "settled_reference": enrolment.settled_reference,
            "refund": f"{_money(refund)} ({pct.normalize():f}% kept)",
        },
        "schedule": rows,
        "receipts": [r for r in rows if r["receipt"]],
        "redemptions": redemptions,
        "can_pay": enrolment.status == "active" and actor.can(schemes.ENROL),
        "can_close": enrolment.status in ("active", "lapsed") and actor.can(schemes.CLOSE),
    }


def _rate_and_grams(instalment: SchemeInstalment) -> str:
    """The rate and grams of an instalment bought as grams ("₹12,000.00/g, 0.417 g"); empty in rupees."""
    return f"{format_inr(instalment.rate, paise=True)}/g, {instalment.grams:.3f} g" if instalment.rate else ""


def receipt_pdf(session: Session, actor: Actor, enrolment_id: int, receipt_number: str) -> bytes:
    """A small (A6) PDF receipt of one paid instalment."""
    enrolment = schemes.get_enrolment(session, actor, enrolment_id)
    instalment = session.scalars(
        select(SchemeInstalment).where(
            SchemeInstalment.enrolment_id == enrolment.id, SchemeInstalment.receipt_number == receipt_number
        )
    ).first()
    if instalment is None:
        raise NotFound("That receipt does not exist.")
    store = session.get(Store, enrolment.store_id)
    buffer = BytesIO()
    pdf = Canvas(buffer, pagesize=A6)
    pdf.setTitle(f"Scheme receipt {receipt_number}")
    width, height = A6
    fonts = document_fonts()
    pdf.setFont(fonts.bold, 12)
    pdf.drawString(8 * mm, height - 12 * mm, store.name)
    pdf.setFont(fonts.regular, 9)
    pdf.drawString(8 * mm, height - 18 * mm, "GOLD SCHEME INSTALMENT RECEIPT")
    rows = [
        ("Receipt no.", receipt_number),
        ("Date", f"{instalment.paid_on:%d %b %Y}"),
        ("Received from", enrolment.customer_name),
        ("Scheme", enrolment.number),
        ("Instalment", f"{instalment.seq}"),
        ("Amount", format_inr(instalment.amount, paise=True)),
        ("Late fee", format_inr(instalment.late_fee, paise=True) if instalment.late_fee else ""),
        ("Rate / grams", _rate_and_grams(instalment)),
        ("Method", f"{METHODS.get(instalment.method, instalment.method)} {instalment.reference}".strip()),
        ("Received by", instalment.received_by),
    ]
    y = height - 28 * mm
    for label, text in rows:
        if text:
            pdf.drawString(8 * mm, y, label)
            pdf.drawString(36 * mm, y, text)
            y -= 6 * mm
    pdf.drawRightString(width - 8 * mm, 10 * mm, f"For {store.name}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class EnrolmentState(AppState):
    """One enrolment: its schedule and receipts, and what may be done next."""

    enrolment: dict[str, str] = {}
    schedule: list[dict[str, str]] = []
    receipts: list[dict[str, str]] = []
    redemptions: list[dict[str, str]] = []
    can_pay: bool = False
    can_close: bool = False
    found: bool = False
    version: int = 0

    def _id(self) -> int:
        return self._route_number("enrolment_id")

    def _reload(self) -> None:
        enrolment_id = self._id()
        data = self._open_record(
            enrolment_id,
            lambda s, a: _enrolment_data(s, a, enrolment_id),
            "That scheme enrolment does not exist in this store.",
        )
        if data is None:
            return
        for key, value in data.items():
            setattr(self, key, value)
        self.version += 1

    @rx.event
    def load(self) -> None:
        """Open the page for the enrolment in the URL."""
        self._clear_messages()
        self._reload()

    @rx.event
    def pay(self, form: dict) -> None:
        """Take the next instalment (one receipt)."""
        enrolment_id, method, reference = self._id(), str(form.get("method", "")), str(form.get("reference", ""))
        paid = self._run(lambda s, a: schemes.pay_instalment(s, a, enrolment_id, method, reference))
        if paid is not None:
            self._say(f"Receipt {paid.receipt_number}: instalment {paid.seq}, {_money(paid.amount + paid.late_fee)}.")
        self._after(paid)

    @rx.event
    def foreclose(self, form: dict) -> None:
        """Close the scheme early and record the refund."""
        enrolment_id, method, reference = self._id(), str(form.get("method", "")), str(form.get("reference", ""))
        closed = self._run(lambda s, a: schemes.foreclose(s, a, enrolment_id, method, reference))
        if closed is not None:
            self._say(f"Scheme {closed.number} foreclosed: refund {_money(closed.settled)}.")
        self._after(closed)

    @rx.event
    def download_receipt(self, number: str):
        """One instalment's receipt as a PDF."""
        enrolment_id = self._id()
        content = self._run(lambda s, a: receipt_pdf(s, a, enrolment_id, number), write=False)
        if content is None:
            return None
        return download_pdf(content, f"scheme-receipt-{number.replace('/', '-')}.pdf")


def _panel(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%")


def _table(caption: str, headers: tuple[str, ...], rows: Any, cells: Any) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.el.caption(caption, class_name="sr-only"),
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*cells(r)))),
            size="1",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def _summary() -> rx.Component:
    e = EnrolmentState.enrolment
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(e["number"], size="6"),
                rx.badge(e["status_label"], color_scheme=rx.match(e["status"], *STATUS_COLOURS, "amber"), size="3"),
                rx.spacer(),
                rx.link("All schemes", href="/loyalty/schemes", size="2"),
                spacing="3",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            fact("Customer", e["customer"]),
            fact("Scheme", e["scheme"]),
            fact("Runs", e["dates"]),
            fact("Nominee", e["nominee"]),
            fact("KYC", e["kyc"]),
            fact("Paid", e["paid"]),
            fact("Grams", e["grams"]),
            fact("Grams left", e["grams_left"]),
            fact("Bonus", e["bonus"]),
            fact("Value left today", e["value"]),
            fact("Settled", e["settled"]),
            fact("Last settled by", e["settled_reference"]),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def _schedule_cells(r: Any) -> list[rx.Component]:
    colour = rx.match(r["status"], ("paid", "green"), ("missed", "red"), ("paid late", "amber"), "gray")
    return [
        rx.table.row_header_cell(r["seq"]),
        rx.table.cell(r["due_on"], white_space="nowrap"),
        rx.table.cell(r["amount"], white_space="nowrap"),
        rx.table.cell(rx.badge(r["status"], color_scheme=colour)),
        rx.table.cell(r["paid_on"], white_space="nowrap"),
        rx.table.cell(r["grams"], white_space="nowrap"),
    ]


def _receipt_cells(r: Any) -> list[rx.Component]:
    return [
        rx.table.row_header_cell(r["receipt"], white_space="nowrap"),
        rx.table.cell(r["paid_on"], white_space="nowrap"),
        rx.table.cell(r["method"]),
        rx.table.cell(r["reference"]),
        rx.table.cell(r["rate"], white_space="nowrap"),
        rx.table.cell(r["amount"], white_space="nowrap"),
        rx.table.cell(r["late_fee"], white_space="nowrap"),
        rx.table.cell(
            rx.button(
                rx.icon("printer", size=14),
                "PDF",
                size="1",
                variant="soft",
                aria_label="Receipt PDF " + r["receipt"],
                on_click=EnrolmentState.download_receipt(r["receipt"]),
            )
        ),
    ]


def _redemption_cells(r: Any) -> list[rx.Component]:
    return [
        rx.table.row_header_cell(r["at"], white_space="nowrap"),
        rx.table.cell(r["invoice"], white_space="nowrap"),
        rx.table.cell(r["amount"], white_space="nowrap"),
        rx.table.cell(r["grams"], white_space="nowrap"),
        rx.table.cell(r["rate"], white_space="nowrap"),
        rx.table.cell(r["left"], white_space="nowrap"),
        rx.table.cell(r["by"]),
    ]


def _tender_form(on_submit: Any, button: str, label: str, danger: bool = False) -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(select_field(f"{label} method", "method", METHOD_OPTIONS), min_width="10em"),
            rx.box(field("Reference", "reference", hint=REFERENCE_HINT), min_width="14em", flex="1"),
            rx.button(button, type="submit", **({"color_scheme": "red", "variant": "soft"} if danger else {})),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=on_submit,
        no_validate=True,
        reset_on_submit=False,
        key=EnrolmentState.version.to_string(),
        width="100%",
    )


def _found() -> rx.Component:
    return rx.vstack(
        _summary(),
        rx.cond(
            EnrolmentState.can_pay,
            _panel(
                "Pay the next instalment",
                rx.text("The instalment is priced at today's rate for a grams scheme.", size="2"),
                _tender_form(EnrolmentState.pay, "Pay instalment", "Instalment"),
            ),
        ),
        _panel(
            "Instalments",
            _table(
                "Instalment schedule",
                ("#", "Due on", "Amount", "Status", "Paid on", "Grams"),
                EnrolmentState.schedule,
                _schedule_cells,
            ),
        ),
        _panel(
            "Receipts",
            rx.cond(
                EnrolmentState.receipts.length() > 0,
                _table(
                    "Scheme receipts",
                    ("Receipt", "Date", "Method", "Reference", "Rate", "Amount", "Late fee", ""),
                    EnrolmentState.receipts,
                    _receipt_cells,
                ),
                rx.text("No instalments paid yet.", size="2", color_scheme="gray"),
            ),
        ),
        rx.cond(
            EnrolmentState.redemptions.length() > 0,
            _panel(
                "Redemptions",
                _table(
                    "Scheme redemptions",
                    ("Date", "Invoice", "Paid", "Grams", "Rate", "Left after", "By"),
                    EnrolmentState.redemptions,
                    _redemption_cells,
                ),
            ),
        ),
        rx.cond(
            EnrolmentState.can_close,
            _panel(
                "Foreclose",
                rx.text("Refund now: ", rx.text.strong(EnrolmentState.enrolment["refund"]), ", no bonus.", size="2"),
                _tender_form(EnrolmentState.foreclose, "Foreclose scheme", "Refund", danger=True),
            ),
        ),
        spacing="4",
        width="100%",
    )


def enrolment_page() -> rx.Component:
    """One enrolment (``/loyalty/enrolments/[enrolment_id]``)."""
    return shell(rx.cond(EnrolmentState.found, _found()), "Gold scheme")


# ---------------------------------------------------------------------------- maturing and liability


class MaturingState(DataTableMixin, AppState):
    """Schemes maturing this month."""

    spec: ClassVar[TableSpec] = MATURING

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check."""
        self._load()


def maturing_page() -> rx.Component:
    """``/loyalty/schemes-maturing``."""
    return shell(rx.vstack(_nav(), data_table(MaturingState, link_column="number"), width="100%"), "Maturing")


class LiabilityState(DataTableMixin, AppState):
    """The store's scheme liability: totals and one row per open scheme."""

    spec: ClassVar[TableSpec] = LIABILITY
    totals: dict[str, str] = {}

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check."""
        owed = self._run(schemes.liability, write=False)
        if owed is not None:
            self.totals = {
                "schemes": str(owed.schemes),
                "paid": _money(owed.paid),
                "bonus": _money(owed.bonus),
                "redeemed": _money(owed.redeemed),
                "total": _money(owed.total),
                "at_today": _money(owed.at_today) if owed.at_today is not None else NO_RATE,
                "grams": f"{owed.grams:.3f} g",
            }
        self._load()


def _total(label: str, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="4", weight="bold"), spacing="0"
    )


def liability_page() -> rx.Component:
    """``/loyalty/scheme-liability``."""
    t = LiabilityState.totals
    return shell(
        rx.vstack(
            _nav(),
            rx.card(
                rx.flex(
                    _total("Open schemes", t["schemes"]),
                    _total("Paid in", t["paid"]),
                    _total("Bonus accrued", t["bonus"]),
                    _total("Redeemed", t["redeemed"]),
                    rx.box(_total("Liability", t["total"]), aria_label="Liability"),
                    rx.box(_total("At today's rate", t["at_today"]), aria_label="Owed at today's rate"),
                    _total("Gold held for members", t["grams"]),
                    spacing="6",
                    wrap="wrap",
                ),
                width="100%",
            ),
            data_table(LiabilityState, link_column="number"),
            spacing="4",
            width="100%",
        ),
        "Scheme liability",
    )


# ---------------------------------------------------------------------------- scheme setup


def _template_form_values(template: SchemeTemplate) -> dict[str, str]:
    return {
        "name": template.name,
        "unit": template.unit,
        "instalment": f"{template.instalment:f}" if template.unit == "amount" else "",
        "instalment_grams": f"{template.instalment_grams:f}" if template.unit == "grams" else "",
        "months": str(template.months),
        "bonus_kind": template.bonus_kind,
        "bonus_value": f"{template.bonus_value:f}" if template.bonus_kind == "making_pct" else "",
        "grace_days": str(template.grace_days),
        "max_missed": str(template.max_missed),
        "metal_id": str(template.metal_id or ""),
        "foreclosure_deduction_pct": f"{template.foreclosure_deduction_pct:f}",
        "active": "on" if template.active else "",
    }


def _metal_options(session: Session, actor: Actor) -> list[dict[str, str]]:
    metals = list_metals(session, actor, active_only=True)
    return [{"value": "", "label": "None (rupees only)"}] + [
        {"value": str(m.id), "label": metal_label(m)} for m in metals
    ]


class TemplatesState(RecordFormMixin, DataTableMixin, AppState):
    """The store's scheme templates and the setup form (managers)."""

    spec: ClassVar[TableSpec] = TEMPLATES
    can_manage: bool = False
    metals: list[dict[str, str]] = []

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check."""
        self.form_open = False
        self.can_manage = bool(self._run(lambda s, a: a.can(schemes.MANAGE), write=False))
        self.metals = (self._run(_metal_options, write=False) or []) if self.can_manage else []
        self._load()

    @rx.event
    def new(self) -> None:
        """Open an empty setup form with the usual 11-month terms."""
        defaults = {"unit": "amount", "months": "11", "bonus_kind": "instalment", "grace_days": "7"}
        self._open_form(0, defaults | {"max_missed": "2", "foreclosure_deduction_pct": "0", "active": "on"})

    @rx.event
    def edit(self, template_id: str) -> None:
        """Open the form on one template."""
        number = int(template_id) if str(template_id).isdigit() else 0
        template = self._run(lambda s, a: schemes.get_template(s, a, number), write=False)
        if template is not None:
            self._open_form(template.id, _template_form_values(template))

    @rx.event
    def save(self, form: dict) -> None:
        """Save the template; on bad input the form keeps what was typed."""
        values = {k: str(form.get(k, "")) for k in TEMPLATE_FIELDS}
        data = schemes.TemplateInput(**values, active=bool(form.get("active")))
        template_id = self.editing_id or None
        saved = self._run(lambda s, a: schemes.save_template(s, a, data, template_id))
        if saved is None:
            self._keep_typed(form, TEMPLATE_FIELDS)
            return
        self._say(f"Scheme {saved.name} saved.")
        self.form_open = False
        self._refresh()


def _template_fields() -> rx.Component:
    v = TemplatesState.editing
    return rx.vstack(
        _grid(
            field("Scheme name", "name", default_value=v["name"], hint="e.g. Swarna 11+1"),
            select_field("Instalment in", "unit", list(schemes.UNITS), default_value=v["unit"]),
            field("Monthly instalment (₹)", "instalment", default_value=v["instalment"], hint="For a rupees scheme"),
            field("Grams each month", "instalment_grams", default_value=v["instalment_grams"], hint="For grams"),
            select_field("Metal", "metal_id", TemplatesState.metals, default_value=v["metal_id"]),
            field("Months", "months", default_value=v["months"], hint="At most 11: ends within 365 days"),
            select_field("Bonus", "bonus_kind", list(schemes.BONUS_KINDS), default_value=v["bonus_kind"]),
            field("Making-charge discount (%)", "bonus_value", default_value=v["bonus_value"]),
            field("Grace days", "grace_days", default_value=v["grace_days"]),
            field("Missed instalments tolerated", "max_missed", default_value=v["max_missed"]),
            field("Kept on foreclosure (%)", "foreclosure_deduction_pct", default_value=v["foreclosure_deduction_pct"]),
        ),
        rx.el.label(
            rx.hstack(
                rx.el.input(type="checkbox", name="active", default_checked=v["active"] == "on", id="field-active"),
                rx.text("Offered to customers", size="2"),
                align="center",
                spacing="2",
            ),
        ),
        spacing="3",
        width="100%",
    )


def templates_page() -> rx.Component:
    """``/loyalty/scheme-templates``."""
    return shell(
        rx.vstack(
            _nav(),
            record_form(
                TemplatesState, ("New scheme", "Edit scheme"), _template_fields(), "Save scheme", TemplatesState.save
            ),
            data_table(
                TemplatesState,
                row_actions=lambda row: rx.cond(
                    TemplatesState.can_manage,
                    rx.button("Edit", size="1", variant="soft", on_click=TemplatesState.edit(row["id"])),
                ),
                toolbar=rx.cond(
                    TemplatesState.can_manage,
                    rx.button(rx.icon("plus", size=16), "New scheme", on_click=TemplatesState.new),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "Scheme setup",
    )


# ---------------------------------------------------------------------------- the member page's card


def member_schemes(session: Session, actor: Actor, customer_id: int) -> list[dict[str, str]]:
    """A customer's enrolments as display rows for the member page."""
    return [
        {
            "number": e.number,
            "link": f"/loyalty/enrolments/{e.id}",
            "status": STATUS_LABELS.get(e.status, e.status),
            "paid": _money(e.paid),
            "grams": _grams(e.grams),
            "matures": f"{e.maturity_on:%d %b %Y}",
        }
        for e in schemes.customer_schemes(session, actor, customer_id)
    ]


def schemes_panel(rows: Any) -> rx.Component:
    """The member page's "Gold schemes" card, from :func:`member_schemes` rows."""
    return _panel(
        "Gold schemes",
        rx.cond(
            rows.length() > 0,
            _table(
                "Gold schemes",
                ("Scheme", "Status", "Paid", "Grams", "Matures"),
                rows,
                lambda r: [
                    rx.table.row_header_cell(rx.link(r["number"], href=r["link"])),
                    rx.table.cell(r["status"]),
                    rx.table.cell(r["paid"], white_space="nowrap"),
                    rx.table.cell(r["grams"], white_space="nowrap"),
                    rx.table.cell(r["matures"], white_space="nowrap"),
                ],
            ),
            rx.text("Not enrolled in a gold scheme.", size="2", color_scheme="gray"),
        ),
    )
