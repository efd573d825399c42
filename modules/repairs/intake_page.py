"""Taking in a job at the counter: customer, item, work, weight, stones, photos from the phone or tablet
camera, condition notes, estimate, deposit, promised date and the customer's acceptance of the terms;
then the job ticket to print."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.users import staff_options
from jewelerp.errors import NotFound
from jewelerp.ui.downloads import download_pdf
from jewelerp.ui.file_uploads import StagedBatch, UploadRule, forget_staged, stage_uploads
from jewelerp.ui.forms import field, field_error, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.uploads import file_input, labelled_upload
from modules.clienteling.api import contact_view, get_customer
from modules.repairs.jobs import JobInput, StoneInput, create_job
from modules.repairs.karigars import karigar_options
from modules.repairs.photos import MAX_BYTES, MAX_PHOTOS, prepare_photo
from modules.repairs.records import KIND_LABELS
from modules.repairs.ticket import TERMS, ticket_file

PHOTO_UPLOAD = "job-intake-photos"
STONE_LINES = 3
PHOTOS_AT_ONCE = 12  # one pick stays under the backend's upload cap (jewelerp.ui.body_limit)
TEXT_FIELDS = (
    "kind",
    "customer_id",
    "piece_sku",
    "item_description",
    "requested_work",
    "promised_on",
    "estimate",
    "deposit",
    "weight_in",
    "metal_fineness",
    "condition_notes",
    "warranty_days",
    "assigned_user_id",
    "karigar_id",
)
STONE_FIELDS = ("kind", "count", "carats", "inscription")


def photo_rule(purpose: str) -> UploadRule:
    """How a picker of job photos checks them; ``purpose`` names the folder where its photos wait."""
    return UploadRule(purpose, "repairs.job.edit", "photo", prepare_photo, MAX_BYTES, MAX_PHOTOS)


INTAKE_PHOTOS = photo_rule("repairs-intake")


def stones_from(form: dict, prefix: str = "stone", lines: int = STONE_LINES) -> list[StoneInput]:
    """The typed stone lines ``<prefix>_<n>_<field>`` of a form (blank lines are dropped by the service)."""
    return [
        StoneInput(**{k: str(form.get(f"{prefix}_{n}_{k}", "")) for k in STONE_FIELDS}) for n in range(1, lines + 1)
    ]


def text_area(label: str, name: str, **props: Any) -> rx.Component:
    """A labelled multi-line input with its error under it."""
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=f"field-{name}"),
        rx.text_area(id=f"field-{name}", name=name, width="100%", rows="3", **props),
        field_error(name),
        spacing="1",
        width="100%",
    )


def stone_line(line: int, prefix: str = "stone", what: str = "Stone") -> rx.Component:
    """One row of stone fields (kind, count, carats, inscription number)."""
    name = f"{prefix}_{line}"
    return rx.grid(
        field(f"{what} {line} kind", f"{name}_kind", placeholder="e.g. Diamond"),
        field(f"{what} {line} count", f"{name}_count", input_mode="numeric", placeholder="1"),
        field(f"{what} {line} carats", f"{name}_carats", input_mode="decimal", placeholder="0.250"),
        field(f"{what} {line} inscription", f"{name}_inscription", placeholder="Laser number, if any"),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="2",
        width="100%",
    )


def camera_upload(upload_id: str, label: str, on_drop: Any) -> rx.Component:
    """A photo picker that opens the camera on phones and tablets (``accept="image/*"``, ``capture``)."""
    picker = labelled_upload(
        rx.button(rx.icon("camera", size=16), label, type="button", variant="soft"),
        id=upload_id,
        accept={"image/*": [".jpg", ".jpeg", ".png", ".webp"]},
        multiple=True,
        max_files=PHOTOS_AT_ONCE,
        max_size=MAX_BYTES,
        on_drop=on_drop(rx.upload_files(upload_id=upload_id)),
        border="none",
        padding="0",
        label=label,
    )
    file_input(picker).capture = rx.Var.create("environment")
    return picker


class IntakeState(AppState):
    """The intake form's choices, the staged photos (ids and names: the files wait on disk) and the job just
    taken in."""

    kind: str = "repair"
    staff: list[dict[str, str]] = []
    karigars: list[dict[str, str]] = []
    can_karigar: bool = False
    customer_label: str = ""
    photo_names: list[str] = []
    today: str = ""
    form_version: int = 0
    taken_id: str = ""
    taken_number: str = ""
    _photos: list[dict[str, str]] = []

    @rx.event
    def load(self) -> None:
        """Fill the drop-downs and start an empty form."""
        self.kind, self.customer_label, self.taken_id, self.taken_number = "repair", "", "", ""
        self._forget_photos()

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            can_karigar = actor.can("repairs.karigar.manage")
            karigars = karigar_options(session, actor) if can_karigar else []
            return {
                "staff": [{"value": "", "label": "Nobody yet"}, *staff_options(session, actor, "repairs.job.view")],
                "karigars": [{"value": "", "label": "Not yet"}] + [{"value": v, "label": t} for v, t in karigars],
                "can_karigar": can_karigar,
                "today": actor.today().isoformat(),
            }

        data = self._run(work, write=False)
        for key, value in (data or {}).items():
            setattr(self, key, value)

    @rx.event
    def choose_kind(self, kind: str) -> None:
        """Show the fields of a repair or a custom order."""
        self.kind = kind if kind in KIND_LABELS else "repair"

    @rx.event
    def find_customer(self, number: str) -> None:
        """Show who the typed customer number is, so the counter can check before saving."""
        text = number.strip().lstrip("#")
        if not text.isdigit():
            self.customer_label = "A customer number is digits only." if text else ""
            return

        def work(session: Session, actor: Actor) -> str:
            customer = get_customer(session, actor, int(text))
            return f"{customer.name} · {contact_view(customer, actor)['phone']}".strip(" ·")

        try:
            self.customer_label = self._run(work, write=False, reraise=NotFound) or ""
        except NotFound:
            self.customer_label = f"No customer numbered {text}."

    def _forget_photos(self) -> None:
        forget_staged(self, INTAKE_PHOTOS, self._photos)
        self._photos, self.photo_names = [], []

    @rx.event
    async def stage_photos(self, files: list[rx.UploadFile]) -> None:
        """Check the chosen photos and keep them on the server until the job is saved."""
        self._photos = await stage_uploads(self, files, INTAKE_PHOTOS, self._photos)
        self.photo_names = [photo["name"] for photo in self._photos]

    @rx.event
    def clear_photos(self) -> None:
        """Forget the chosen photos."""
        self._forget_photos()

    @rx.event
    def take_in(self, form: dict) -> None:
        """Save the job; on bad input the form keeps what was typed."""
        data = JobInput(
            **{k: str(form.get(k, "")) for k in TEXT_FIELDS},
            terms_accepted=bool(form.get("terms_accepted")),
            stones=stones_from(form),
        )
        photos = StagedBatch(INTAKE_PHOTOS.purpose, self._photos)
        job = self._run(lambda s, a: create_job(s, a, data, photos.take(a)))
        if job is None:
            return
        photos.done()
        self.taken_id, self.taken_number = str(job.id), job.number
        self._say(f"Job {job.number} was taken in. Print the ticket for the customer.")
        self._photos, self.photo_names, self.customer_label, self.kind = [], [], "", "repair"
        self.form_version += 1  # a new key empties the form for the next job

    @rx.event
    def download_ticket(self) -> EventSpec | None:
        """The ticket of the job just taken in, as a PDF."""
        job_id = int(self.taken_id) if self.taken_id.isdigit() else 0
        result = self._run(lambda s, a: ticket_file(s, a, job_id), write=False)
        return download_pdf(result[1], result[0]) if result else None


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%")


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2", lg="3"), spacing="3", width="100%")


def _customer_fields() -> rx.Component:
    repair = IntakeState.kind == "repair"
    return _section(
        "Customer and item",
        _grid(
            select_field(
                "Kind of job",
                "kind",
                list(KIND_LABELS.items()),
                on_change=IntakeState.choose_kind,
            ),
            rx.vstack(
                field("Customer no.", "customer_id", input_mode="numeric", on_blur=IntakeState.find_customer),
                rx.cond(IntakeState.customer_label != "", rx.text(IntakeState.customer_label, size="1")),
                spacing="1",
                width="100%",
            ),
            rx.cond(repair, field("Our piece (SKU)", "piece_sku", hint="Only when the piece is from our stock")),
            field("Item", "item_description", hint="e.g. 22K gold ring with two rubies"),
        ),
        text_area("Work to do", "requested_work", placeholder="e.g. Resize from 12 to 14, polish"),
    )


def _intake_fields() -> rx.Component:
    return _section(
        "Intake record",
        _grid(
            field(
                "Gross weight in (g)",
                "weight_in",
                input_mode="decimal",
                hint="Weighed at the counter, e.g. 10.250",
            ),
            field("Metal fineness", "metal_fineness", input_mode="numeric", hint="e.g. 916 for 22K, if known"),
        ),
        text_area("Condition notes", "condition_notes", placeholder="Scratches, loose stones, dents ..."),
        rx.text("Stones declared", size="2", weight="medium"),
        *[stone_line(n) for n in range(1, STONE_LINES + 1)],
        field_error("stones"),
        rx.vstack(
            camera_upload(PHOTO_UPLOAD, "Add intake photos", IntakeState.stage_photos),
            rx.cond(
                IntakeState.photo_names.length() > 0,
                rx.hstack(
                    rx.text("Will attach: ", IntakeState.photo_names.join(", "), size="1", color_scheme="green"),
                    rx.button(
                        "Remove photos", size="1", variant="ghost", type="button", on_click=IntakeState.clear_photos
                    ),
                    align="center",
                    wrap="wrap",
                ),
            ),
            field_error("photo"),
            spacing="1",
        ),
    )


def _money_fields() -> rx.Component:
    return _section(
        "Money, dates and people",
        _grid(
            field("Estimate (₹)", "estimate", input_mode="decimal"),
            field("Deposit (₹)", "deposit", input_mode="decimal"),
            field("Promised date", "promised_on", type="date", min=IntakeState.today),
            field("Warranty (days)", "warranty_days", input_mode="numeric", hint="Blank: the store's usual warranty"),
            select_field("Assign to", "assigned_user_id", IntakeState.staff),
            rx.cond(IntakeState.can_karigar, select_field("Karigar", "karigar_id", IntakeState.karigars)),
        ),
    )


def _terms() -> rx.Component:
    return rx.vstack(
        rx.text(TERMS, size="1", color_scheme="gray"),
        rx.el.label(
            rx.hstack(
                rx.el.input(type="checkbox", name="terms_accepted", id="field-terms_accepted"),
                rx.text("The customer accepts the estimate and these terms", size="2", weight="medium"),
                align="center",
                spacing="2",
            ),
        ),
        field_error("terms_accepted"),
        spacing="2",
    )


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                _customer_fields(),
                rx.divider(),
                _intake_fields(),
                rx.divider(),
                _money_fields(),
                rx.divider(),
                _terms(),
                rx.button(rx.icon("clipboard-check", size=16), "Take in job", type="submit", size="3"),
                spacing="4",
                width="100%",
            ),
            on_submit=IntakeState.take_in,
            no_validate=True,
            reset_on_submit=False,
            key=IntakeState.form_version.to_string(),
        ),
        width="100%",
    )


def _taken() -> rx.Component:
    return rx.cond(
        IntakeState.taken_id != "",
        rx.card(
            rx.flex(
                rx.icon("circle-check", color="var(--green-9)"),
                rx.text("Taken in: ", rx.text.strong(IntakeState.taken_number), size="3"),
                rx.spacer(),
                rx.button(rx.icon("printer", size=16), "Download ticket", on_click=IntakeState.download_ticket),
                rx.link(
                    "Open " + IntakeState.taken_number, href="/repairs/jobs/" + IntakeState.taken_id, weight="medium"
                ),
                spacing="3",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            width="100%",
        ),
    )


def intake_page() -> rx.Component:
    """The page registered in the manifest."""
    return shell(
        rx.vstack(
            rx.hstack(
                rx.text("The job gets the next number of this branch.", size="2", color_scheme="gray"),
                rx.spacer(),
                rx.link("All jobs", href="/repairs/jobs", size="2", white_space="nowrap"),
                width="100%",
                align="center",
            ),
            _taken(),
            _form(),
            spacing="4",
            width="100%",
            max_width="72rem",
        ),
        "Take in a job",
    )
