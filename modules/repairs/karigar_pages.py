"""Karigar pages and the job page's custom-work panels.

- ``/repairs/karigars``: the store's karigars with the fine metal each holds, and the add form.
- ``/repairs/karigars/[karigar_id]``: one karigar: details (editable), balance, metal issued for a job
  (by the number on its ticket), work received back (piece and/or scrap) with the loss checked against
  the allowance, and the ledger (paged, searchable, exportable). Gross and stone weights are typed on
  both sides; only the metal counts as fine metal (:mod:`modules.repairs.karigars`).
- On the job page (``modules.repairs.job_page``): :class:`JobWorkMixin` with :func:`design_panel`
  (design versions of a custom order, upload and the customer's approval) and :func:`karigar_work_panel`
  (the job's karigar work, issue and receive). The host state defines ``_id()`` (the job's id) and
  ``_reload()``, and calls ``_load_job_work()`` from its ``_reload``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.file_uploads import StagedBatch, UploadRule, forget_staged, stage_uploads
from jewelerp.ui.forms import fact, field, field_error, select_field
from jewelerp.ui.private_files import file_src
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from jewelerp.ui.uploads import labelled_upload
from modules.repairs.design import KINDS, add_version, approve_version, design_rows, prepare_design
from modules.repairs.design import MANAGE as DESIGN_MANAGE
from modules.repairs.karigars import (
    FINENESS,
    KARIGARS,
    LEDGER,
    MANAGE,
    IssueInput,
    KarigarInput,
    ReceiptInput,
    WorkTotals,
    balance,
    create_karigar,
    get_karigar,
    issue_metal,
    job_entries,
    job_from_number,
    job_work,
    karigar_options,
    open_work,
    receive_work,
    update_karigar,
)
from modules.repairs.models import KarigarEntry
from modules.repairs.photos import MAX_BYTES
from modules.repairs.records import get_job
from modules.repairs.stages import DELIVERED

KARIGAR_FIELDS = ("name", "phone", "loss_allowance_pct")
DESIGN_UPLOAD = "design-file"
DESIGN_RULE = UploadRule("repairs-design", DESIGN_MANAGE, "design", prepare_design, MAX_BYTES)
DEFAULT_FINENESS = 916


def _karigar_input(form: dict[str, Any]) -> KarigarInput:
    return KarigarInput(**{k: str(form.get(k, "")) for k in KARIGAR_FIELDS}, active=bool(form.get("active")))


def _number(form: dict[str, Any], key: str) -> int:
    raw = str(form.get(key, "")).strip()
    return int(raw) if raw.isdigit() else 0


def _issue_input(form: dict[str, Any]) -> IssueInput:
    keys = ("issue_weight", "issue_fineness", "issue_note", "issue_stone_weight")
    return IssueInput(*(str(form.get(k, "")) for k in keys))


def _receipt_input(form: dict[str, Any]) -> ReceiptInput:
    keys = ("piece_weight", "scrap_weight", "return_fineness", "return_note", "piece_stone_weight")
    return ReceiptInput(*(str(form.get(k, "")) for k in keys))


def _fineness_options(current: int | None) -> list[dict[str, str]]:
    """The usual finenesses, with the job's own first when it is an unusual one."""
    options = dict(FINENESS)
    if current and current not in options:
        options = {current: str(current), **options}
    return [{"value": str(k), "label": v} for k, v in options.items()]


def _issued(session: Session, actor: Actor, entry: KarigarEntry) -> str:
    number = get_job(session, actor, entry.job_id or 0).number
    if entry.stone_weight:
        gross = entry.weight + entry.stone_weight
        return (
            f"{gross:.3f} g with {entry.stone_weight:.3f} g of stones ({entry.fine_weight:.3f} g fine in "
            f"{entry.weight:.3f} g of metal) issued for {number}."
        )
    return f"{entry.weight:.3f} g ({entry.fine_weight:.3f} g fine) issued for {number}."


def _receipt_message(number: str, totals: WorkTotals) -> tuple[str, str]:
    """The page message after a receipt, and the alert (empty when within the allowance with nothing to check)."""
    if not totals.closed:
        return (
            f"Scrap received from {totals.karigar_name} for {number}: {totals.returned:.3f} g of the "
            f"{totals.issued:.3f} g fine issued is back.",
            "",
        )
    text = f"Piece received from {totals.karigar_name} for {number}: loss {totals.loss:.3f} g fine ({totals.loss_pct}%)"
    alerts = [_over_allowance(number, totals)] if totals.over_allowance else []
    alerts += totals.warnings
    if alerts:
        return f"{text}.", " ".join([*alerts, "The managers have been notified."])
    return f"{text}, within the {totals.allowance_pct}% allowance.", ""


def _over_allowance(number: str, totals: WorkTotals) -> str:
    return (
        f"Loss above allowance: {totals.karigar_name} lost {totals.loss_pct}% on {number} against an "
        f"allowance of {totals.allowance_pct}%."
    )


def _totals_row(t: WorkTotals) -> dict[str, str]:
    status = "Open" if not t.closed else "Closed, loss above allowance" if t.over_allowance else "Closed"
    return {
        "karigar": t.karigar_name,
        "issued": f"{t.issued:.3f} g",
        "returned": f"{t.returned:.3f} g",
        "loss": f"{t.loss:.3f} g ({t.loss_pct}%)" if t.closed else "",
        "stones": f"{t.stones_issued:.3f} g out, {t.stones_returned:.3f} g back"
        if t.stones_issued or t.stones_returned
        else "",
        "allowance": f"{t.allowance_pct}%",
        "status": status,
        "over": "yes" if t.over_allowance else "",
    }


# ---------------------------------------------------------------------------- karigars list


class KarigarsState(RecordFormMixin, DataTableMixin, AppState):
    """The store's karigars (one page) and the add form."""

    spec: ClassVar[TableSpec] = KARIGARS

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check."""
        self.form_open = False
        self._load()

    @rx.event
    def new(self) -> None:
        """Open the add form."""
        self._open_form(0, {"loss_allowance_pct": "1.00", "active": "yes"})

    @rx.event
    def add(self, form: dict):
        """Save the karigar and open their page; bad input keeps what was typed."""
        data = _karigar_input(form)
        karigar = self._run(lambda s, a: create_karigar(s, a, data))
        if karigar is None:
            self._keep_typed(form, KARIGAR_FIELDS)
            return None
        self.form_open = False
        return rx.redirect(f"/repairs/karigars/{karigar.id}")


def _karigar_fields(values: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.grid(
            field("Name", "name", default_value=values["name"]),
            field("Phone", "phone", type="tel", default_value=values["phone"]),
            field(
                "Loss allowance (%)",
                "loss_allowance_pct",
                default_value=values["loss_allowance_pct"],
                input_mode="decimal",
                hint="Fine metal they may lose on a job, e.g. 1.5",
            ),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="3",
            width="100%",
        ),
        rx.el.label(
            rx.hstack(
                rx.el.input(
                    type="checkbox", name="active", id="field-active", default_checked=values["active"] == "yes"
                ),
                rx.text("Takes work", size="2"),
                align="center",
            )
        ),
        width="100%",
    )


def karigars_page() -> rx.Component:
    """The karigar list (``/repairs/karigars``)."""
    return shell(
        rx.vstack(
            record_form(
                KarigarsState,
                ("New karigar", "New karigar"),
                _karigar_fields(KarigarsState.editing),
                "Save karigar",
                KarigarsState.add,
            ),
            data_table(
                KarigarsState,
                link_column="name",
                toolbar=rx.button(rx.icon("user-plus", size=16), "New karigar", on_click=KarigarsState.new),
            ),
            spacing="4",
            width="100%",
        ),
        "Karigars",
    )


# ---------------------------------------------------------------------------- one karigar


class KarigarState(DataTableMixin, AppState):
    """One karigar: details, balance, open work and one page of their ledger."""

    spec: ClassVar[TableSpec] = LEDGER
    karigar: dict[str, str] = {}
    open_jobs: list[dict[str, str]] = []
    fineness_options: list[dict[str, str]] = _fineness_options(None)
    loss_alert: str = ""
    found: bool = False
    version: int = 0

    def _id(self) -> int:
        return self._route_number("karigar_id")

    def _reload(self) -> None:
        karigar_id = self._id()

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            k = get_karigar(session, actor, karigar_id)
            return {
                "karigar": {
                    "name": k.name,
                    "phone": k.phone,
                    "loss_allowance_pct": str(k.loss_allowance_pct),
                    "active": "yes" if k.active else "",
                    "balance": f"{balance(session, actor, karigar_id):.3f} g",
                },
                "open_jobs": [{"value": v, "label": t} for v, t in open_work(session, actor, karigar_id)],
            }

        data = self._open_record(karigar_id, work, "That karigar does not work for this store.")
        if data is None:
            return
        self.karigar, self.open_jobs = data["karigar"], data["open_jobs"]
        self.filters = {"karigar": str(karigar_id)}
        self._refresh()
        self.version += 1

    @rx.event
    def open_page(self) -> None:
        """Open the page of the karigar in the address."""
        self._clear_messages()
        self.page, self.search, self.sort, self.descending, self.loss_alert = 0, "", "", False, ""
        self._reload()

    @rx.event
    def save_details(self, form: dict) -> None:
        """Save name, phone, allowance and whether they take work."""
        karigar_id, data = self._id(), _karigar_input(form)
        self._after(self._run(lambda s, a: update_karigar(s, a, karigar_id, data), done="Karigar saved."))

    @rx.event
    def issue(self, form: dict) -> None:
        """Issue metal (and stones) for the job whose number was typed."""
        karigar_id = self._id()
        self.loss_alert = ""

        def work(session: Session, actor: Actor) -> str:
            job_id = job_from_number(session, actor, str(form.get("job", "")))
            return _issued(session, actor, issue_metal(session, actor, job_id, karigar_id, _issue_input(form)))

        message = self._run(work)
        if message is not None:
            self._say(message)
        self._after(message)

    @rx.event
    def receive(self, form: dict) -> None:
        """Take back the piece (gross and stones) and/or scrap of one of the karigar's open jobs."""
        karigar_id = self._id()
        self.loss_alert = ""

        def work(session: Session, actor: Actor) -> tuple[str, WorkTotals]:
            job_id = _number(form, "return_job")
            totals = receive_work(session, actor, job_id, karigar_id, _receipt_input(form))
            return get_job(session, actor, job_id).number, totals

        result = self._run(work)
        if result is not None:
            message, self.loss_alert = _receipt_message(*result)
            self._say(message)
        self._after(result)


def _panel(title: str, *children: rx.Component, **props: Any) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%", **props)


def _form(on_submit: Any, key: rx.Var, button: str, *children: rx.Component) -> rx.Component:
    return rx.form(
        rx.vstack(*children, rx.button(button, type="submit"), spacing="3", width="100%"),
        on_submit=on_submit,
        no_validate=True,
        reset_on_submit=False,
        key=key.to_string(),
        width="100%",
    )


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%")


def _issue_fields(first: rx.Component, fineness: rx.Var, default: rx.Var | str) -> rx.Component:
    return _grid(
        first,
        field("Weight issued (g)", "issue_weight", input_mode="decimal", hint="Gross as weighed, e.g. 12.345"),
        field("Stones issued (g)", "issue_stone_weight", input_mode="decimal", hint="For setting; empty if none"),
        select_field("Fineness issued", "issue_fineness", fineness, default_value=default),
        field("Issue remarks", "issue_note", hint="Optional, e.g. bar number"),
    )


def _receive_fields(first: rx.Component, fineness: rx.Var, default: rx.Var | str) -> rx.Component:
    return _grid(
        first,
        field("Piece weight (g)", "piece_weight", input_mode="decimal", hint="Gross: metal and stones"),
        field("Stones in the piece (g)", "piece_stone_weight", input_mode="decimal", hint="Empty if none"),
        field("Scrap weight (g)", "scrap_weight", input_mode="decimal", hint="Filings and offcuts returned"),
        select_field("Fineness returned", "return_fineness", fineness, default_value=default),
        field("Receipt remarks", "return_note", hint="Optional"),
    )


def _loss_alert(alert: rx.Var) -> rx.Component:
    return rx.cond(
        alert != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            rx.callout.text(alert),
            color_scheme="red",
            role="alert",
            width="100%",
        ),
    )


def _karigar_summary() -> rx.Component:
    k = KarigarState.karigar
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(k["name"], size="7"),
                rx.cond(k["active"] == "yes", rx.badge("Takes work", color_scheme="green"), rx.badge("Not active")),
                rx.spacer(),
                rx.link("All karigars", href="/repairs/karigars", size="2"),
                spacing="3",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.hstack(
                rx.text("Fine metal held", size="3", color_scheme="gray"),
                rx.text(k["balance"], size="6", weight="bold", aria_label="Fine metal held"),
                align="baseline",
                spacing="3",
            ),
            fact("Phone", k["phone"]),
            fact("Loss allowance", k["loss_allowance_pct"] + "%"),
            rx.el.details(
                rx.el.summary(rx.text("Edit details", size="2", weight="medium", as_="span")),
                _form(KarigarState.save_details, KarigarState.version, "Save details", _karigar_fields(k)),
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _karigar_found() -> rx.Component:
    return rx.vstack(
        _karigar_summary(),
        _loss_alert(KarigarState.loss_alert),
        rx.grid(
            _panel(
                "Issue metal",
                _form(
                    KarigarState.issue,
                    KarigarState.version,
                    "Issue metal",
                    _issue_fields(
                        field("Job number", "job", hint="As on the job ticket, e.g. CO-MUM-000012"),
                        KarigarState.fineness_options,
                        str(DEFAULT_FINENESS),
                    ),
                ),
            ),
            _panel(
                "Receive work back",
                rx.cond(
                    KarigarState.open_jobs.length() > 0,
                    _form(
                        KarigarState.receive,
                        KarigarState.version,
                        "Receive",
                        _receive_fields(
                            select_field("Job", "return_job", KarigarState.open_jobs),
                            KarigarState.fineness_options,
                            str(DEFAULT_FINENESS),
                        ),
                    ),
                    rx.text("No open work: issue metal for a job first.", size="2", color_scheme="gray"),
                ),
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        rx.heading("Metal ledger", size="4"),
        data_table(KarigarState, link_column="job"),
        spacing="4",
        width="100%",
    )


def karigar_page() -> rx.Component:
    """One karigar (``/repairs/karigars/[karigar_id]``)."""
    return shell(rx.cond(KarigarState.found, _karigar_found()), "Karigar")


# ---------------------------------------------------------------------------- job page panels


def _job_work_data(session: Session, actor: Actor, job_id: int) -> dict[str, Any]:
    job = get_job(session, actor, job_id)
    can_karigar = actor.can(MANAGE)
    work = job_work(session, actor, job_id)
    designs = design_rows(session, actor, job_id) if job.kind == "custom" else []
    return {
        "work_job": {
            "custom": "yes" if job.kind == "custom" else "",
            "open": "yes" if job.stage != DELIVERED else "",
            "fineness": str(job.metal_fineness or DEFAULT_FINENESS),
            "customer": job.customer_name,
            "approved": "yes" if job.approved_version_id else "",
        },
        "designs": designs,
        "work": [_totals_row(t) for t in work],
        "work_entries": job_entries(session, actor, job_id),
        "work_karigars": [
            {"value": "", "label": "Choose the karigar"},
            *({"value": v, "label": t} for v, t in (karigar_options(session, actor) if can_karigar else [])),
        ],
        "design_options": [{"value": d["id"], "label": d["version"]} for d in designs],
        "work_open": [{"value": str(t.karigar_id), "label": t.karigar_name} for t in work if not t.closed],
        "work_fineness": _fineness_options(job.metal_fineness),
        "can_design": actor.can("repairs.design.manage"),
        "can_issue_metal": can_karigar,
        "work_alerts": [
            *(_over_allowance(job.number, t) for t in work if t.over_allowance),
            *(f"To check ({t.karigar_name}): {warning}" for t in work for warning in t.warnings),
        ],
    }


class JobWorkMixin(rx.State, mixin=True):
    """Design versions and karigar work of the job on the host page (a few dozen rows at most).

    The host is an :class:`AppState` (``_run``, ``_say``, ``_after``) that defines ``_id()`` and ``_reload()``.
    """

    work_job: dict[str, str] = {}
    designs: list[dict[str, str]] = []
    work: list[dict[str, str]] = []
    work_entries: list[dict[str, str]] = []
    work_karigars: list[dict[str, str]] = []
    design_options: list[dict[str, str]] = []
    work_open: list[dict[str, str]] = []
    work_fineness: list[dict[str, str]] = []
    can_design: bool = False
    can_issue_metal: bool = False
    staged_design: str = ""
    work_alerts: list[str] = []
    work_version: int = 0
    _design_file: list[dict[str, str]] = []  # staged on disk: its id and name only

    def _load_job_work(self) -> None:
        """Load the panels' rows for the host's job (called from the host's ``_reload``)."""
        job_id = self._id()
        data = self._run(lambda s, a: _job_work_data(s, a, job_id), write=False)
        if data is None:
            return
        for key, value in data.items():
            setattr(self, key, value)
        self.work_version += 1

    @rx.event
    async def stage_design(self, files: list[rx.UploadFile]) -> None:
        """Check the chosen sketch or render and keep it on the server until the upload form is sent."""
        forget_staged(self, DESIGN_RULE, self._design_file)
        self._design_file = await stage_uploads(self, files, DESIGN_RULE, [])
        self.staged_design = self._design_file[0]["name"] if self._design_file else ""

    @rx.event
    def upload_design(self, form: dict) -> None:
        """Save the held file as the job's next design version."""
        job_id, staged = self._id(), StagedBatch(DESIGN_RULE.purpose, self._design_file)
        kind, note = str(form.get("design_kind", "")), str(form.get("design_note", ""))

        def work(session: Session, actor: Actor) -> str:
            name, design = staged.take_one(actor)
            version = add_version(session, actor, job_id, kind, name, design, note)
            return f"Design version {version.version} uploaded."

        message = self._run(work)
        if message is not None:
            staged.done()
            self._design_file, self.staged_design = [], ""
            self._say(message)
        self._after(message)

    @rx.event
    def approve_design(self, form: dict) -> None:
        """Record the customer's approval of the chosen version."""
        version_id, name = _number(form, "design_version"), str(form.get("approved_by", ""))

        def work(session: Session, actor: Actor) -> str:
            version = approve_version(session, actor, version_id, name)
            return f"Version {version.version} recorded as approved by {version.approved_by}."

        message = self._run(work)
        if message is not None:
            self._say(message)
        self._after(message)

    @rx.event
    def issue_for_job(self, form: dict) -> None:
        """Issue metal (and stones) for this job to the chosen karigar."""
        job_id = self._id()

        def work(session: Session, actor: Actor) -> str:
            karigar_id = _number(form, "issue_karigar")
            return _issued(session, actor, issue_metal(session, actor, job_id, karigar_id, _issue_input(form)))

        message = self._run(work)
        if message is not None:
            self._say(message)
        self._after(message)

    @rx.event
    def receive_for_job(self, form: dict) -> None:
        """Take back this job's piece (gross and stones) and/or scrap from the chosen karigar."""
        job_id = self._id()

        def work(session: Session, actor: Actor) -> tuple[str, WorkTotals]:
            karigar_id = _number(form, "return_karigar")
            totals = receive_work(session, actor, job_id, karigar_id, _receipt_input(form))
            return get_job(session, actor, job_id).number, totals

        result = self._run(work)
        if result is not None:
            self._say(_receipt_message(*result)[0])
        self._after(result)


def _small_table(headers: list[str], rows: rx.Var, keys: list[str], empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(
                    rx.foreach(rows, lambda r: rx.table.row(*[rx.table.cell(r[k], white_space="nowrap") for k in keys]))
                ),
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text(empty, size="2", color_scheme="gray"),
    )


def _design_card(row: rx.Var) -> rx.Component:
    src = file_src("repairs/design/" + row["id"])
    preview = rx.cond(
        row["is_pdf"] == "yes",
        rx.link(
            rx.vstack(rx.icon("file-text", size=40), rx.text("Open PDF", size="2"), align="center"),
            href=src,
            is_external=True,
        ),
        rx.link(
            rx.image(
                src=src,
                alt=row["version"] + " of the design",
                width="100%",
                height="160px",
                object_fit="contain",
            ),
            href=src,
            is_external=True,
        ),
    )
    return rx.card(
        rx.vstack(
            rx.center(preview, width="100%", min_height="160px", background="var(--gray-a2)"),
            rx.hstack(
                rx.text(row["version"], weight="bold", size="2"),
                rx.badge(row["kind"], variant="soft"),
                rx.cond(row["approved"] == "yes", rx.badge("Approved", color_scheme="green")),
                wrap="wrap",
                align="center",
            ),
            rx.cond(row["note"] != "", rx.text(row["note"], size="2")),
            rx.text("Uploaded by ", row["uploaded"], size="1", color_scheme="gray"),
            rx.cond(row["approval"] != "", rx.text(row["approval"], size="1", color_scheme="green")),
            spacing="2",
            width="100%",
        ),
        border=rx.cond(row["approved"] == "yes", "2px solid var(--green-8)", "1px solid var(--gray-a5)"),
        aria_label=row["version"],
        width="100%",
    )


def _design_upload(state: type[JobWorkMixin]) -> rx.Component:
    return rx.el.details(
        rx.el.summary(rx.text("Upload a new version", size="2", weight="medium", as_="span")),
        _form(
            state.upload_design,
            state.work_version,
            "Upload version",
            _grid(
                select_field("Design kind", "design_kind", list(KINDS.items())),
                field("Design remarks", "design_note", hint="Optional, e.g. thinner band as asked"),
            ),
            rx.vstack(
                labelled_upload(
                    rx.button(
                        rx.icon("paperclip", size=14), "Choose sketch or render", variant="outline", type="button"
                    ),
                    id=DESIGN_UPLOAD,
                    accept={"application/pdf": [".pdf"], "image/*": [".jpg", ".jpeg", ".png", ".webp"]},
                    multiple=False,
                    max_files=1,
                    border="none",
                    padding="0",
                    on_drop=state.stage_design(rx.upload_files(upload_id=DESIGN_UPLOAD)),
                    label="Sketch or render file",
                ),
                rx.cond(
                    state.staged_design != "",
                    rx.text("Will upload: ", state.staged_design, size="1", color_scheme="green"),
                ),
                field_error("design"),
                spacing="1",
            ),
        ),
        width="100%",
    )


def _design_approval(state: type[JobWorkMixin]) -> rx.Component:
    return rx.cond(
        state.designs.length() > 0,
        rx.el.details(
            rx.el.summary(rx.text("Record the customer's approval", size="2", weight="medium", as_="span")),
            _form(
                state.approve_design,
                state.work_version,
                "Record approval",
                _grid(
                    select_field(
                        "Approved version",
                        "design_version",
                        state.design_options,
                    ),
                    field(
                        "Approved by (customer's name)",
                        "approved_by",
                        default_value=state.work_job["customer"],
                        hint="The name as the customer gave it",
                    ),
                ),
            ),
            width="100%",
        ),
    )


def design_panel(state: type[JobWorkMixin]) -> rx.Component:
    """Design versions of a custom order with upload and approval (nothing for a repair)."""
    editable = state.can_design & (state.work_job["open"] == "yes")
    return rx.cond(
        state.work_job["custom"] == "yes",
        _panel(
            "Design versions",
            rx.cond(
                state.work_job["approved"] == "yes",
                rx.text("The customer has approved a design; metal may be issued.", size="2", color_scheme="green"),
                rx.text("No design approved yet: metal is issued only after approval.", size="2", color_scheme="amber"),
            ),
            rx.cond(
                state.designs.length() > 0,
                rx.grid(
                    rx.foreach(state.designs, _design_card),
                    columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.text("No design versions yet.", size="2", color_scheme="gray"),
            ),
            rx.cond(editable, rx.vstack(_design_upload(state), _design_approval(state), spacing="3", width="100%")),
        ),
    )


def karigar_work_panel(state: type[JobWorkMixin]) -> rx.Component:
    """The job's karigar work: totals per karigar, ledger rows, the issue form (until delivery) and the
    receive form (while a karigar has the job's metal)."""
    default = state.work_job["fineness"]
    return rx.cond(
        state.can_issue_metal | (state.work_entries.length() > 0),
        _panel(
            "Karigar work",
            rx.foreach(state.work_alerts, _loss_alert),
            _small_table(
                ["Karigar", "Fine issued", "Fine returned", "Loss", "Allowance", "Stones", "Status"],
                state.work,
                ["karigar", "issued", "returned", "loss", "allowance", "stones", "status"],
                "No metal issued for this job yet.",
            ),
            rx.cond(
                state.work_entries.length() > 0,
                rx.el.details(
                    rx.el.summary(rx.text("Ledger rows", size="2", weight="medium", as_="span")),
                    _small_table(
                        ["When", "Karigar", "What", "Gross", "Stones", "Fineness", "Fine in", "Fine out", "By"],
                        state.work_entries,
                        ["at", "karigar", "what", "weight", "stones", "fineness", "fine_in", "fine_out", "by"],
                        "",
                    ),
                    width="100%",
                ),
            ),
            rx.grid(
                rx.cond(
                    state.can_issue_metal & (state.work_job["open"] == "yes"),
                    rx.box(
                        rx.heading("Issue metal", size="3", margin_bottom="0.5rem"),
                        _form(
                            state.issue_for_job,
                            state.work_version,
                            "Issue metal",
                            _issue_fields(
                                select_field("Issue to", "issue_karigar", state.work_karigars),
                                state.work_fineness,
                                default,
                            ),
                        ),
                    ),
                ),
                rx.cond(
                    state.can_issue_metal & (state.work_open.length() > 0),
                    rx.box(
                        rx.heading("Receive work back", size="3", margin_bottom="0.5rem"),
                        _form(
                            state.receive_for_job,
                            state.work_version,
                            "Receive",
                            _receive_fields(
                                select_field("Returned by", "return_karigar", state.work_open),
                                state.work_fineness,
                                default,
                            ),
                        ),
                    ),
                ),
                columns=rx.breakpoints(initial="1", lg="2"),
                spacing="4",
                width="100%",
            ),
        ),
    )
