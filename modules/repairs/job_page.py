"""One job: its facts, stones, photos (shared with the customer or not) and stage history; moving it to
another stage with a note and photos; the money; delivery with the pickup check and a manager's sign-off;
the ticket and the customer's status link."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.users import staff_options
from jewelerp.staging import discard
from jewelerp.ui.downloads import download_pdf
from jewelerp.ui.file_uploads import StagedBatch, forget_staged, receive_uploads, stage_uploads
from jewelerp.ui.forms import fact, field, field_error, select_field
from jewelerp.ui.private_files import file_src
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from modules.repairs.delivery import DeliveryInput, deliver_job
from modules.repairs.extensions import job_links
from modules.repairs.intake_page import camera_upload, photo_rule, stones_from
from modules.repairs.jobs import add_job_photos, assign_job
from modules.repairs.karigar_pages import JobWorkMixin, design_panel, karigar_work_panel
from modules.repairs.karigars import karigar_options
from modules.repairs.payments import payments_elsewhere, record_payment, set_final_charge
from modules.repairs.photos import share_photo
from modules.repairs.public import reissue_link, revoke_link
from modules.repairs.records import get_job
from modules.repairs.stages import move_job, stage_label
from modules.repairs.tables import history_rows, job_details, move_choices, photo_rows, stone_rows
from modules.repairs.ticket import ticket_file

MOVE_PHOTOS = "job-move-photos"
MORE_PHOTOS = "job-more-photos"
MOVE_RULE = photo_rule("repairs-move")
MORE_RULE = photo_rule("repairs-more")


def _choices(pairs: list[tuple[str, str]], empty: str | None = None) -> list[dict[str, str]]:
    head = [{"value": "", "label": empty}] if empty is not None else []
    return head + [{"value": value, "label": label} for value, label in pairs]


def _out_lines(stones_in: list[dict[str, str]]) -> list[dict[str, str]]:
    """The delivery form's stone lines: the intake's stones to confirm, and one blank line."""
    blank = {"kind": "", "count": "", "carats": "", "inscription": ""}
    return [{"n": str(n), **row} for n, row in enumerate([*stones_in, blank], start=1)]


class JobState(JobWorkMixin, AppState):
    """What the job page shows (one job: a few dozen rows at most)."""

    job: dict[str, str] = {}
    stones_in: list[dict[str, str]] = []
    stones_out: list[dict[str, str]] = []
    out_lines: list[dict[str, str]] = []
    photos: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    stage_choices: list[dict[str, str]] = []
    staff: list[dict[str, str]] = []
    karigars: list[dict[str, str]] = []
    links: list[dict[str, str]] = []
    can_edit: bool = False
    can_override: bool = False
    can_karigar: bool = False
    counter_payments: bool = False
    found: bool = False
    version: int = 0
    move_photo_names: list[str] = []
    _move_photos: list[dict[str, str]] = []  # staged on disk: ids and names only

    def _id(self) -> int:
        return self._route_number("job_id")

    def _reload(self) -> None:
        job_id = self._id()

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            job = get_job(session, actor, job_id)
            details = job_details(session, actor, job_id)
            can_karigar = actor.can("repairs.karigar.manage")
            stones_in = stone_rows(session, actor, job_id)
            return {
                "job": details,
                "stones_in": stones_in,
                "stones_out": stone_rows(session, actor, job_id, "out"),
                "out_lines": _out_lines(stones_in),
                "photos": photo_rows(session, actor, job_id),
                "history": history_rows(session, actor, job_id),
                "stage_choices": _choices(move_choices(session, job), None if details["next_stage"] else "Choose"),
                "staff": _choices([], "Nobody") + staff_options(session, actor, "repairs.job.view"),
                "karigars": _choices(karigar_options(session, actor) if can_karigar else [], "No karigar"),
                "can_edit": actor.can("repairs.job.edit"),
                "can_override": actor.can("repairs.job.override"),
                "can_karigar": can_karigar,
                "counter_payments": not payments_elsewhere(actor),
                "links": job_links(session, actor, job),
            }

        data = self._open_record(job_id, work, "That job does not exist.")
        if data is None:
            return
        for key, value in data.items():
            setattr(self, key, value)
        self.version += 1
        self._load_job_work()

    def _change(self, work: Any, done: str) -> Any:
        """Run a change of this job and reload the page with its message."""
        result = self._run(work, done=done)
        self._after(result)
        return result

    @rx.event
    def load(self) -> None:
        """Open the page for the job in the URL."""
        self._clear_messages()
        forget_staged(self, MOVE_RULE, self._move_photos)
        self._move_photos, self.move_photo_names = [], []
        self._reload()

    # ------------------------------------------------------------------ stages and delivery

    @rx.event
    async def stage_move_photos(self, files: list[rx.UploadFile]) -> None:
        """Check photos for the next move and keep them on the server until the job moves."""
        self._move_photos = await stage_uploads(self, files, MOVE_RULE, self._move_photos)
        self.move_photo_names = [photo["name"] for photo in self._move_photos]

    @rx.event
    def move(self, form: dict) -> None:
        """Move the job to the chosen stage with the note and the staged photos."""
        job_id, seen = self._id(), self.job.get("stage", "")
        to_stage, note = str(form.get("to_stage", "")), str(form.get("note", ""))
        photos = StagedBatch(MOVE_RULE.purpose, self._move_photos)

        def work(session: Session, actor: Actor) -> Any:
            return move_job(session, actor, job_id, to_stage, note, photos.take(actor), from_stage=seen)

        if self._change(work, f"{self.job.get('number', '')} is now at “{stage_label(to_stage)}”.") is not None:
            photos.done()
            self._move_photos, self.move_photo_names = [], []

    @rx.event
    def deliver(self, form: dict) -> None:
        """Hand the job over after the pickup check (or a manager's sign-off)."""
        job_id = self._id()
        data = DeliveryInput(
            weight_out=str(form.get("weight_out", "")),
            stones_out=stones_from(form, "out", len(self.out_lines)),
            override=bool(form.get("override")),
            note=str(form.get("override_note", "")),
        )
        self._change(lambda s, a: deliver_job(s, a, job_id, data), f"{self.job.get('number', '')} was delivered.")

    # ------------------------------------------------------------------ money, people, photos, link

    @rx.event
    def save_charge(self, form: dict) -> None:
        """Set the final charge."""
        job_id, amount = self._id(), str(form.get("final_charge", ""))
        self._change(lambda s, a: set_final_charge(s, a, job_id, amount), "The final charge was saved.")

    @rx.event
    def take_payment(self, form: dict) -> None:
        """Record money received at the counter."""
        job_id, amount = self._id(), str(form.get("amount", ""))
        self._change(lambda s, a: record_payment(s, a, job_id, amount), "The payment was recorded.")

    @rx.event
    def assign(self, form: dict) -> None:
        """Set who looks after the job and the karigar."""
        job_id = self._id()
        user, karigar = str(form.get("assigned_user_id", "")), str(form.get("karigar_id", ""))
        if not self.can_karigar:
            karigar = self.job.get("karigar_id", "")
        self._change(lambda s, a: assign_job(s, a, job_id, user, karigar), "Saved.")

    @rx.event
    async def add_photos(self, files: list[rx.UploadFile]) -> None:
        """Add the chosen photos to the job (the session and permission are checked before they are read)."""
        job_id, photos = self._id(), await receive_uploads(self, files, MORE_RULE)
        if photos:
            self._change(lambda s, a: add_job_photos(s, a, job_id, photos), "Photos added.")
            discard(photos)

    @rx.event
    def toggle_shared(self, photo_id: str, shared: bool) -> None:
        """Show a photo on the customer's status page, or stop showing it."""
        number = int(photo_id) if str(photo_id).isdigit() else 0
        done = "The customer can see this photo." if shared else "The photo is no longer shown to the customer."
        self._change(lambda s, a: share_photo(s, a, number, shared), done)

    @rx.event
    def download_ticket(self) -> EventSpec | None:
        """The job ticket as a PDF."""
        job_id = self._id()
        result = self._run(lambda s, a: ticket_file(s, a, job_id), write=False)
        return download_pdf(result[1], result[0]) if result else None

    @rx.event
    def revoke(self) -> None:
        """Stop the status link (and the printed QR) from working."""
        job_id = self._id()
        self._change(lambda s, a: revoke_link(s, a, job_id), "The status link was revoked.")

    @rx.event
    def reissue(self) -> None:
        """Give the job a new status link; print a new ticket."""
        job_id = self._id()
        self._change(lambda s, a: reissue_link(s, a, job_id), "A new status link was issued. Print a new ticket.")


# ---------------------------------------------------------------------------- pieces of the page


def panel(title: str, *children: rx.Component, **props: Any) -> rx.Component:
    """A titled card of the job page."""
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%", **props)


def _table(headers: list[str], rows: rx.Var, keys: list[str], empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(
                    rx.foreach(
                        rows,
                        lambda r: rx.table.row(
                            *[rx.table.cell(r[k], white_space="normal" if k == "note" else "nowrap") for k in keys]
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text(empty, size="2", color_scheme="gray"),
    )


def _small_form(on_submit: Any, button: str, *children: rx.Component, **props: Any) -> rx.Component:
    return rx.form(
        rx.vstack(*children, rx.button(button, type="submit", **props), spacing="3", width="100%"),
        on_submit=on_submit,
        no_validate=True,
        reset_on_submit=False,
        key=JobState.version.to_string(),
        width="100%",
    )


def _summary() -> rx.Component:
    j = JobState.job
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(j["number"], size="7"),
                rx.badge(j["kind_label"], size="2", color_scheme="gray"),
                rx.badge(j["stage_label"], size="3", color_scheme=rx.cond(j["delivered"] == "yes", "green", "amber")),
                rx.spacer(),
                rx.link("Workshop board", href="/repairs/board", size="2"),
                rx.link("All jobs", href="/repairs/jobs", size="2"),
                spacing="3",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.grid(
                rx.vstack(
                    rx.cond(
                        j["customer_id"] != "",
                        rx.hstack(
                            rx.text("Customer", size="2", color_scheme="gray", min_width="9rem"),
                            rx.link(j["customer"], href="/clienteling/customers/" + j["customer_id"], size="2"),
                        ),
                        fact("Customer", j["customer"]),
                    ),
                    fact("Phone", j["phone"]),
                    fact("Item", j["item"]),
                    fact("Work", j["work"]),
                    fact("Condition", j["condition"]),
                    fact("Weight in", j["weight_in"]),
                    fact("Weight out", j["weight_out"]),
                    fact("Fineness", j["fineness"]),
                    spacing="1",
                ),
                rx.vstack(
                    fact("Promised for", j["promised"]),
                    fact("Warranty", j["warranty"]),
                    fact("Assigned to", j["assigned"]),
                    fact("Karigar", j["karigar"]),
                    fact("Taken in", j["taken"]),
                    fact("Terms accepted", j["terms"]),
                    fact("Delivered", j["delivered_at"]),
                    fact("Signed off", j["override"]),
                    spacing="1",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _move_panel() -> rx.Component:
    return rx.cond(
        JobState.can_edit & (JobState.job["delivered"] != "yes") & (JobState.stage_choices.length() > 0),
        panel(
            "Move to another stage",
            rx.cond(
                JobState.job["next_label"] != "",
                rx.text("Next: ", rx.text.strong(JobState.job["next_label"]), size="2"),
            ),
            _small_form(
                JobState.move,
                "Move",
                select_field("Move to", "to_stage", JobState.stage_choices),
                field("Note", "note", hint="What was done, or why it goes back"),
                camera_upload(MOVE_PHOTOS, "Add photos to this move", JobState.stage_move_photos),
                rx.cond(
                    JobState.move_photo_names.length() > 0,
                    rx.text("Will attach: ", JobState.move_photo_names.join(", "), size="1", color_scheme="green"),
                ),
                field_error("photo"),
            ),
        ),
    )


def _out_line(line: rx.Var) -> rx.Component:
    name = "out_" + line["n"]
    return rx.grid(
        field("Stone out " + line["n"] + " kind", name + "_kind", default_value=line["kind"]),
        field("Stone out " + line["n"] + " count", name + "_count", default_value=line["count"], input_mode="numeric"),
        field(
            "Stone out " + line["n"] + " carats", name + "_carats", default_value=line["carats"], input_mode="decimal"
        ),
        field("Stone out " + line["n"] + " inscription", name + "_inscription", default_value=line["inscription"]),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="2",
        width="100%",
    )


def _delivery_panel() -> rx.Component:
    j = JobState.job
    return rx.cond(
        JobState.can_edit & (j["deliverable"] == "yes"),
        panel(
            "Deliver to the customer",
            rx.text(
                "Weigh the piece and count the stones with the customer. Balance to pay: ",
                rx.text.strong(j["balance"]),
                size="2",
            ),
            _small_form(
                JobState.deliver,
                "Deliver",
                rx.cond(j["weight_in"] != "", rx.text("Weight taken in: ", j["weight_in"], size="2")),
                field("Weight out (g)", "weight_out", input_mode="decimal"),
                rx.text("Stones counted now", size="2", weight="medium"),
                rx.foreach(JobState.out_lines, _out_line),
                field_error("stones_out"),
                rx.cond(
                    JobState.can_override,
                    rx.vstack(
                        rx.el.label(
                            rx.hstack(
                                rx.el.input(type="checkbox", name="override", id="field-override"),
                                rx.text("Sign off a weight, stone or balance difference", size="2"),
                                align="center",
                                spacing="2",
                            ),
                        ),
                        field("Sign-off note", "override_note", hint="Why the job is delivered despite it"),
                        field_error("note"),
                        spacing="2",
                        width="100%",
                    ),
                ),
                color_scheme="green",
            ),
        ),
    )


def _money_panel() -> rx.Component:
    j = JobState.job
    return panel(
        "Money",
        rx.vstack(
            fact("Estimate", j["estimate"]),
            fact("Deposit", j["deposit"]),
            fact("Final charge", j["final_charge"]),
            fact("Paid", j["paid"]),
            fact("Balance", j["balance"]),
            spacing="1",
        ),
        rx.cond(
            JobState.can_edit & (j["delivered"] != "yes"),
            rx.grid(
                _small_form(
                    JobState.save_charge,
                    "Save charge",
                    field("Final charge (₹)", "final_charge", input_mode="decimal"),
                    variant="soft",
                ),
                rx.cond(
                    JobState.counter_payments,
                    _small_form(
                        JobState.take_payment,
                        "Record payment",
                        field("Amount received (₹)", "amount", input_mode="decimal"),
                        variant="soft",
                    ),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
        ),
    )


def _people_panel() -> rx.Component:
    j = JobState.job
    return rx.cond(
        JobState.can_edit & (j["delivered"] != "yes"),
        panel(
            "People",
            _small_form(
                JobState.assign,
                "Save",
                select_field("Assigned to", "assigned_user_id", JobState.staff, default_value=j["assigned_id"]),
                rx.cond(
                    JobState.can_karigar,
                    select_field("Karigar", "karigar_id", JobState.karigars, default_value=j["karigar_id"]),
                ),
                variant="soft",
            ),
        ),
    )


def _photo(row: rx.Var) -> rx.Component:
    shared = row["shared"] == "yes"
    return rx.vstack(
        rx.link(
            rx.image(
                src=file_src("repairs/photo/" + row["id"]),
                alt=row["caption"],
                width="140px",
                height="140px",
                object_fit="cover",
                border_radius="var(--radius-2)",
            ),
            href=file_src("repairs/photo/" + row["id"]),
            is_external=True,
        ),
        rx.text(row["caption"], size="1", weight="medium"),
        rx.text(row["taken"], size="1", color_scheme="gray"),
        rx.cond(
            JobState.can_edit,
            rx.button(
                rx.cond(shared, "Stop sharing", "Share with customer"),
                size="1",
                variant=rx.cond(shared, "solid", "soft"),
                color_scheme=rx.cond(shared, "green", "gray"),
                on_click=JobState.toggle_shared(row["id"], ~shared),
            ),
            rx.cond(shared, rx.badge("Shared", color_scheme="green")),
        ),
        spacing="1",
        width="140px",
    )


def _photos_panel() -> rx.Component:
    return panel(
        "Photos",
        rx.cond(
            JobState.photos.length() > 0,
            rx.flex(rx.foreach(JobState.photos, _photo), spacing="3", wrap="wrap"),
            rx.text("No photos yet.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            JobState.can_edit,
            rx.vstack(camera_upload(MORE_PHOTOS, "Add photos", JobState.add_photos), field_error("photo")),
        ),
    )


def _link_panel() -> rx.Component:
    link = JobState.job["link"]
    return panel(
        "Ticket and status link",
        rx.button(rx.icon("printer", size=16), "Download ticket", on_click=JobState.download_ticket),
        rx.cond(
            link != "",
            rx.vstack(
                rx.text("The customer follows the job at:", size="2", color_scheme="gray"),
                rx.link(
                    link,
                    href=link,
                    is_external=True,
                    size="2",
                    word_break="break-all",
                    aria_label="Status link: " + link,
                ),
                spacing="1",
            ),
            rx.text("The status link is revoked: the ticket's QR shows “not found”.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            JobState.can_edit,
            rx.flex(
                rx.cond(
                    link != "",
                    rx.button("Revoke status link", variant="soft", color_scheme="red", on_click=JobState.revoke),
                ),
                rx.button("Issue new link", variant="soft", on_click=JobState.reissue),
                spacing="2",
                wrap="wrap",
            ),
        ),
    )


def _link_button(link: rx.Var) -> rx.Component:
    return rx.link(rx.button(link["label"], variant="soft"), href=link["href"])


def _links_panel() -> rx.Component:
    """Pages other enabled modules keep about the job (the ``"repairs.job_links"`` extension point)."""
    return rx.cond(
        JobState.links.length() > 0,
        panel("More for this job", rx.flex(rx.foreach(JobState.links, _link_button), spacing="2", wrap="wrap")),
    )


def _stones_panel() -> rx.Component:
    headers, keys = ["Stone", "Count", "Carats", "Inscription"], ["kind", "count", "carats", "inscription"]
    return panel(
        "Stones",
        rx.text("Declared at intake", size="2", weight="medium"),
        _table(headers, JobState.stones_in, keys, "No stones declared."),
        rx.cond(
            JobState.job["delivered"] == "yes",
            rx.vstack(
                rx.text("Counted at pickup", size="2", weight="medium"),
                _table(headers, JobState.stones_out, keys, "No stones counted."),
                width="100%",
            ),
        ),
    )


def _history_panel() -> rx.Component:
    return panel(
        "Stage history",
        _table(
            ["When", "From", "To", "Note", "By"],
            JobState.history,
            ["at", "from", "to", "note", "by"],
            "No moves yet.",
        ),
    )


def _two(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%")


def _found() -> rx.Component:
    return rx.vstack(
        _summary(),
        _two(_move_panel(), _delivery_panel()),
        design_panel(JobState),
        karigar_work_panel(JobState),
        _two(_money_panel(), _link_panel()),
        _links_panel(),
        _two(_stones_panel(), _people_panel()),
        _photos_panel(),
        _history_panel(),
        spacing="4",
        width="100%",
    )


def job_page() -> rx.Component:
    """The page registered in the manifest."""
    return shell(rx.cond(JobState.found, _found()), "Job")
